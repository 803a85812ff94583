/**
 * Makes a Connect cluster match declared connectors. One pass reads the whole cluster in one
 * request (`GET /connectors?expand=status&expand=info`, which never conflicts with a rebalance),
 * decides per connector what to do (create, update on real config drift, change state,
 * auto-restart, delete what it manages and no longer declares), and does it. All writes to one
 * connector go through a per-connector lock, so there is never more than one in-flight write per
 * connector, from a pass or from an on-demand call (restart, offsets); connectors are handled in
 * parallel up to `concurrency`. Rebalance conflicts are ridden out by the client's retries; what
 * still fails is reported in that connector's condition and retried on the next pass.
 */
import { setMaxListeners } from 'node:events'
import type { Logger } from '../observability/logger.ts'
import { Bulkhead } from '../resilience/bulkhead.ts'
import { sleep, systemClock, type Clock } from '../resilience/clock.ts'
import { AbortedError, DeadlineExceededError, InvalidArgumentError } from '../resilience/errors.ts'
import { KeyedSerial } from '../resilience/keyed-serial.ts'
import { linkSignals } from '../resilience/link-signals.ts'
import type { ConnectClient } from './client.ts'
import { assess, type Condition } from './conditions.ts'
import { isAlreadyExists, isAlreadyGone, isRefusedCreate } from './faults.ts'
import { desiredConfig, targetState, type ConnectorManifest } from './manifest.ts'
import { MemoryOwnershipStore, type OwnershipState, type OwnershipStore } from './ownership.ts'
import { DEFAULT_REBALANCE_GRACE_MS, RebalanceGrace, type GraceBook } from './rebalance-grace.ts'
import { diffConfig, type PlanAction } from './plan.ts'
import type { ConnectorOffsetChange, ConnectorStatus, ExpandedConnector, RestartResult } from './types.ts'

const MINUTE = 60_000

/** Minutes to wait before the auto-restart that follows `done` earlier ones: min(n² + n, 60). */
export function autoRestartDelayMinutes (done: number): number {
  return Math.min(done * done + done, 60)
}

export interface ReconcilerOptions {
  client: ConnectClient
  /** Ownership ledger and restart bookkeeping (default: in memory). */
  store?: OwnershipStore
  /** Connectors handled at once (default 8). */
  concurrency?: number
  /** Delete managed connectors that are no longer declared (default true). */
  prune?: boolean
  /** Also delete connectors steadfast did not create when they are not declared (default false). */
  pruneUnmanaged?: boolean
  /**
   * Accept an empty list of manifests while pruning (default false). An empty manifest directory
   * is more often a mistake (wrong path, files not yet written) than a wish to delete everything.
   */
  allowEmpty?: boolean
  /**
   * How long a Ready connector that a worker-group rebalance is moving (Connect reports it
   * UNASSIGNED or RESTARTING) stays Ready, with reason Reassigning, before it is NotReady (default
   * 60 s; 0 shows Connect's state at once). See rebalance-grace.ts.
   */
  rebalanceGraceMs?: number
  /** Told just before a delete is sent (the agent's event list shows it before and after). */
  onDeleting?: (name: string, managed: boolean) => void
  /** Drives the auto-restart schedule, the rebalance grace and the waits between passes; tests pass a fake. */
  clock?: Clock
  logger?: Logger
}

export interface ConnectorReport {
  name: string
  managed: boolean
  /** What this pass did (or, for a plan, would do). */
  actions: PlanAction[]
  condition: Condition
}

export interface ReconcileResult {
  connectors: ConnectorReport[]
  /** Connectors deleted (or, for a plan, to delete). */
  deleted: string[]
  /** Present in Connect, not declared, not created by steadfast: left alone. */
  unmanaged: string[]
  /**
   * True when every declared connector is Ready and nothing was left to do. Ready includes Ready
   * with reason Reassigning (Strimzi's meaning: nothing is wrong while a worker-group rebalance
   * moves it), so a connector being moved counts.
   */
  ready: boolean
  /** Connectors shown Ready with reason Reassigning: some instance is UNASSIGNED or RESTARTING. */
  reassigning: number
  /**
   * True when `ready` and none is reassigning: every connector and task is in its declared state
   * (RUNNING, PAUSED or STOPPED). `converge` (and `connect apply --wait`) waits for this.
   */
  settled: boolean
}

