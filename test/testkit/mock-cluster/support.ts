/**
 * Shared by the mock-cluster tests: Debian's kcat as an independent Kafka client (bounded by
 * timeouts so a broken cluster fails a test instead of hanging it), and process checks.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TestContext } from 'node:test'
import { MockCluster, type MockClusterOptions } from '../../../src/testkit/index.ts'

export const KCAT = '/usr/bin/kcat'

export interface KcatResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs kcat with stdin `input` (closed right away when absent); never longer than timeoutMs. */
export async function kcat (args: string[], input = '', timeoutMs = 15_000): Promise<KcatResult> {
  if (!existsSync(KCAT)) throw new Error(`${KCAT} is missing: run \`npm run setup\` (installs Debian's kcat)`)
  return await new Promise((resolve) => {
    const child = execFile(KCAT, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
    // kcat may exit before reading stdin (-L never reads it): a broken pipe there is no failure.
    child.stdin?.on('error', () => {})
    child.stdin?.end(input)
  })
}

export interface KcatMetadata {
  controllerid: number
  brokers: Array<{ id: number, name: string }>
  topics: Array<{ topic: string, error?: string, partitions: Array<{ partition: number, leader: number, replicas: Array<{ id: number }> }> }>
}

/** `kcat -L -J`: the cluster's metadata as kcat (librdkafka 2.0.2) sees it. */
export async function metadata (bootstrap: string, topic?: string): Promise<KcatMetadata> {
  const result = await kcat(['-b', bootstrap, '-L', '-J', '-m', '5', ...(topic === undefined ? [] : ['-t', topic])])
  if (result.code !== 0) throw new Error(`kcat -L failed (${result.code}): ${result.stderr}`)
  return JSON.parse(result.stdout) as KcatMetadata
}

/** Produces each line to one partition; returns kcat's result (code 0 when every message was delivered). */
export async function produce (bootstrap: string, topic: string, partition: number, lines: string[], extra: string[] = []): Promise<KcatResult> {
  return await kcat(['-b', bootstrap, '-P', '-t', topic, '-p', String(partition), ...extra], lines.map((l) => l + '\n').join(''))
}

/** Reads a partition from the beginning to its end, as `offset:value` lines. */
export async function consume (bootstrap: string, topic: string, partition: number, extra: string[] = []): Promise<string[]> {
  const result = await kcat(['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%o:%s\\n', ...extra])
  if (result.code !== 0) throw new Error(`kcat -C failed (${result.code}): ${result.stderr}`)
  return result.stdout.split('\n').filter((l) => l !== '')
}

/** A cluster stopped when the test ends, whatever its outcome. */
export async function startCluster (t: TestContext, options: MockClusterOptions = {}): Promise<MockCluster> {
  const cluster = await MockCluster.start(options)
  t.after(() => cluster.stop())
  return cluster
}

/** True while the process exists and is not a zombie. */
export function isAlive (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Polls until the condition holds; false if it still does not after timeoutMs. */
export async function eventually (condition: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await sleep(25)
  }
  return true
}

/** Pids of live mock-cluster helpers whose parent is this process. */
export function childHelperPids (): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (comm.startsWith('steadfast-mock') && state !== 'Z' && Number(ppid) === process.pid) pids.push(Number(entry))
  }
  return pids
}
