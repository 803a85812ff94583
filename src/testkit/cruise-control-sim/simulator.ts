/**
 * A Cruise Control REST simulator on node:http, faithful to the behaviour in the Cruise Control
 * reference: the user-task manager and its capacity 500, User-Task-ID polling, 202 with progress
 * while an async operation runs, proposals computed from a cluster model, executions that advance
 * over time, NotEnoughValidWindows during a warm-up, and restarts that forget every task. It
 * records what it saw (requests, the largest number in flight at once) so tests can assert on it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { ClusterModel, type ClusterSpec, type Plan } from './cluster-model.ts'
import { ENDPOINTS, type EndpointSpec } from './endpoints.ts'
import { Executor } from './executor.ts'
import {
  DEFAULT_GOALS, badRequest, clusterStateBody, errorBody, loadBody, optimizationBody, partitionLoadBody,
  processingError, progressBody,
} from './responses.ts'
import { CapacityExceeded, UserTaskManager, type TaskResponse, type UserTask } from './user-task-manager.ts'

export interface CruiseControlSimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  /** max.active.user.tasks. Default 5. */
  maxActiveUserTasks?: number
  /** How often finished tasks leave the active set. Default 5000 ms, as in Cruise Control. */
  scanIntervalMs?: number
  /** webserver.request.maxBlockTimeMs: how long an async request waits before answering 202. Default 10000 ms. */
  maxBlockTimeMs?: number
  /** How long computing a proposal takes. Default 200 ms. */
  proposalComputeMs?: number
  /** Answer NotEnoughValidWindowsException for this long after start or restart. Default 0. */
  warmupMs?: number
  /** completed.user.task.retention.time.ms. Default 24 h. */
  completedRetentionMs?: number
  /** max.cached.completed.user.tasks. Default 25. */
  maxCachedCompletedTasks?: number
  /** Time between execution steps. Default 500 ms. */
  executionTickMs?: number
  /** Partition movements finished per execution step. Default 5. */
  movementsPerTick?: number
  cluster?: ClusterSpec
  /** Require HTTP basic auth with these credentials. */
  auth?: { username: string, password: string }
  /** The clock for warm-up, task start times and retention (tests pass a fake one). Default Date.now. */
  now?: () => number
}

export interface RequestRecord {
  method: string
  endpoint: string
  /** The User-Task-ID header the request carried (a poll), if any. */
  userTaskId: string | undefined
  status: number
  /** The task that answered (new or polled), if any. */
  taskId: string | undefined
}

class BadParameter extends Error {}

class NotEnoughValidWindows extends Error {
  constructor (now: number) {
    super(`There is no window available in range [-1, ${now}] (index [1, -1]). Window index (current: 0, oldest: 0).`)
    this.name = 'com.linkedin.kafka.cruisecontrol.exception.NotEnoughValidWindowsException'
  }
}

class OngoingExecution extends Error {
  constructor () {
    super('Cannot start a new execution while there is an ongoing execution. Please use stop_ongoing_execution=true to stop ongoing execution and start a new one.')
    this.name = 'java.lang.IllegalStateException'
  }
}

export interface ExecutionRecord {
  /** The task whose request started the execution. */
  userTaskId: string
  requestUrl: string
}

export class CruiseControlSimulator {
  readonly model: ClusterModel
  readonly #options: Required<Omit<CruiseControlSimulatorOptions, 'cluster' | 'auth' | 'port' | 'now'>> & Pick<CruiseControlSimulatorOptions, 'auth'>
  readonly #server: Server
  readonly #tasks: UserTaskManager
  readonly #executor: Executor
  readonly #now: () => number
  readonly #sockets = new Set<Socket>()
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  /** Requests blocked waiting for their task's answer; a restart or stop wakes them so none is left pending. */
  readonly #waiters = new Set<() => void>()
  #warmUntil = 0
  #generation = 0
  #samplingPaused = false
  #inFlight = 0
  #maxInFlight = 0
  #tasksCreated = 0
  #capacityRejections = 0
  #requests: RequestRecord[] = []
  #executions: ExecutionRecord[] = []
  #port = 0