/** A plan: the pass's result as it would be, and every action in order, deletes last. */
export interface Plan extends ReconcileResult {
  actions: PlanAction[]
}

export interface PassOptions { signal?: AbortSignal }

/** What a pass can do to a declared connector (deletes concern undeclared ones). */
type ConnectorAction = Exclude<PlanAction, { type: 'delete' }>

/**
 * Bookkeeping a pass decided on: `reconcile` writes it to the ledger, `plan` only reports, so a
 * dry run never changes local state.
 */
interface LedgerChanges {
  /** Managed connectors that are gone from Connect and no longer declared. */
  forget: string[]
  /** Connectors healthy for a whole interval since their last auto-restart: the count starts over. */
  resetRestarts: string[]
  /** Pending creates that did reach Connect: now managed. */
  adopt: string[]
  /** Pending creates that did not: the mark goes. */
  dropPending: string[]
}

interface Outlook {
  decisions: Decision[]
  deletes: Array<Extract<PlanAction, { type: 'delete' }>>
  unmanaged: string[]
  ledger: LedgerChanges
}

interface Decision {
  manifest: ConnectorManifest
  observed: ExpandedConnector | undefined
  actions: ConnectorAction[]
  /** Set when auto-restart is enabled but has used all of maxRestarts. */
  exhausted?: number
  nextRestartAt?: number
}

export class Reconciler {
  readonly client: ConnectClient
  #store: OwnershipStore
  #state: OwnershipState | undefined
  /** Ledger saves, one at a time, in order. */
  #saving = new KeyedSerial<'ledger'>()
  #bulkhead: Bulkhead
  #prune: boolean
  #pruneUnmanaged: boolean
  #allowEmpty: boolean
  #clock: Clock
  #logger: Logger
  #grace: RebalanceGrace
  #onDeleting: ((name: string, managed: boolean) => void) | undefined
  /** Writes per connector, one at a time. */
  #locks = new KeyedSerial<string>()
  /** Passes, one at a time. */
  #passes = new KeyedSerial<'pass'>()

  constructor (options: ReconcilerOptions) {
    this.client = options.client
    this.#store = options.store ?? new MemoryOwnershipStore()
    const concurrency = options.concurrency ?? 8
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError(`reconciler: concurrency must be an integer >= 1, got ${concurrency}`)
    this.#bulkhead = new Bulkhead({ name: 'connect-reconciler', maxConcurrent: concurrency })
    this.#prune = options.prune ?? true
    this.#pruneUnmanaged = options.pruneUnmanaged ?? false
    this.#allowEmpty = options.allowEmpty ?? false
    this.#clock = options.clock ?? systemClock
    this.#grace = new RebalanceGrace(options.rebalanceGraceMs ?? DEFAULT_REBALANCE_GRACE_MS)
    this.#onDeleting = options.onDeleting
    this.#logger = (options.logger ?? this.client.transport.baseLogger).child({ component: 'connect-reconciler' })
  }

