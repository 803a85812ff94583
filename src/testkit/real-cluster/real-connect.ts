/**
 * Real Kafka Connect: distributed workers (ConnectDistributed, the jars of the cluster's Kafka
 * version) in one group on a RealCluster, each with its REST listener on 127.0.0.1. Controls return
 * once the group reflects them: Kafka's coordinator reports the group Stable with exactly the live
 * workers, and every live worker is healthy and lists the same connectors. So a test never sleeps
 * to wait for a worker to join or for the group to notice one is gone.
 *
 *   const connect = await RealConnect.start({ cluster, workers: 2 })
 *   await fetch(`${connect.urls[0]}/connectors`, { method: 'POST', ... })
 *   await connect.killWorker(0)        // SIGKILL; returns once the group has rebalanced without it
 *   const url = await connect.addWorker()
 *   await connect.stop()
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { RealClusterControlError, RealClusterUnavailableError } from './errors.ts'
import { requireConnect } from './install.ts'
import { Jvm, readLog } from './jvm.ts'
import { freePorts } from '../ports.ts'
import type { RealCluster } from './real-cluster.ts'
import { WORKER_LOG4J2_PROPERTIES, workerConfig } from './worker-config.ts'
import { groupMismatch, probeWorker } from './worker-probe.ts'

export interface RealConnectOptions {
  cluster: RealCluster
  /** Workers started at once (1 to 9). Default 1. */
  workers?: number
  /** The worker group's id, also the prefix of its internal topics. Default `steadfast-connect-<random>`. */
  groupId?: string
  /** Extra worker settings (worker.properties keys). */
  workerConfig?: Record<string, string | number | boolean>
  /** JVM flags per worker. Default: 128 MiB–512 MiB heap, serial GC, quick start (C1 only). */
  jvmOptions?: string[]
  /** How long start and each control may wait for the group to reflect it. Default 120 s. */
  timeoutMs?: number
  /** Where worker directories go; default a new directory under the OS temp dir, removed on stop. */
  dataDir?: string
}

export interface RealWorker {
  /** Stable across the rig's life: workers are numbered in the order they were started. */
  index: number
  url: string
  running: boolean
  pid: number | undefined
}

export const DEFAULT_WORKER_JVM_OPTIONS = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k', '-Djava.awt.headless=true']

const POLL_MS = 250

interface RigWorker {
  index: number
  port: number
  dir: string
  jvm: Jvm | undefined
}

export class RealConnect {
  readonly cluster: RealCluster
  readonly groupId: string
  readonly #workers: RigWorker[] = []
  readonly #dataDir: string
  readonly #ownsDataDir: boolean
  readonly #options: RealConnectOptions & { timeoutMs: number, jvmOptions: string[] }
  #state: 'running' | 'stopping' | 'stopped' = 'running'
  #stopping: Promise<void> | undefined

  private constructor (options: RealConnectOptions & { timeoutMs: number, jvmOptions: string[], groupId: string }, dataDir: string, ownsDataDir: boolean) {
    this.cluster = options.cluster
    this.groupId = options.groupId
    this.#options = options
    this.#dataDir = dataDir
    this.#ownsDataDir = ownsDataDir
  }