  private constructor (options: CruiseControlSimulatorOptions) {
    this.#options = {
      maxActiveUserTasks: options.maxActiveUserTasks ?? 5,
      scanIntervalMs: options.scanIntervalMs ?? 5000,
      maxBlockTimeMs: options.maxBlockTimeMs ?? 10_000,
      proposalComputeMs: options.proposalComputeMs ?? 200,
      warmupMs: options.warmupMs ?? 0,
      completedRetentionMs: options.completedRetentionMs ?? 24 * 3_600_000,
      maxCachedCompletedTasks: options.maxCachedCompletedTasks ?? 25,
      executionTickMs: options.executionTickMs ?? 500,
      movementsPerTick: options.movementsPerTick ?? 5,
      auth: options.auth,
    }
    for (const [name, value] of Object.entries(this.#options)) {
      if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
        throw new InvalidArgumentError(`cruise-control simulator: ${name} must be a finite number >= 0, got ${value}`)
      }
    }
    if (this.#options.maxActiveUserTasks < 1 || this.#options.scanIntervalMs < 1 || this.#options.movementsPerTick < 1) {
      throw new InvalidArgumentError('cruise-control simulator: maxActiveUserTasks, scanIntervalMs and movementsPerTick must be >= 1')
    }
    this.model = new ClusterModel(options.cluster)
    this.#now = options.now ?? Date.now
    this.#tasks = new UserTaskManager({
      now: this.#now,
      maxActiveUserTasks: this.#options.maxActiveUserTasks,
      scanIntervalMs: this.#options.scanIntervalMs,
      retentionMs: this.#options.completedRetentionMs,
      maxCompleted: this.#options.maxCachedCompletedTasks,
    })
    this.#executor = new Executor(this.model, { tickMs: this.#options.executionTickMs, movementsPerTick: this.#options.movementsPerTick })
    this.#server = createServer((req, res) => { this.#handle(req, res) })
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  /** Starts a simulator listening on 127.0.0.1. */
  static async start (options: CruiseControlSimulatorOptions = {}): Promise<CruiseControlSimulator> {
    const sim = new CruiseControlSimulator(options)
    await new Promise<void>((resolve, reject) => {
      sim.#server.once('error', reject)
      sim.#server.listen(options.port ?? 0, '127.0.0.1', () => { sim.#server.off('error', reject); resolve() })
    })
    sim.#port = (sim.#server.address() as AddressInfo).port
    sim.#warmUntil = sim.#now() + sim.#options.warmupMs
    sim.#tasks.start()
    return sim
  }

  get port (): number { return this.#port }
  /** Base URL, e.g. http://127.0.0.1:40123 (the client adds /kafkacruisecontrol). */
  get url (): string { return `http://127.0.0.1:${this.#port}` }
  /** The largest number of HTTP requests that were in flight at once. */
  get maxInFlight (): number { return this.#maxInFlight }
  get inFlight (): number { return this.#inFlight }
  /** User tasks created since start (polls by User-Task-ID create none). */
  get tasksCreated (): number { return this.#tasksCreated }
  /** Requests refused with the capacity 500. */
  get capacityRejections (): number { return this.#capacityRejections }
  get requests (): readonly RequestRecord[] { return this.#requests }
  /** Every execution started since start, in order (tests count executions per request with it). */
  get executions (): readonly ExecutionRecord[] { return this.#executions }
  get activeUserTasks (): number { return this.#tasks.activeCount }
  get executing (): boolean { return this.#executor.busy }

  /**
   * Holds every execution where it is (this one and the ones started later) until released: a test
   * that needs an execution to outlive a slow step (an agent killed mid-execution) says so instead
   * of betting on the tick rate.
   */
  holdExecutions (held: boolean): void { this.#executor.hold(held) }

  /** Runs the user-task scanner now (tests that do not want to wait for the interval). */
  scan (): void { this.#tasks.scan() }

  /** Cruise Control restarts: every task is forgotten, the execution is abandoned, connections drop, warm-up starts again. */
  restart (): void {
    this.#generation++
    this.#tasks.clear()
    this.#executor.abandon()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    for (const socket of this.#sockets) socket.destroy()
    for (const wake of [...this.#waiters]) wake()
    this.#warmUntil = this.#now() + this.#options.warmupMs
  }

  async stop (): Promise<void> {
    this.#tasks.stop()
    this.#executor.abandon()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    for (const wake of [...this.#waiters]) wake()
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      for (const socket of this.#sockets) socket.destroy()
    })
  }

  #handle (req: IncomingMessage, res: ServerResponse): void {
    this.#inFlight++
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight)
    let counted = true
    const done = (): void => { if (counted) { counted = false; this.#inFlight-- } }
    res.on('close', done)
    req.resume()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const endpoint = url.pathname.replace(/^\/kafkacruisecontrol\//, '').replace(/\/+$/, '')
    const header = req.headers['user-task-id']
    const userTaskId = Array.isArray(header) ? header[0] : header
    const record: RequestRecord = { method: req.method ?? 'GET', endpoint, userTaskId, status: 0, taskId: undefined }
    this.#requests.push(record)
    this.#route(req, url, endpoint, userTaskId).then(({ response, taskId }) => {
      record.status = response.status
      record.taskId = taskId
      if (res.destroyed) return
      const headers: Record<string, string> = {
        'content-type': typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      }
      if (taskId !== undefined) headers['User-Task-ID'] = taskId
      if (response.status === 401) headers['www-authenticate'] = 'Basic realm="cruise-control"'
      res.writeHead(response.status, headers)
      res.end(typeof response.body === 'string' ? response.body : JSON.stringify(response.body))
    }, (error: unknown) => {
      record.status = 500
      if (!res.destroyed) { res.writeHead(500, { 'content-type': 'text/plain' }); res.end(String(error)) }
    })
  }

  async #route (req: IncomingMessage, url: URL, endpoint: string, userTaskId: string | undefined): Promise<{ response: TaskResponse, taskId?: string }> {
    const method = req.method ?? 'GET'
    const json = url.searchParams.get('json') === 'true'
    if (this.#options.auth !== undefined && !authorised(req, this.#options.auth)) {
      return { response: errorBody(401, 'Unauthorized', 'org.eclipse.jetty.server.Request: 401 Unauthorized', json) }
    }
    const spec = ENDPOINTS[endpoint]
    if (!url.pathname.startsWith('/kafkacruisecontrol/') || spec === undefined || spec.method !== method) {
      return { response: errorBody(404, `Unrecognized endpoint in request '${url.pathname}'`, `com.linkedin.kafka.cruisecontrol.servlet.UserRequestException: Unrecognized endpoint in request '${url.pathname}'`, json) }
    }
    const unknown = [...url.searchParams.keys()].filter((k) => !spec.params.includes(k.toLowerCase()))
    if (unknown.length > 0) {
      return { response: badRequest(method, endpoint, `Unrecognized endpoint parameters in ${endpoint} ${method} request: [${unknown.join(', ')}].`, json) }
    }
    const query = canonicalQuery(url.searchParams)

    if (userTaskId !== undefined) {
      const task = this.#tasks.get(userTaskId)
      if (task === undefined || task.endpoint !== endpoint || task.method !== method || task.query !== query) {
        return { response: processingError(method, endpoint, new Error(`Unexpected header ${userTaskId} (value: User-Task-ID) in the request.`), json) }
      }
      return { response: await this.#answerWhenReady(task, json), taskId: task.id }
    }

    let run: (task: UserTask) => TaskResponse
    try {
      run = this.#prepare(spec, endpoint, url.searchParams, json)
    } catch (error) {
      if (error instanceof BadParameter) return { response: badRequest(method, endpoint, error.message, json) }
      throw error
    }
    let task: UserTask
    try {
      task = this.#tasks.create({ method, endpoint, type: spec.type, query, clientIdentity: clientIdentity(req), operation: spec.operation })
    } catch (error) {
      if (!(error instanceof CapacityExceeded)) throw error
      this.#capacityRejections++
      return { response: processingError(method, endpoint, error, json) }
    }
    this.#tasksCreated++
    if (!spec.async) {
      // A sync handler that fails still answers its task (CompletedWithError), so the slot is freed by the next scan.
      let response: TaskResponse
      try {
        response = run(task)
      } catch (error) {
        response = processingError(method, endpoint, error as Error, json)
      }
      this.#tasks.answer(task, response)
      return { response, taskId: task.id }
    }
    const generation = this.#generation
    const delay = ['state', 'load', 'partition_load'].includes(endpoint) ? 0 : this.#options.proposalComputeMs
    this.#later(delay, () => {
      if (generation !== this.#generation) return
      try {
        const response = run(task)
        if (task.response === undefined) this.#tasks.answer(task, response)
      } catch (error) {
        this.#tasks.answer(task, processingError(method, endpoint, error as Error, json))
      }
    })
    return { response: await this.#answerWhenReady(task, json), taskId: task.id }
  }

  /** Waits up to maxBlockTimeMs for the task's answer, then answers 202 with progress. */
  async #answerWhenReady (task: UserTask, json: boolean): Promise<TaskResponse> {
    if (task.response === undefined) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer)
          this.#timers.delete(timer)
          this.#waiters.delete(wake)
          resolve()
        }
        const timer = setTimeout(wake, this.#options.maxBlockTimeMs)
        this.#timers.add(timer)
        this.#waiters.add(wake)
        task.answered.then(wake, wake)
      })
    }
    if (task.response !== undefined) return task.response
    const body = progressBody(task.operation, task.startMs, this.#now(), false)
    return { status: 202, body: json ? body : JSON.stringify(body) }
  }

  #later (ms: number, fn: () => void): void {
    const timer = setTimeout(() => { this.#timers.delete(timer); fn() }, ms)
    this.#timers.add(timer)
  }

  /** Checks the parameters now (a 400 takes no slot) and returns the work the task will do. */
  #prepare (spec: EndpointSpec, endpoint: string, params: URLSearchParams, json: boolean): (task: UserTask) => TaskResponse {
    const ok = (body: unknown): TaskResponse => ({ status: 200, body: json ? body : JSON.stringify(body) })
    const verbose = bool(params, 'verbose', false)
    const dryRun = endpoint === 'proposals' ? true : bool(params, 'dryrun', true)
    const goals = list(params, 'goals')
    const excludedTopics = params.get('excluded_topics') ?? undefined
    const windows = (): void => {
      if (spec.needsWindows && this.#now() < this.#warmUntil) throw new NotEnoughValidWindows(this.#now())
    }
    const optimize = (plan: () => Plan, excludedBrokers?: number[]) => (task: UserTask): TaskResponse => {
      windows()
      const started = Date.now()
      const result = plan()
      const body = optimizationBody(this.model, result, { goals, verbose, excludedBrokers, optimizationTimeMs: Date.now() - started + this.#options.proposalComputeMs })
      if (dryRun) return ok(body)
      if (this.#executor.busy) throw new OngoingExecution()
      const response = ok(body)
      this.#tasks.answer(task, response, true)
      const generation = this.#generation
      this.#executions.push({ userTaskId: task.id, requestUrl: task.requestUrl })
      this.#executor.start(result.moves, task.id, params.get('reason') ?? `${endpoint} requested`, (stopped) => {
        // Cruise Control marks a stopped execution's task CompletedWithError.
        if (generation === this.#generation) this.#tasks.finish(task, stopped)
      })
      return response
    }
    switch (endpoint) {
      case 'state': {
        const substates = (list(params, 'substates') ?? ['analyzer', 'monitor', 'executor', 'anomaly_detector']).map((s) => s.toLowerCase())
        for (const s of substates) {
          if (!['analyzer', 'monitor', 'executor', 'anomaly_detector'].includes(s)) throw new BadParameter(`Unsupported substate ${s}.`)
        }
        return () => ok(this.#stateBody(substates))
      }
      case 'load': return () => { windows(); return ok(loadBody(this.model)) }
      case 'partition_load': {
        const topic = params.get('topic') ?? undefined
        if (topic !== undefined) {
          try { RegExp(topic) } catch { throw new BadParameter(`Invalid topic pattern ${topic}.`) }
        }
        const entries = params.has('entries') ? int(params, 'entries') : undefined
        return () => { windows(); return ok(partitionLoadBody(this.model, { entries, topic })) }
      }
      case 'kafka_cluster_state': return () => ok(clusterStateBody(this.model))
      case 'user_tasks': {
        const query = userTasksQuery(params)
        return () => ok(this.#userTasksBody(query))
      }
      case 'stop_proposal_execution': return () => { this.#executor.stop(); return ok({ message: 'Proposal execution stopped.', version: 1 }) }
      case 'pause_sampling': return () => { this.#samplingPaused = true; return ok({ message: 'Metric sampling paused.', version: 1 }) }
      case 'resume_sampling': return () => { this.#samplingPaused = false; return ok({ message: 'Metric sampling resumed.', version: 1 }) }
      case 'proposals':
      case 'rebalance': return optimize(() => this.model.planRebalance({ excludedTopics }))
      case 'add_broker': {
        const brokers = brokerIds(params)
        return optimize(() => this.model.planRebalance({ added: brokers, excludedTopics }))
      }
      case 'remove_broker': {
        const brokers = brokerIds(params)
        return optimize(() => this.model.planRebalance({ removed: brokers, excludedTopics }), brokers)
      }
      case 'demote_broker': {
        const brokers = brokerIds(params)
        return optimize(() => this.model.planDemote(brokers, excludedTopics), brokers)
      }
      case 'remove_disks': {
        const dirs = logDirs(params)
        return optimize(() => this.model.planRemoveDisks(dirs))
      }
      default: throw new BadParameter(`Unsupported endpoint ${endpoint}.`)
    }
  }

  #stateBody (substates: string[]): Record<string, unknown> {
    const warming = this.#now() < this.#warmUntil
    const partitions = this.model.partitions.length
    const body: Record<string, unknown> = {}
    if (substates.includes('analyzer')) body.AnalyzerState = { isProposalReady: !warming, readyGoals: warming ? [] : DEFAULT_GOALS }
    if (substates.includes('monitor')) {
      body.MonitorState = {
        state: this.#samplingPaused ? 'PAUSED' : warming ? 'SAMPLING' : 'RUNNING',
        trainingPct: 100.0,
        trained: true,
        numMonitoredWindows: warming ? 0 : 5,
        monitoringCoveragePct: warming ? 0 : 100.0,
        numValidPartitions: warming ? 0 : partitions,
        numTotalPartitions: partitions,
        numFlawedPartitions: 0,
        isSamplingPaused: this.#samplingPaused,
      }
    }
    if (substates.includes('executor')) body.ExecutorState = this.#executor.snapshot()
    if (substates.includes('anomaly_detector')) {
      body.AnomalyDetectorState = {
        selfHealingEnabled: [],
        selfHealingDisabled: ['DISK_FAILURE', 'BROKER_FAILURE', 'GOAL_VIOLATION', 'METRIC_ANOMALY', 'TOPIC_ANOMALY', 'MAINTENANCE_EVENT'],
        recentGoalViolations: [],
        recentBrokerFailures: [],
        recentMetricAnomalies: [],
        recentDiskFailures: [],
        ongoingSelfHealingAnomaly: 'None',
        balancednessScore: 100.0,
      }
    }
    body.version = 1
    return body
  }

  #userTasksBody (query: UserTasksQuery): Record<string, unknown> {
    const { ids, clients, endpoints, types, fetchCompleted, entries } = query
    const tasks = this.#tasks.all()
      .filter((t) => ids === undefined || ids.includes(t.id))
      .filter((t) => clients === undefined || clients.includes(t.clientIdentity))
      .filter((t) => endpoints === undefined || endpoints.includes(t.endpoint))
      .filter((t) => types === undefined || types.includes(t.status))
      .slice(0, entries)
    return {
      userTasks: tasks.map((t) => {
        const row: Record<string, unknown> = { UserTaskId: t.id, RequestURL: t.requestUrl, ClientIdentity: t.clientIdentity, StartMs: String(t.startMs), Status: t.status }
        if (fetchCompleted && t.response !== undefined) row.originalResponse = typeof t.response.body === 'string' ? t.response.body : JSON.stringify(t.response.body)
        return row
      }),
      version: 1,
    }
  }
}

interface UserTasksQuery {
  ids: string[] | undefined
  clients: string[] | undefined
  endpoints: string[] | undefined
  types: string[] | undefined
  fetchCompleted: boolean
  entries: number
}

const TASK_STATUSES = ['Active', 'InExecution', 'Completed', 'CompletedWithError']

/** The user_tasks parameters, checked before the request takes a slot (a bad one is a 400). */
function userTasksQuery (params: URLSearchParams): UserTasksQuery {
  const types = list(params, 'types')
  for (const type of types ?? []) {
    if (!TASK_STATUSES.includes(type)) throw new BadParameter(`Unsupported task state ${type}; expected one of ${TASK_STATUSES.join(', ')}.`)
  }
  return {
    ids: list(params, 'user_task_ids'),
    clients: list(params, 'client_ids'),
    endpoints: list(params, 'endpoints')?.map((e) => e.toLowerCase()),
    types,
    fetchCompleted: bool(params, 'fetch_completed_task', false),
    entries: params.has('entries') ? int(params, 'entries') : Infinity,
  }
}

function authorised (req: IncomingMessage, auth: { username: string, password: string }): boolean {
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
  return req.headers.authorization === expected
}

function clientIdentity (req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '')
}

/** The parameters that identify a request, without json=, in a stable order. */
function canonicalQuery (params: URLSearchParams): string {
  return [...params.entries()].filter(([k]) => k !== 'json').sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join('&')
}

function list (params: URLSearchParams, name: string): string[] | undefined {
  const value = params.get(name)
  return value === null || value === '' ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

function bool (params: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = params.get(name)
  if (value === null) return fallback
  if (value.toLowerCase() === 'true') return true
  if (value.toLowerCase() === 'false') return false
  throw new BadParameter(`Parameter ${name} must be true or false, got ${value}.`)
}

function int (params: URLSearchParams, name: string): number {
  const value = params.get(name) ?? ''
  if (!/^\d+$/.test(value)) throw new BadParameter(`Parameter ${name} must be a non-negative integer, got ${value}.`)
  return Number(value)
}

function brokerIds (params: URLSearchParams): number[] {
  const ids = list(params, 'brokerid')
  if (ids === undefined) throw new BadParameter('Parameter brokerid is required.')
  return ids.map((id) => {
    if (!/^\d+$/.test(id)) throw new BadParameter(`Broker id ${id} is not an integer.`)
    return Number(id)
  })
}

function logDirs (params: URLSearchParams): Map<number, string[]> {
  const pairs = list(params, 'brokerid_and_logdirs')
  if (pairs === undefined) throw new BadParameter('Parameter brokerid_and_logdirs is required.')
  const result = new Map<number, string[]>()
  for (const pair of pairs) {
    const match = /^(\d+)-(.+)$/.exec(pair)
    if (match === null) throw new BadParameter(`Invalid brokerid_and_logdirs entry ${pair}; expected <brokerId>-<logdir>.`)
    const id = Number(match[1])
    result.set(id, [...(result.get(id) ?? []), match[2]])
  }
  return result
}
