/**
 * The Kafka Connect simulator: several workers in one group, each with its own HTTP listener on
 * 127.0.0.1, plus the fault controls tests need (fail a task, rebalance once or in a storm, lose
 * the leader, slow responses, health) and the instruments they assert on (every request, the
 * largest number of concurrent writes seen per connector).
 */
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { freePorts } from '../ports.ts'
import { ConnectGroup, type TargetState } from './group.ts'
import type { LoggerLevel, RouteContext } from './routes.ts'
import { SimWorker, type HealthState, type RequestRecord, type WorkerHost } from './worker.ts'

export interface ConnectSimulatorOptions {
  /** Workers in the group (default 3). */
  workers?: number
  /** Port of the first worker; the others take the next ports. 0 (default): free ports below the ephemeral range (testkit/ports.ts). */
  port?: number
  /** Duration of one rebalance in ms (default 50). */
  rebalanceMs?: number
  /** How long restarted instances show RESTARTING, in ms (default 20). */
  restartMs?: number
  /** Rebalances restart every connector and task, FAILED ones included (default true, the eager protocol). */
  eagerRebalance?: boolean
  /** Most tasks one connector runs, whatever its tasks.max (default 100). */
  maxTasksPerConnector?: number
  /** Requests kept in `requests` (the oldest are dropped beyond it); default 100 000. */
  maxRecordedRequests?: number
  /** Answered by `GET /`. */
  version?: string
  clusterId?: string
}

export interface StormOptions {
  /** Total length of the storm in ms. */
  durationMs: number
  /** Length of each rebalance (default: the simulator's rebalanceMs). */
  rebalanceMs?: number
  /** Quiet time between rebalances (default 0: one continuous rebalance). */
  gapMs?: number
}

export class ConnectSimulator implements WorkerHost {
  readonly group: ConnectGroup
  readonly routeContext: RouteContext
  readonly workers: SimWorker[] = []
  /** Every request answered, in order (forwarded hops included, marked `forwarded`), up to maxRecordedRequests. */
  readonly requests: RequestRecord[] = []
  #maxRecorded: number
  #inflight = new Map<string, number>()
  #maxInflight = new Map<string, number>()
  #stormTimer: ReturnType<typeof setInterval> | undefined
  #stormEnd: ReturnType<typeof setTimeout> | undefined
  #stormDone: (() => void) | undefined
  #lost: Array<{ method: string | undefined, path: string | undefined, left: number }> = []

  private constructor (options: ConnectSimulatorOptions) {
    this.#maxRecorded = options.maxRecordedRequests ?? 100_000
    this.group = new ConnectGroup({
      rebalanceMs: options.rebalanceMs ?? 50,
      restartMs: options.restartMs ?? 20,
      eagerRebalance: options.eagerRebalance ?? true,
      maxTasksPerConnector: options.maxTasksPerConnector ?? 100,
    })
    const loggers = new Map<string, LoggerLevel>([
      ['org.apache.kafka.connect', { level: 'INFO', last_modified: null }],
      ['root', { level: 'INFO', last_modified: null }],
    ])
    this.routeContext = {
      group: this.group,
      version: options.version ?? '3.9.0',
      commit: 'steadfast-sim',
      clusterId: options.clusterId ?? 'sim-cluster-0',
      loggers,
    }
  }