  static async start (options: RealConnectOptions): Promise<RealConnect> {
    const workers = options.workers ?? 1
    if (!Number.isInteger(workers) || workers < 1 || workers > 9) {
      throw new InvalidArgumentError(`RealConnect.start: workers must be an integer from 1 to 9, got ${String(workers)}`)
    }
    requireConnect(options.cluster.install)
    const ownsDataDir = options.dataDir === undefined
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'steadfast-real-connect-'))
    mkdirSync(dataDir, { recursive: true })
    const connect = new RealConnect({
      ...options,
      groupId: options.groupId ?? `steadfast-connect-${randomBytes(4).toString('hex')}`,
      timeoutMs: options.timeoutMs ?? 120_000,
      jvmOptions: options.jvmOptions ?? DEFAULT_WORKER_JVM_OPTIONS,
    }, dataDir, ownsDataDir)
    try {
      const ports = await freePorts(workers)
      for (const port of ports) connect.#launch(port)
      await connect.#waitStable('start')
    } catch (error) {
      await connect.stop()
      throw error
    }
    return connect
  }

  /** URLs of the running workers, in index order. */
  get urls (): string[] {
    return this.workers.filter((w) => w.running).map((w) => w.url)
  }

  /** Every worker started, running or not. */
  get workers (): RealWorker[] {
    return this.#workers.map((w) => ({ index: w.index, url: urlOf(w.port), running: w.jvm?.running === true, pid: w.jvm?.running === true ? w.jvm.pid : undefined }))
  }

  /** Starts one more worker; returns its URL once it is a member of the stable group. */
  async addWorker (): Promise<string> {
    this.#checkRunning('addWorker')
    const [port] = await freePorts(1)
    const worker = this.#launch(port as number)
    await this.#waitStable('addWorker')
    return urlOf(worker.port)
  }

  /** Graceful stop (SIGTERM: the worker stops its tasks and leaves the group). Returns once the group is stable without it. */
  async stopWorker (index: number): Promise<void> {
    const worker = this.#runningWorker(index, 'stopWorker')
    await worker.jvm?.terminate(this.#options.timeoutMs)
    worker.jvm = undefined
    await this.#waitStable('stopWorker')
  }

  /** SIGKILL: the worker dies without leaving. Returns once the group has expelled it (session timeout) and is stable again. */
  async killWorker (index: number): Promise<void> {
    const worker = this.#runningWorker(index, 'killWorker')
    await worker.jvm?.kill()
    worker.jvm = undefined
    await this.#waitStable('killWorker')
  }

  /**
   * Resolves once Kafka reports the group Stable with exactly the running workers as members, and
   * every running worker is healthy and lists the same connectors.
   */
  async waitStable (): Promise<void> {
    this.#checkRunning('waitStable')
    await this.#waitStable('waitStable')
  }

  /**
   * The group leader's URL, as the running workers last logged it (DistributedHerder's "Joined
   * group at generation N … leaderUrl='…'", the newest generation wins); undefined before any join.
   * Tests use it to make a worker leave that is not the leader: a new leader has no view of the
   * previous assignment, so it hands lost work out at once instead of after
   * `scheduled.rebalance.max.delay.ms`.
   */
  leaderUrl (): string | undefined {
    let newest: { generation: number, url: string } | undefined
    for (const w of this.#workers) {
      if (w.jvm?.running !== true) continue
      for (const m of this.workerLogs(w.index).matchAll(/Joined group at generation (\d+) .*?leaderUrl='([^']+)'/g)) {
        const generation = Number(m[1])
        if (newest === undefined || generation > newest.generation) newest = { generation, url: (m[2] as string).replace(/\/+$/, '') }
      }
    }
    return newest?.url
  }

  /** A worker's log (log4j2 at INFO); the last `lines` lines when given. */
  workerLogs (index: number, lines?: number): string {
    const worker = this.#worker(index, 'workerLogs')
    return readLog(join(worker.dir, 'worker.log'), lines)
  }

  /** Resolves when a worker's JVM exits without being asked to, with which worker and how. */
  async unexpectedExit (): Promise<string> {
    return await new Promise((resolve) => {
      for (const w of this.#workers) this.#onUnexpectedExit(w, resolve)
    })
  }

  /** Kills every worker (SIGKILL) and removes the data dir it made. The cluster is left running. Safe to call twice. */
  async stop (): Promise<void> {
    this.#stopping ??= (async () => {
      this.#state = 'stopping'
      await Promise.all(this.#workers.map(async (w) => {
        await w.jvm?.kill()
        w.jvm = undefined
      }))
      if (this.#ownsDataDir) rmSync(this.#dataDir, { recursive: true, force: true })
      this.#state = 'stopped'
    })()
    await this.#stopping
  }

  #onUnexpectedExit (worker: RigWorker, resolve: (why: string) => void): void {
    const jvm = worker.jvm
    jvm?.watchExit().then((how) => {
      if (this.#state === 'running' && !jvm.asked) {
        resolve(`Connect worker ${worker.index} (${urlOf(worker.port)}) exited (${how.signal ?? `exit code ${String(how.code)}`}); log: ${join(worker.dir, 'worker.log')}`)
      }
    }, () => {})
  }

  #launch (port: number): RigWorker {
    const index = this.#workers.length
    const dir = join(this.#dataDir, `worker-${index}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'log4j2.properties'), WORKER_LOG4J2_PROPERTIES)
    const config: Parameters<typeof workerConfig>[0] = {
      bootstrap: this.cluster.bootstrap,
      groupId: this.groupId,
      port,
      replicationFactor: Math.min(3, this.cluster.brokers.length),
    }
    if (this.#options.workerConfig !== undefined) config.overrides = this.#options.workerConfig
    writeFileSync(join(dir, 'worker.properties'), workerConfig(config))
    const worker: RigWorker = { index, port, dir, jvm: undefined }
    worker.jvm = Jvm.start({
      java: this.cluster.install.java,
      classpath: this.cluster.install.classpath,
      mainClass: 'org.apache.kafka.connect.cli.ConnectDistributed',
      args: [join(dir, 'worker.properties')],
      jvmOptions: [...this.#options.jvmOptions, `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`],
      logFile: join(dir, 'worker.log'),
    })
    this.#workers.push(worker)
    return worker
  }

  async #waitStable (op: string): Promise<void> {
    const deadline = Date.now() + this.#options.timeoutMs
    let last = 'nothing checked yet'
    for (;;) {
      const dead = this.#workers.find((w) => w.jvm !== undefined && !w.jvm.running && !w.jvm.asked)
      if (dead !== undefined) {
        throw new RealClusterUnavailableError(`${op}: Connect worker ${dead.index} exited; last lines of ${join(dead.dir, 'worker.log')}:\n${this.workerLogs(dead.index, 20)}`)
      }
      if (this.#state !== 'running') throw new RealClusterUnavailableError(`${op}: RealConnect is ${this.#state}`)
      const mismatch = await this.#mismatch()
      if (mismatch === undefined) return
      last = mismatch
      if (Date.now() > deadline) {
        throw new RealClusterControlError(`${op}: the Connect group ${this.groupId} was not stable within ${this.#options.timeoutMs} ms; last seen: ${last}`, { op })
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  /** Undefined when the group is stable with the running workers; otherwise what is not yet so. */
  async #mismatch (): Promise<string | undefined> {
    const urls = this.urls
    const probes = await Promise.all(urls.map(async (url) => await probeWorker(url)))
    const notReady = probes.find((p) => !p.ready)
    if (notReady !== undefined) return notReady.detail
    const lists = new Set(probes.map((p) => JSON.stringify(p.connectors)))
    if (lists.size > 1) return `workers disagree on the connectors: ${[...lists].join(' vs ')}`
    try {
      return groupMismatch(await this.cluster.describeGroup(this.groupId), urls)
    } catch (error) {
      if (error instanceof RealClusterControlError) return error.message
      throw error
    }
  }

  #worker (index: number, op: string): RigWorker {
    const worker = this.#workers[index]
    if (worker === undefined) throw new InvalidArgumentError(`${op}: no worker ${index} (workers 0..${this.#workers.length - 1})`)
    return worker
  }

  #runningWorker (index: number, op: string): RigWorker {
    this.#checkRunning(op)
    const worker = this.#worker(index, op)
    if (worker.jvm?.running !== true) throw new RealClusterControlError(`${op}: worker ${index} is not running`, { op })
    return worker
  }

  #checkRunning (op: string): void {
    if (this.#state !== 'running') throw new RealClusterUnavailableError(`${op}: RealConnect is ${this.#state}`)
  }
}

function urlOf (port: number): string {
  return `http://127.0.0.1:${port}`
}
