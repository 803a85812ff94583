/**
 * The simulated Connect cluster's shared state: the worker group (members, leader, rebalances),
 * the connectors with their connector/task state machines, offsets, and the faults injected into
 * them. It knows nothing of HTTP: operations throw ConnectRestError with the exact status and
 * message a real worker answers, and the worker listeners (worker.ts) turn those into responses.
 */
import { SteadfastError } from '../../resilience/errors.ts'
import { findConnectorPlugin, validateConfig, type PluginInfo } from './plugins.ts'

export type InstanceState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED'
export type TargetState = 'RUNNING' | 'PAUSED' | 'STOPPED'

/** A REST error as Connect answers it: `{"error_code": status, "message": message}`. */
export class ConnectRestError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_CONNECT_SIM'
  readonly status: number
  constructor (status: number, message: string) {
    super(message, { action: 'fatal', reason: `http-${status}` })
    this.status = status
  }
}

export const MESSAGES = {
  stale: 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)',
  noLeader: 'Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.',
  conflicting: 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
  rebalanceExpected: 'Request cannot be completed because a rebalance is expected',
  alreadyExists: (name: string) => `Connector ${name} already exists`,
  notFound: (name: string) => `Connector ${name} not found`,
  unknownConnector: (name: string) => `Unknown connector ${name}`,
  notStopped: (name: string) => `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
}

/**
 * Why the group rebalances. `config`: a connector was created or deleted; as on a real worker,
 * writes wait for such a rebalance (in the herder's request queue) instead of being refused.
 * `fault`: everything else the simulator starts (a worker joining or leaving, `rebalance()`,
 * storms), whose writes meet the 409s of incident 1.
 */
export type RebalanceCause = 'config' | 'fault'

export interface Instance {
  state: InstanceState
  workerId: string
  trace?: string
}

export interface TaskInstance extends Instance { id: number }

export interface OffsetEntry { partition: Record<string, unknown>, offset: Record<string, unknown> }

/** An alter-offsets entry: a null offset removes the partition's offset. */
export interface OffsetChange { partition: Record<string, unknown>, offset: Record<string, unknown> | null }

export interface SimConnector {
  name: string
  config: Record<string, string>
  plugin: PluginInfo
  target: TargetState
  connector: Instance
  tasks: TaskInstance[]
  offsets: OffsetEntry[]
}

export interface GroupOptions {
  /** How long one rebalance lasts, in ms (0: rebalances complete at once). */
  rebalanceMs: number
  /** How long a restarted connector or task shows RESTARTING, in ms. */
  restartMs: number
  /** Eager rebalancing restarts every connector and task, FAILED ones included. */
  eagerRebalance: boolean
  /** Most tasks one connector runs, whatever its tasks.max (a connector may generate fewer tasks than tasks.max). */
  maxTasksPerConnector: number
}

export interface StatusBody {
  name: string
  connector: { state: InstanceState, worker_id: string, trace?: string }
  tasks: Array<{ id: number, state: InstanceState, worker_id: string, trace?: string }>
  type: 'source' | 'sink'
}

const failureTrace = (what: string): string =>
  `org.apache.kafka.connect.errors.ConnectException: ${what}\n\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:202)\n\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:259)\n`

export class ConnectGroup {
  readonly options: GroupOptions
  readonly connectors = new Map<string, SimConnector>()
  #members: string[] = []
  #leader: string | undefined
  #rebalancing = false
  #cause: RebalanceCause | undefined
  #settledWaiters: Array<() => void> = []
  #rebalanceEndsAt = 0
  #rebalanceTimer: ReturnType<typeof setTimeout> | undefined
  #timers = new Set<ReturnType<typeof setTimeout>>()
  #rebalances = 0

  constructor (options: GroupOptions) {
    this.options = options
  }

  get members (): readonly string[] { return this.#members }
  get leader (): string | undefined { return this.#leader }
  get rebalancing (): boolean { return this.#rebalancing }
  /** Why the running rebalance started (a fault outranks a config change); undefined when settled. */
  get rebalanceCause (): RebalanceCause | undefined { return this.#cause }

  /** Resolves when no rebalance is running (at once when none is). */
  async settled (): Promise<void> {
    if (!this.#rebalancing) return
    await new Promise<void>((resolve) => { this.#settledWaiters.push(resolve) })
  }

  /** Completed rebalances since start. */
  get rebalances (): number { return this.#rebalances }

  /** A worker joins: the group rebalances; the first member becomes leader at once. */
  join (workerId: string): void {
    this.#members.push(workerId)
    if (this.#members.length === 1) { this.#leader = workerId; return }
    this.startRebalance()
  }

  /**
   * A worker leaves; when it was the leader, no leader is known until the rebalance completes. As
   * a real worker does when it stops, it reports what it ran UNASSIGNED; the rebalance restarts
   * those instances on the workers left.
   */
  leave (workerId: string): void {
    this.#members = this.#members.filter((m) => m !== workerId)
    for (const c of this.connectors.values()) {
      for (const i of [c.connector, ...c.tasks]) {
        if (i.workerId !== workerId) continue
        i.state = 'UNASSIGNED'
        delete i.trace
      }
    }
    if (this.#leader === workerId) this.#leader = undefined
    this.startRebalance()
  }

  /** Starts a rebalance, or extends the running one, lasting `ms` from now. */
  startRebalance (ms: number = this.options.rebalanceMs, cause: RebalanceCause = 'fault'): void {
    const endsAt = Date.now() + ms
    if (ms <= 0 && !this.#rebalancing) { this.#completeRebalance(); return }
    this.#cause = this.#cause === 'fault' ? 'fault' : cause
    this.#rebalancing = true
    if (endsAt <= this.#rebalanceEndsAt && this.#rebalanceTimer !== undefined) return
    this.#rebalanceEndsAt = endsAt
    clearTimeout(this.#rebalanceTimer)
    this.#rebalanceTimer = setTimeout(() => { this.#rebalanceTimer = undefined; this.#completeRebalance() }, ms)
  }

  /** Completes a pending rebalance now (the simulator's start-up, tests that want a settled group). */
  finishRebalance (): void {
    clearTimeout(this.#rebalanceTimer)
    this.#rebalanceTimer = undefined
    this.#completeRebalance()
  }

  #completeRebalance (): void {
    this.#rebalancing = false
    this.#cause = undefined
    this.#rebalanceEndsAt = 0
    for (const resolve of this.#settledWaiters.splice(0)) resolve()
    this.#rebalances++
    if (this.#leader === undefined || !this.#members.includes(this.#leader)) this.#leader = this.#members[0]
    let slot = 0
    const nextWorker = (): string => this.#members.length === 0 ? '' : this.#members[slot++ % this.#members.length] ?? ''
    for (const c of this.connectors.values()) {
      c.connector.workerId = nextWorker()
      for (const t of c.tasks) t.workerId = nextWorker()
      const restart = (i: Instance): boolean => i.state === 'UNASSIGNED' || i.state === 'RESTARTING' ||
        (this.options.eagerRebalance && i.state === 'FAILED')
      if (restart(c.connector)) this.#settleConnector(c)
      this.#settleTasks(c, restart)
    }
  }

  #settleConnector (c: SimConnector): void {
    c.connector.state = c.target
    delete c.connector.trace
  }

  /** Brings tasks to the target state: creates or drops tasks to match tasks.max, restarts those selected. */
  #settleTasks (c: SimConnector, restart: (task: TaskInstance) => boolean): void {
    if (c.target === 'STOPPED' || c.connector.state === 'UNASSIGNED') {
      if (c.target === 'STOPPED') c.tasks = []
      return
    }
    // tasks.max is an upper bound, not a count: like a real connector generating fewer task
    // configs, the simulator runs at most maxTasksPerConnector, so no tasks.max can exhaust it.
    const wanted = Math.min(Number(c.config['tasks.max'] ?? '1'), this.options.maxTasksPerConnector)
    c.tasks = c.tasks.slice(0, wanted)
    for (let id = c.tasks.length; id < wanted; id++) {
      c.tasks.push({ id, state: 'UNASSIGNED', workerId: this.#members[id % Math.max(1, this.#members.length)] ?? '' })
    }
    for (const t of c.tasks) {
      if (t.state === 'UNASSIGNED' || restart(t)) {
        t.state = c.target === 'PAUSED' ? 'PAUSED' : 'RUNNING'
        delete t.trace
      } else if (t.state !== 'FAILED') {
        t.state = c.target === 'PAUSED' ? 'PAUSED' : 'RUNNING'
      }
    }
  }

  #later (ms: number, fn: () => void): void {
    const timer = setTimeout(() => { this.#timers.delete(timer); fn() }, ms)
    this.#timers.add(timer)
  }

  /** Stops every timer and lets held writes go; the group is unusable afterwards. */
  close (): void {
    for (const resolve of this.#settledWaiters.splice(0)) resolve()
    clearTimeout(this.#rebalanceTimer)
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
  }

  get (name: string): SimConnector {
    const c = this.connectors.get(name)
    if (c === undefined) throw new ConnectRestError(404, MESSAGES.notFound(name))
    return c
  }

  /** The 400 a worker answers for an invalid config, or the resolved plugin. */
  #validate (config: Record<string, string>): PluginInfo {
    const plugin = findConnectorPlugin(config['connector.class'] ?? '')
    const errors = [...validateConfig(plugin, config).values()].flat()
    if (errors.length > 0 || plugin === undefined) {
      throw new ConnectRestError(400, `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\n` +
        'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`')
    }
    return plugin
  }

  create (name: string, config: Record<string, string>, initialState: TargetState = 'RUNNING'): SimConnector {
    if (this.connectors.has(name)) throw new ConnectRestError(409, MESSAGES.alreadyExists(name))
    const full = { ...config, name }
    const plugin = this.#validate(full)
    const c: SimConnector = {
      name,
      config: full,
      plugin,
      target: initialState,
      connector: { state: 'UNASSIGNED', workerId: '' },
      tasks: [],
      offsets: [],
    }
    this.connectors.set(name, c)
    this.startRebalance(this.options.rebalanceMs, 'config')
    return c
  }

  /** PUT config: creates (true) or replaces (false) the config; an update restarts the connector and its tasks. */
  putConfig (name: string, config: Record<string, string>): boolean {
    if (config.name !== undefined && config.name !== name) {
      throw new ConnectRestError(400, `Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`)
    }
    const existing = this.connectors.get(name)
    if (existing === undefined) { this.create(name, config); return true }
    const full = { ...config, name }
    existing.plugin = this.#validate(full)
    existing.config = full
    if (existing.connector.state !== 'UNASSIGNED') {
      this.#settleConnector(existing)
      this.#settleTasks(existing, () => true)
    }
    return false
  }

  patchConfig (name: string, patch: Record<string, string | null>): SimConnector {
    const c = this.get(name)
    const next: Record<string, string> = { ...c.config }
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k]
      else next[k] = v
    }
    this.putConfig(name, next)
    return c
  }

  delete (name: string): void {
    this.get(name)
    this.connectors.delete(name)
    this.startRebalance(this.options.rebalanceMs, 'config')
  }

  /** Pause and resume never conflict: they write the target state directly. */
  setTarget (name: string, target: TargetState): void {
    const c = this.connectors.get(name)
    if (c === undefined) throw new ConnectRestError(404, MESSAGES.unknownConnector(name))
    c.target = target
    if (c.connector.state === 'UNASSIGNED') return
    if (c.connector.state !== 'FAILED') this.#settleConnector(c)
    this.#settleTasks(c, () => false)
  }

  stop (name: string): void {
    const c = this.get(name)
    c.target = 'STOPPED'
    if (c.connector.state === 'UNASSIGNED') return
    this.#settleConnector(c)
    c.tasks = []
  }

  /** Restart as Connect does it: true when answered 204 (plain restart), false for 202 (body shows RESTARTING). */
  restart (name: string, includeTasks: boolean, onlyFailed: boolean): boolean {
    const c = this.get(name)
    if (!includeTasks && !onlyFailed) {
      if (c.connector.state !== 'UNASSIGNED') this.#settleConnector(c)
      return true
    }
    const pick = (i: Instance): boolean => !onlyFailed || i.state === 'FAILED'
    const connector = pick(c.connector)
    const tasks = includeTasks ? c.tasks.filter(pick) : []
    if (connector) c.connector.state = 'RESTARTING'
    for (const t of tasks) t.state = 'RESTARTING'
    this.#later(this.options.restartMs, () => {
      if (this.connectors.get(name) !== c) return
      if (connector && c.connector.state === 'RESTARTING') this.#settleConnector(c)
      this.#settleTasks(c, (t) => t.state === 'RESTARTING')
    })
    return false
  }

  restartTask (name: string, id: number): void {
    const c = this.get(name)
    const t = c.tasks.find((task) => task.id === id)
    if (t === undefined) throw new ConnectRestError(404, `Task ${name}-${id} not found`)
    t.state = c.target === 'PAUSED' ? 'PAUSED' : 'RUNNING'
    delete t.trace
  }

  alterOffsets (name: string, changes: OffsetChange[]): void {
    const c = this.#stopped(name)
    for (const { partition, offset } of changes) {
      const key = JSON.stringify(partition)
      c.offsets = c.offsets.filter((o) => JSON.stringify(o.partition) !== key)
      if (offset !== null) c.offsets.push({ partition, offset })
    }
  }

  resetOffsets (name: string): void {
    this.#stopped(name).offsets = []
  }

  #stopped (name: string): SimConnector {
    const c = this.get(name)
    if (c.target !== 'STOPPED' || c.connector.state !== 'STOPPED') throw new ConnectRestError(400, MESSAGES.notStopped(name))
    return c
  }

  /** Fault: a task fails with a stack trace, as a connector throwing in poll()/put() would. */
  failTask (name: string, id: number, reason = 'injected task failure'): void {
    const c = this.get(name)
    const t = c.tasks.find((task) => task.id === id)
    if (t === undefined) throw new ConnectRestError(404, `Task ${name}-${id} not found`)
    t.state = 'FAILED'
    t.trace = failureTrace(reason)
  }

  failConnector (name: string, reason = 'injected connector failure'): void {
    const c = this.get(name)
    c.connector.state = 'FAILED'
    c.connector.trace = failureTrace(reason)
  }

  status (c: SimConnector): StatusBody {
    const instance = (i: Instance): { state: InstanceState, worker_id: string, trace?: string } =>
      i.trace === undefined ? { state: i.state, worker_id: i.workerId } : { state: i.state, worker_id: i.workerId, trace: i.trace }
    return {
      name: c.name,
      connector: instance(c.connector),
      tasks: c.tasks.map((t) => ({ id: t.id, ...instance(t) })),
      type: c.plugin.type === 'sink' ? 'sink' : 'source',
    }
  }

  info (c: SimConnector): { name: string, config: Record<string, string>, tasks: Array<{ connector: string, task: number }>, type: string } {
    return { name: c.name, config: { ...c.config }, tasks: c.tasks.map((t) => ({ connector: c.name, task: t.id })), type: c.plugin.type }
  }
}