  /** Starts the workers and settles the group: every listener is up and a leader is known on return. */
  static async start (options: ConnectSimulatorOptions = {}): Promise<ConnectSimulator> {
    const count = options.workers ?? 3
    const port = options.port ?? 0
    if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`connect simulator: workers must be an integer >= 1, got ${count}`)
    if (!Number.isInteger(port) || port < 0 || port + count - 1 > 65535) throw new InvalidArgumentError(`connect simulator: port must be 0 or a port with ${count} free consecutive ports after it, got ${port}`)
    if (options.maxRecordedRequests !== undefined && !(Number.isInteger(options.maxRecordedRequests) && options.maxRecordedRequests >= 0)) {
      throw new InvalidArgumentError(`connect simulator: maxRecordedRequests must be an integer >= 0, got ${options.maxRecordedRequests}`)
    }
    const maxTasks = options.maxTasksPerConnector
    if (maxTasks !== undefined && !(Number.isInteger(maxTasks) && maxTasks >= 1 && maxTasks <= 10_000)) {
      throw new InvalidArgumentError(`connect simulator: maxTasksPerConnector must be an integer from 1 to 10000, got ${maxTasks}`)
    }
    for (const [key, value] of [['rebalanceMs', options.rebalanceMs], ['restartMs', options.restartMs]] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new InvalidArgumentError(`connect simulator: ${key} must be a number >= 0, got ${value}`)
    }
    const sim = new ConnectSimulator(options)
    try {
      // Ports outside the ephemeral range (testkit/ports.ts): a killed worker comes back on its own.
      const ports = port === 0 ? await freePorts(count) : Array.from({ length: count }, (_, i) => port + i)
      for (const p of ports) await sim.#addWorker(p)
    } catch (error) {
      await sim.stop()
      throw error
    }
    sim.group.finishRebalance()
    return sim
  }

  /** Base URLs of the workers that are listening. */
  get urls (): string[] { return this.workers.filter((w) => w.listening).map((w) => w.url) }
  get leaderUrl (): string | undefined { return this.group.leader === undefined ? undefined : this.urlOf(this.group.leader) }

  urlOf (workerId: string): string | undefined {
    return this.workers.find((w) => w.id === workerId && w.listening)?.url
  }

  record (entry: RequestRecord): void {
    this.requests.push(entry)
    // Trimmed in batches, so a long-running simulator stays bounded without shifting on every request.
    if (this.requests.length > this.#maxRecorded * 1.1) this.requests.splice(0, this.requests.length - this.#maxRecorded)
  }

  writeStarted (connector: string): void {
    const n = (this.#inflight.get(connector) ?? 0) + 1
    this.#inflight.set(connector, n)
    this.#maxInflight.set(connector, Math.max(n, this.#maxInflight.get(connector) ?? 0))
  }

  writeEnded (connector: string): void {
    this.#inflight.set(connector, (this.#inflight.get(connector) ?? 1) - 1)
  }

  loseResponse (method: string, path: string): boolean {
    const rule = this.#lost.find((r) => (r.method === undefined || r.method === method) && (r.path === undefined || r.path === path))
    if (rule === undefined) return false
    if (--rule.left === 0) this.#lost = this.#lost.filter((r) => r !== rule)
    return true
  }

  /**
   * Fault: the next `count` requests matching `match` (method, and path without the query) are
   * applied, but the worker resets the connection instead of answering, as when an answer is lost
   * on the way back. The caller cannot tell whether the request took effect.
   */
  loseResponses (count: number, match: { method?: string, path?: string } = {}): void {
    if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`connect simulator: loseResponses count must be an integer >= 1, got ${count}`)
    this.#lost.push({ method: match.method?.toUpperCase(), path: match.path, left: count })
  }

  /** The largest number of writes to `connector` in flight at once, seen at the workers callers reached. */
  maxConcurrentWrites (connector: string): number {
    return this.#maxInflight.get(connector) ?? 0
  }

  /** Requests answered so far that match `filter` (first hops only unless `forwarded` is given). */
  countRequests (filter: Partial<RequestRecord> = {}): number {
    return this.requests.filter((r) => Object.entries({ forwarded: false, ...filter }).every(([k, v]) => r[k as keyof RequestRecord] === v)).length
  }

  async #addWorker (port: number): Promise<SimWorker> {
    const worker = new SimWorker(this, '127.0.0.1', port)
    await worker.listen()
    this.workers.push(worker)
    this.group.join(worker.id)
    return worker
  }

  /** A worker joins the group (on a free port, or `port`): the group rebalances. */
  async addWorker (port = 0): Promise<string> {
    return (await this.#addWorker(port === 0 ? (await freePorts(1))[0] as number : port)).url
  }

  /** A worker leaves the group and its listener closes: the group rebalances. */
  async removeWorker (url: string): Promise<void> {
    const worker = this.#worker(url)
    await worker.close()
    this.group.leave(worker.id)
  }

  /** Fault: the leader dies. Its listener closes, no leader is known until the rebalance elects one. Returns its URL. */
  async killLeader (): Promise<string> {
    const url = this.leaderUrl
    if (url === undefined) throw new InvalidArgumentError('connect simulator: no leader to kill (a rebalance is electing one)')
    await this.removeWorker(url)
    return url
  }

  /** Brings a removed worker back on its old port: it rejoins and the group rebalances. */
  async restartWorker (url: string): Promise<void> {
    const worker = this.#worker(url)
    if (worker.listening) return
    await worker.listen()
    this.group.join(worker.id)
  }

  #worker (url: string): SimWorker {
    const worker = this.workers.find((w) => w.url === url.replace(/\/+$/, ''))
    if (worker === undefined) throw new InvalidArgumentError(`connect simulator: no worker at ${url} (workers: ${this.workers.map((w) => w.url).join(', ')})`)
    return worker
  }

  /** Fault: one rebalance now, lasting `ms` (default: rebalanceMs). */
  rebalance (ms?: number): void {
    this.group.startRebalance(ms)
  }

  /**
   * Fault: a rebalance storm. With no gap the group rebalances for the whole duration; with a gap,
   * rebalances of `rebalanceMs` alternate with quiet windows of `gapMs`. Resolves when it ends.
   */
  storm (options: StormOptions): Promise<void> {
    const { durationMs } = options
    const rebalanceMs = options.rebalanceMs ?? this.group.options.rebalanceMs
    const gapMs = options.gapMs ?? 0
    if (!(durationMs > 0)) throw new InvalidArgumentError(`connect simulator: storm durationMs must be > 0, got ${durationMs}`)
    this.stopStorm()
    if (gapMs <= 0) this.group.startRebalance(durationMs)
    else {
      this.group.startRebalance(rebalanceMs)
      this.#stormTimer = setInterval(() => this.group.startRebalance(Math.min(rebalanceMs, durationMs)), rebalanceMs + gapMs)
    }
    return new Promise((resolve) => {
      this.#stormDone = resolve
      this.#stormEnd = setTimeout(() => this.stopStorm(), durationMs)
    })
  }

  /** Ends the storm early (a rebalance already under way still runs its course); its promise resolves. */
  stopStorm (): void {
    clearInterval(this.#stormTimer)
    clearTimeout(this.#stormEnd)
    this.#stormTimer = undefined
    this.#stormEnd = undefined
    const done = this.#stormDone
    this.#stormDone = undefined
    done?.()
  }

  /** Fault: every worker (or the one at `url`) waits `ms` before answering. 0 removes it. */
  slow (ms: number, url?: string): void {
    for (const w of url === undefined ? this.workers : [this.#worker(url)]) w.slowMs = ms
  }

  /** Fault: what `GET /health` answers on every worker (or the one at `url`). */
  setHealth (state: HealthState, url?: string): void {
    for (const w of url === undefined ? this.workers : [this.#worker(url)]) w.health = state
  }

  failTask (connector: string, task: number, reason?: string): void { this.group.failTask(connector, task, reason) }
  failConnector (connector: string, reason?: string): void { this.group.failConnector(connector, reason) }

  /** Test set-up: offsets a source connector would have committed. */
  setOffsets (connector: string, offsets: Array<{ partition: Record<string, unknown>, offset: Record<string, unknown> }>): void {
    this.group.get(connector).offsets = offsets.map((o) => ({ ...o }))
  }

  /** A connector's state as the simulator holds it, for assertions. */
  connector (name: string): { config: Record<string, string>, target: TargetState, state: string, tasks: Array<{ id: number, state: string }> } | undefined {
    const c = this.group.connectors.get(name)
    if (c === undefined) return undefined
    return { config: { ...c.config }, target: c.target, state: c.connector.state, tasks: c.tasks.map((t) => ({ id: t.id, state: t.state })) }
  }

  /** Removes the slow-response, lost-response and health faults and ends a storm. */
  clearFaults (): void {
    this.stopStorm()
    this.#lost = []
    this.slow(0)
    this.setHealth('healthy')
  }

  async stop (): Promise<void> {
    this.stopStorm()
    this.group.close()
    await Promise.all(this.workers.map((w) => w.close()))
  }
}
