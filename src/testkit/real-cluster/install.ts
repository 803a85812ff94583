/**
 * Finds the parts of the real-Kafka rig that `scripts/build-real-kafka.sh` puts in place: Java,
 * each pinned Kafka version's jars (in the cache) and the control helper compiled against them (in
 * build/). The versions come from native/real-kafka/pom.xml, their one home. Anything missing is an
 * error that names it and the command that installs it; the rig never runs half-installed.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RealClusterUnavailableError } from './errors.ts'

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const POM = join(PACKAGE_ROOT, 'native/real-kafka/pom.xml')
const SETUP_HINT = 'run `npm run setup` (or `bash scripts/build-real-kafka.sh`) to install Java 17 and Maven from Debian and resolve the jars from Maven Central'

export interface KafkaInstall {
  /** The exact Kafka version, e.g. 4.3.1. */
  version: string
  /** The directory of the jars. */
  libs: string
  /** Classpath of the broker, StorageTool, Connect and log4j2. */
  classpath: string
  /** Classpath of the control helper (its classes plus the Kafka jars). */
  controlClasspath: string
  java: string
}

/** The Kafka versions pinned in the pom, newest first. */
export function pinnedKafkaVersions (): string[] {
  let pom: string
  try {
    pom = readFileSync(POM, 'utf8')
  } catch (error) {
    throw new RealClusterUnavailableError(`cannot read the real-Kafka pom at ${POM}`, { cause: error })
  }
  const versions = [...pom.matchAll(/<kafka\.version>([^<]+)<\/kafka\.version>/g)].map((m) => m[1] as string)
  return versions.sort((a, b) => compareVersions(b, a))
}

/**
 * Picks a pinned version for `wanted`: an exact pinned version, or a prefix such as `4` or `3.9`
 * (the newest pinned version it matches). Default: the newest pinned version.
 */
export function resolveKafkaVersion (wanted?: string): string {
  const pinned = pinnedKafkaVersions()
  if (wanted === undefined || wanted === '') return pinned[0] as string
  const match = pinned.find((v) => v === wanted || v.startsWith(`${wanted}.`))
  if (match === undefined) {
    throw new RealClusterUnavailableError(`Kafka version "${wanted}" is not one the rig pins (${pinned.join(', ')}; see native/real-kafka/pom.xml)`)
  }
  return match
}

export function cacheDir (env: NodeJS.ProcessEnv = process.env): string {
  if (env.STEADFAST_CACHE_DIR !== undefined && env.STEADFAST_CACHE_DIR !== '') return env.STEADFAST_CACHE_DIR
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache')
  return join(base, 'steadfast')
}

export function locateKafka (wanted?: string, env: NodeJS.ProcessEnv = process.env): KafkaInstall {
  const version = resolveKafkaVersion(wanted)
  const java = findOnPath('java', env)
  if (java === undefined) {
    throw new RealClusterUnavailableError(`the real-Kafka rig needs Java 17, and no \`java\` is on PATH: ${SETUP_HINT}`)
  }
  const libs = join(cacheDir(env), 'real-kafka', version, 'libs')
  if (!existsSync(join(cacheDir(env), 'real-kafka', version, '.complete'))) {
    throw new RealClusterUnavailableError(`the jars of Apache Kafka ${version} are not in ${libs}: ${SETUP_HINT}`)
  }
  const control = join(PACKAGE_ROOT, 'build', 'real-kafka', `control-${version}`)
  if (!existsSync(join(control, 'dev/steadfast/rig/Control.class'))) {
    throw new RealClusterUnavailableError(`the rig's control helper for Kafka ${version} is not built in ${control}: ${SETUP_HINT}`)
  }
  const classpath = join(libs, '*')
  return { version, libs, classpath, controlClasspath: `${control}${delimiter}${classpath}`, java }
}

/**
 * Checks that the install also holds Kafka Connect (connect-runtime for the workers, connect-file
 * for the FileStream connectors): a cache resolved from an older pom may lack them.
 */
export function requireConnect (install: KafkaInstall): void {
  const missing = ['connect-runtime', 'connect-file', 'connect-json']
    .filter((artifact) => !existsSync(join(install.libs, `${artifact}-${install.version}.jar`)))
  if (missing.length > 0) {
    throw new RealClusterUnavailableError(`Kafka Connect ${install.version} is not installed: ${missing.map((a) => `${a}-${install.version}.jar`).join(', ')} missing from ${install.libs}: ${SETUP_HINT}`)
  }
}

function findOnPath (command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

function compareVersions (a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