  /** How long a Ready connector being moved by a worker rebalance stays Ready (Reassigning). */
  get rebalanceGraceMs (): number { return this.#grace.graceMs }

  /** What a pass would do now, without doing it. */
  async plan (manifests: ConnectorManifest[], options: PassOptions = {}): Promise<Plan> {
    return await this.#serial(options, async (pass) => {
      const { decisions, deletes, unmanaged, ledger } = await this.#decide(manifests, pass)
      const now = this.#clock.now()
      const book = structuredClone(this.#ledger.grace)
      const conditions = decisions.map((d) => this.#judge(book, d, conditionOf(d), now))
      const connectors = decisions.map((d, i) => ({ name: d.manifest.name, managed: this.#managed(d.manifest.name) || ledger.adopt.includes(d.manifest.name), actions: d.actions, condition: conditions[i] as Condition }))
      return {
        ...summary(connectors, deletes.map((d) => d.name), unmanaged, deletes.length),
        actions: [...decisions.flatMap((d) => d.actions), ...deletes],
      }
    })
  }

  /** One pass: reads the cluster, acts, and reports a condition per declared connector. */
  async reconcile (manifests: ConnectorManifest[], options: PassOptions = {}): Promise<ReconcileResult> {
    return await this.#serial(options, async (pass) => {
      const { decisions, deletes, unmanaged, ledger } = await this.#decide(manifests, pass)
      await this.#commit(ledger)
      const reports = await Promise.all(decisions.map((d) => this.#bulkhead.run(() => this.#withLock(d.manifest.name, () => this.#apply(d, pass)))))
      await this.#judgeAll(decisions, reports, new Set(manifests.map((m) => m.name)))
      const deleted: string[] = []
      await Promise.all(deletes.map((a) => this.#bulkhead.run(() => this.#withLock(a.name, async () => {
        if (await this.#delete(a, pass)) deleted.push(a.name)
      }))))
      return summary(reports, deleted.sort(), unmanaged, deletes.length)
    })
  }

  /**
   * Passes until the result is `settled` (every declared connector Ready and none being moved by a
   * worker-group rebalance), `timeoutMs` passes, or `signal` aborts; answers the last pass's result
   * (with `settled` false when it did not converge).
   */
  async converge (manifests: ConnectorManifest[], options: PassOptions & { timeoutMs?: number, intervalMs?: number } = {}): Promise<ReconcileResult> {
    const controller = linkSignals(options.signal)
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new DeadlineExceededError(`connect converge: not ready within ${options.timeoutMs} ms`, { attempts: 0, elapsedMs: options.timeoutMs ?? 0 })), options.timeoutMs)
    let last: ReconcileResult | undefined
    try {
      for (;;) {
        try {
          last = await this.reconcile(manifests, { signal: controller.signal })
        } catch (error) {
          if (controller.signal.aborted && last !== undefined) return last
          throw error
        }
        if (last.settled || controller.signal.aborted) return last
        try {
          await sleep(this.#clock, options.intervalMs ?? 1_000, controller.signal)
        } catch {
          return last
        }
      }
    } finally {
      clearTimeout(timer)
      controller.unlink()
    }
  }

  /** Restart on request: the connector, and with `includeTasks` its (failed, with `onlyFailed`) tasks. */
  restartConnector (name: string, flags: { includeTasks?: boolean, onlyFailed?: boolean } = {}, options: PassOptions = {}): Promise<RestartResult> {
    return this.#withLock(name, () => this.client.restartConnector(name, flags, options))
  }

  restartTask (name: string, task: number, options: PassOptions = {}): Promise<RestartResult> {
    return this.#withLock(name, () => this.client.restartTask(name, task, options))
  }

  /** Alters offsets; with `stopFirst`, stops the connector and waits for STOPPED before. */
  alterOffsets (name: string, offsets: ConnectorOffsetChange[], options: PassOptions & { stopFirst?: boolean } = {}): Promise<string> {
    return this.#withLock(name, async () => {
      if (options.stopFirst === true) await this.#stopAndWait(name, options)
      return await this.client.alterOffsets(name, offsets, options)
    })
  }

  /** Resets offsets; with `stopFirst`, stops the connector and waits for STOPPED before. */
  resetOffsets (name: string, options: PassOptions & { stopFirst?: boolean } = {}): Promise<string> {
    return this.#withLock(name, async () => {
      if (options.stopFirst === true) await this.#stopAndWait(name, options)
      return await this.client.resetOffsets(name, options)
    })
  }

  async #stopAndWait (name: string, options: PassOptions): Promise<void> {
    if ((await this.client.getConnectorStatus(name, options)).connector.state === 'STOPPED') return
    await this.client.stopConnector(name, options)
    const deadline = this.#clock.now() + (this.client.transport.policy.deadlineMs ?? 60_000)
    for (;;) {
      const status = await this.client.getConnectorStatus(name, options)
      if (status.connector.state === 'STOPPED') return
      if (this.#clock.now() >= deadline) {
        throw new DeadlineExceededError(`connect: ${name} did not reach STOPPED (still ${status.connector.state})`, { attempts: 0, elapsedMs: this.client.transport.policy.deadlineMs ?? 60_000 })
      }
      await sleep(this.#clock, 100, options.signal)
    }
  }

  /**
   * Passes never overlap: a second caller waits for the running pass. The pass gets its own
   * signal, following the caller's, because every concurrent request listens on it.
   */
  #serial<T> (options: PassOptions, fn: (options: PassOptions) => Promise<T>): Promise<T> {
    return this.#passes.run('pass', async () => {
      if (options.signal === undefined) return await fn(options)
      const pass = linkSignals(options.signal)
      setMaxListeners(0, pass.signal)
      try {
        return await fn({ signal: pass.signal })
      } finally {
        pass.unlink()
      }
    })
  }

  /** The condition shown: Connect's, or Ready (Reassigning) while a rebalance moves a Ready connector. */
  #judge (book: GraceBook, d: Decision, condition: Condition, now: number): Condition {
    return this.#grace.judge(book, d.manifest.name, d.manifest.state, d.observed?.status, condition, now)
  }

  /** Judges a pass's reports; what the grace now remembers is saved with the ledger when it changed. */
  async #judgeAll (decisions: Decision[], reports: ConnectorReport[], declared: ReadonlySet<string>): Promise<void> {
    const book = this.#ledger.grace
    const before = JSON.stringify(book)
    const now = this.#clock.now()
    for (const [i, r] of reports.entries()) r.condition = this.#judge(book, decisions[i] as Decision, r.condition, now)
    this.#grace.retain(book, declared)
    if (JSON.stringify(book) !== before) await this.#persist()
  }

  #withLock<T> (name: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(name, fn)
  }

  async #loadState (options: PassOptions): Promise<OwnershipState> {
    if (this.#state !== undefined) return this.#state
    const state = await this.#store.load()
    const { kafka_cluster_id: clusterId } = await this.client.serverInfo(options)
    if (state.clusterId !== undefined && state.clusterId !== clusterId) {
      throw new InvalidArgumentError(`connect state: the ownership ledger belongs to Kafka cluster ${state.clusterId}, but the Connect cluster at ${this.client.transport.urls.join(', ')} uses ${clusterId}; use the ledger of that cluster`)
    }
    state.clusterId = clusterId
    this.#state = state
    return state
  }

  #managed (name: string): boolean {
    return this.#state?.managed[name] !== undefined
  }

  /** Saves the ledger after each change, one save at a time, in order. */
  #persist (): Promise<void> {
    const snapshot = structuredClone(this.#ledger)
    return this.#saving.run('ledger', async () => { await this.#store.save(snapshot) })
  }

  /** Reads the cluster and decides; changes nothing, neither in Connect nor in the ledger. */
  async #decide (manifests: ConnectorManifest[], options: PassOptions): Promise<Outlook> {
    if (manifests.length === 0 && (this.#prune || this.#pruneUnmanaged) && !this.#allowEmpty) {
      throw new InvalidArgumentError('reconciler: no connectors are declared, so a pass would delete every connector it manages; pass allowEmpty (--allow-empty) if that is intended')
    }
    const names = new Set<string>()
    for (const m of manifests) {
      if (names.has(m.name)) throw new InvalidArgumentError(`reconciler: connector ${m.name} is declared twice`)
      names.add(m.name)
    }
    const state = await this.#loadState(options)
    const observed = await this.client.listConnectorsExpanded({ status: true, info: true }, options)
    const now = this.#clock.now()
    const ledger: LedgerChanges = { forget: [], resetRestarts: [], adopt: [], dropPending: [] }
    for (const name of Object.keys(state.pending).sort()) (observed[name] === undefined ? ledger.dropPending : ledger.adopt).push(name)
    const decisions = manifests.map((m) => this.#decideOne(m, observed[m.name], state, now, ledger))
    const deletes: Array<Extract<PlanAction, { type: 'delete' }>> = []
    const unmanaged: string[] = []
    for (const name of Object.keys(observed).sort()) {
      if (names.has(name)) continue
      const managed = state.managed[name] !== undefined || ledger.adopt.includes(name)
      if ((managed && this.#prune) || (!managed && this.#pruneUnmanaged)) deletes.push({ type: 'delete', name, managed })
      else if (!managed) unmanaged.push(name)
    }
    for (const name of Object.keys(state.managed)) {
      if (observed[name] === undefined && !names.has(name)) ledger.forget.push(name)
    }
    return { decisions, deletes, unmanaged, ledger }
  }

  /** Writes what #decide found to the ledger (reconcile only). */
  async #commit (changes: LedgerChanges): Promise<void> {
    const ledger = this.#ledger
    for (const name of changes.forget) {
      delete ledger.managed[name]
      delete ledger.restarts[name]
      delete ledger.grace[name]
    }
    for (const name of changes.resetRestarts) delete ledger.restarts[name]
    for (const name of changes.adopt) {
      ledger.managed[name] = { createdAt: ledger.pending[name]?.requestedAt ?? Date.now() }
      this.#logger.info({ connector: name }, `adopted connector ${name}: its create reached Connect although the answer was lost`)
    }
    for (const name of [...changes.adopt, ...changes.dropPending]) delete ledger.pending[name]
    if (Object.values(changes).some((names) => names.length > 0)) await this.#persist()
  }

  #decideOne (m: ConnectorManifest, observed: ExpandedConnector | undefined, state: OwnershipState, now: number, ledger: LedgerChanges): Decision {
    const target = targetState(m.state)
    const desired = desiredConfig(m)
    if (observed?.info === undefined || observed.status === undefined) {
      return { manifest: m, observed, actions: [{ type: 'create', name: m.name, config: desired, state: target }] }
    }
    const actions: ConnectorAction[] = []
    const changes = diffConfig(observed.info.config, desired)
    if (changes.length > 0) actions.push({ type: 'update', name: m.name, changes, config: desired })
    const current = observed.status.connector.state
    const move = (target === 'STOPPED' && current !== 'STOPPED') ||
      (target === 'PAUSED' && (current === 'RUNNING' || current === 'STOPPED')) ||
      (target === 'RUNNING' && (current === 'PAUSED' || current === 'STOPPED'))
    if (move) actions.push({ type: 'state', name: m.name, from: current, to: target })
    const decision: Decision = { manifest: m, observed, actions }
    if (!move && target === 'RUNNING' && m.autoRestart.enabled) this.#autoRestart(decision, observed.status, state, now, ledger)
    return decision
  }

  /** Strimzi's schedule: restart n+1 after min(n² + n, 60) minutes; the count resets after a healthy interval. */
  #autoRestart (d: Decision, status: ConnectorStatus, state: OwnershipState, now: number, ledger: LedgerChanges): void {
    const name = d.manifest.name
    const book = state.restarts[name]
    const done = book?.count ?? 0
    const failedTasks = status.tasks.filter((t) => t.state === 'FAILED').map((t) => t.id)
    const connectorFailed = status.connector.state === 'FAILED'
    const dueAt = book === undefined ? now : book.lastAt + autoRestartDelayMinutes(done) * MINUTE
    if (!connectorFailed && failedTasks.length === 0) {
      if (book !== undefined && now >= dueAt) ledger.resetRestarts.push(name)
      return
    }
    const max = d.manifest.autoRestart.maxRestarts
    if (max !== undefined && done >= max) { d.exhausted = done; return }
    if (now < dueAt) { d.nextRestartAt = dueAt; return }
    d.actions.push({ type: 'restart', name, restart: done + 1, connectorFailed, failedTasks })
  }

  async #apply (d: Decision, options: PassOptions): Promise<ConnectorReport> {
    const name = d.manifest.name
    const done: PlanAction[] = []
    try {
      for (const action of d.actions) {
        await this.#act(action, options)
        done.push(action)
      }
    } catch (error) {
      if (error instanceof AbortedError || options.signal?.aborted === true) throw error
      const message = error instanceof Error ? error.message : String(error)
      this.#logger.warn({ connector: name, err: message }, `connect reconcile of ${name} failed; the next pass tries again`)
      return { name, managed: this.#managed(name), actions: done, condition: { type: 'NotReady', reason: 'Error', message } }
    }
    if (done.length > 0) {
      const what = done.map((a) => a.type).join(', ')
      return { name, managed: this.#managed(name), actions: done, condition: { type: 'NotReady', reason: 'Reconciling', message: `${what} sent; waiting for Connect to report the result` } }
    }
    return { name, managed: this.#managed(name), actions: done, condition: conditionOf(d) }
  }

  /** The ledger; #decide loads it before any action runs. */
  get #ledger (): OwnershipState {
    if (this.#state === undefined) throw new InvalidArgumentError('reconciler: the ownership ledger is not loaded yet')
    return this.#state
  }

  async #act (action: ConnectorAction, options: PassOptions): Promise<void> {
    const c = this.client
    switch (action.type) {
      case 'create': {
        // Marked before sending: if the answer is lost after Connect applied the create, the next
        // pass finds the mark and adopts the connector instead of taking it for a foreign one.
        this.#ledger.pending[action.name] = { requestedAt: Date.now() }
        await this.#persist()
        try {
          await c.createConnector({ name: action.name, config: action.config, initialState: action.state }, options)
        } catch (error) {
          if (isAlreadyExists(error)) {
            // Not a failure to show: the pending mark stays, and the next pass adopts it.
            this.#logger.info({ connector: action.name }, `connector ${action.name} already exists after a create was sent; the next pass adopts it`)
            return
          }
          if (isRefusedCreate(error)) {
            delete this.#ledger.pending[action.name]
            await this.#persist()
          }
          throw error
        }
        delete this.#ledger.pending[action.name]
        this.#ledger.managed[action.name] = { createdAt: Date.now() }
        this.#logger.info({ connector: action.name }, `created connector ${action.name}`)
        await this.#persist()
        return
      }
      case 'update':
        await c.putConnectorConfig(action.name, action.config, options)
        return
      case 'state':
        if (action.to === 'STOPPED') await c.stopConnector(action.name, options)
        else if (action.to === 'PAUSED') await c.pauseConnector(action.name, options)
        else await c.resumeConnector(action.name, options)
        return
      case 'restart': {
        const result = await c.restartConnector(action.name, { includeTasks: true, onlyFailed: true }, options)
        this.#ledger.restarts[action.name] = { count: action.restart, lastAt: this.#clock.now() }
        this.#logger.info({ connector: action.name, restart: action.restart, outcome: result.outcome }, `auto-restarted connector ${action.name} (#${action.restart}, ${result.outcome})`)
        await this.#persist()
      }
    }
  }

  async #delete (action: Extract<PlanAction, { type: 'delete' }>, options: PassOptions): Promise<boolean> {
    this.#onDeleting?.(action.name, action.managed)
    try {
      await this.client.deleteConnector(action.name, options)
    } catch (error) {
      if (!isAlreadyGone(error)) {
        if (error instanceof AbortedError || options.signal?.aborted === true) throw error
        this.#logger.warn({ connector: action.name, err: (error as Error).message }, `connect delete of ${action.name} failed; the next pass tries again`)
        return false
      }
    }
    delete this.#ledger.managed[action.name]
    delete this.#ledger.restarts[action.name]
    this.#logger.info({ connector: action.name, managed: action.managed }, `deleted connector ${action.name}`)
    await this.#persist()
    return true
  }
}

/** A pass's result; `deletes` counts the deletes decided (a failed one leaves the pass not ready). */
function summary (connectors: ConnectorReport[], deleted: string[], unmanaged: string[], deletes: number): ReconcileResult {
  const ready = deletes === 0 && connectors.every((r) => r.actions.length === 0 && r.condition.type === 'Ready')
  const reassigning = connectors.filter((r) => r.condition.type === 'Ready' && r.condition.reason === 'Reassigning').length
  return { connectors, deleted, unmanaged, ready, reassigning, settled: ready && reassigning === 0 }
}

function conditionOf (d: Decision): Condition {
  const base = assess(d.manifest.state, d.observed?.status)
  if (base.type === 'Ready') return base
  if (d.exhausted !== undefined) return { ...base, message: `${base.message ?? ''} (auto-restart gave up after ${d.exhausted} restart(s))` }
  if (d.nextRestartAt !== undefined) return { ...base, message: `${base.message ?? ''} (next auto-restart at ${new Date(d.nextRestartAt).toISOString()})` }
  return base
}
