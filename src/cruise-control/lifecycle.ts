/**
 * The rebalance lifecycle users know from Strimzi's KafkaRebalance, driven against Cruise Control:
 *
 *   New → PendingProposal → ProposalReady → (approve) → Rebalancing → Ready
 *   PendingProposal and Rebalancing accept stop → Stopped; every state but New accepts refresh;
 *   a real failure → NotReady (with its reason); auto-approval skips ProposalReady.
 *
 * Each `reconcile` advances a rebalance as far as it can without waiting and stores the record
 * (including the User-Task-ID of the pending operation) before and after every request, so a
 * restarted steadfast resumes polling the same task. A transient failure — the capacity 500, a
 * dropped connection, a deadline that ran out while retrying — never changes the state: it is
 * recorded on the rebalance and the next reconcile tries again. A task Cruise Control forgot (it
 * restarted, or the task expired) is requested again.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { defineCounter } from '../observability/metrics.ts'
import { sleep, systemClock } from '../resilience/clock.ts'
import { AbortedError, DeadlineExceededError, InvalidArgumentError, SteadfastError } from '../resilience/errors.ts'
import { KeyedSerial } from '../resilience/keyed-serial.ts'
import type { CruiseControlClient } from './client.ts'
import { classifyTaskError, isProposalPending, isTransientFailure, isUnknownTask, transientReason } from './faults.ts'
import { isAutoApproved, proposalRequest, type RebalanceManifest } from './manifest.ts'
import { withDryRun, type OperationRequest } from './operations.ts'
import { optimizationResultSchema, type ExecutorState, type OptimizationResult, type OptimizationSummary, type UserTask } from './schemas.ts'
import type { RecordStore } from './state-store.ts'

export const REBALANCE_STATES = ['New', 'PendingProposal', 'ProposalReady', 'Rebalancing', 'Stopped', 'NotReady', 'Ready'] as const
export type RebalanceState = typeof REBALANCE_STATES[number]
export type RebalanceAction = 'approve' | 'refresh' | 'stop'

/** The actions each state accepts, as in Strimzi's KafkaRebalance. */
export const ALLOWED_ACTIONS: Readonly<Record<RebalanceState, readonly RebalanceAction[]>> = {
  New: [],
  PendingProposal: ['stop', 'refresh'],
  ProposalReady: ['approve', 'refresh'],
  Rebalancing: ['stop', 'refresh'],
  Stopped: ['refresh'],
  NotReady: ['refresh'],
  Ready: ['refresh'],
}

export interface ExecutionProgress {
  executorState: string
  partitionsMoved: number
  partitionsTotal: number
  dataMovedMB: number
  dataTotalMB: number
  updatedAt: string
}

export interface RebalanceRecord {
  name: string
  manifest: RebalanceManifest
  state: RebalanceState
  autoApproval: boolean
  /** The dry-run request for this rebalance; execution sends it with dryrun=false. */
  request: OperationRequest
  /** The Cruise Control task being waited for, and what it is. */
  userTaskId?: string
  taskKind?: 'proposal' | 'execution'
  /** An action accepted but not yet carried out (its request failed transiently). */
  pendingAction?: RebalanceAction
  /** The Cruise Control task whose execution is known to have begun (answered 200, or seen InExecution); kept after it ends. */
  executionUserTaskId?: string
  /**
   * Sent as the execution request's `reason` (Cruise Control keeps it in the task's RequestURL and
   * in ExecutorState.triggeredTaskReason), so a task whose reply was lost can be found again.
   */
  executionTag?: string
  /** The last proposal, kept for review. */
  proposal?: { summary: OptimizationSummary, userTaskId?: string, receivedAt: string }
  progress?: ExecutionProgress
  /** Why the rebalance is NotReady. */
  reason?: string
  /** The last transient failure: recorded, never a state change. */
  lastTransientError?: { message: string, reason: string, at: string }
  transientErrors: number
  history: Array<{ state: RebalanceState, at: string, reason?: string }>
  createdAt: string
  updatedAt: string
}

export interface RebalanceLifecycleOptions {
  client: CruiseControlClient
  store: RecordStore<RebalanceRecord>
  /** Fetch executor progress (one more request) while Rebalancing. Default true. */
  trackProgress?: boolean
  /**
   * The server's max.cached.completed.user.tasks (Cruise Control keeps that many finished tasks per
   * endpoint type). An execution task missing from a full cache was pushed out after it finished;
   * missing from a cache with room, Cruise Control forgot it (a restart). Default 25.
   */
  completedTaskCache?: number
  /** How long to wait while another process updates the same rebalance. Default 60 s. */
  lockWaitMs?: number
  logger?: Logger
}

const TRANSITIONS_TOTAL = defineCounter('steadfast_rebalance_transitions_total', 'Rebalance state transitions, by the state entered.', ['state'] as const)

const MAX_HISTORY = 50

/** Cruise Control's KAFKA_ADMIN endpoints: their finished tasks share one completed-task cache. */
const ADMIN_ENDPOINTS = ['rebalance', 'add_broker', 'remove_broker', 'demote_broker', 'remove_disks', 'fix_offline_replicas', 'topic_configuration']

type Step = { record: RebalanceRecord, more: boolean }

export class RebalanceLifecycle {
  readonly #client: CruiseControlClient
  readonly #store: RecordStore<RebalanceRecord>
  readonly #trackProgress: boolean
  readonly #completedTaskCache: number
  readonly #lockWaitMs: number
  readonly #logger: Logger
  readonly #locks = new KeyedSerial<string>()

  constructor (options: RebalanceLifecycleOptions) {
    this.#client = options.client
    this.#store = options.store
    this.#trackProgress = options.trackProgress ?? true
    this.#completedTaskCache = options.completedTaskCache ?? 25
    this.#lockWaitMs = options.lockWaitMs ?? 60_000
    if (!Number.isInteger(this.#completedTaskCache) || this.#completedTaskCache < 1) {
      throw new InvalidArgumentError(`rebalance lifecycle: completedTaskCache must be an integer >= 1, got ${this.#completedTaskCache}`)
    }
    this.#logger = options.logger ?? rootLogger()
  }

  /** Records a new rebalance in state New; nothing is sent until it is reconciled. */
  async create (manifest: RebalanceManifest): Promise<RebalanceRecord> {
    const name = manifest.metadata.name
    return await this.#exclusive(name, async () => {
      if (await this.#store.get(name) !== undefined) {
        throw new InvalidArgumentError(`rebalance ${name} already exists; use refresh to ask for a new proposal, or delete it first`)
      }
      const now = new Date().toISOString()
      const record: RebalanceRecord = {
        name,
        manifest,
        state: 'New',
        autoApproval: isAutoApproved(manifest),
        request: proposalRequest(manifest.spec),
        transientErrors: 0,
        history: [{ state: 'New', at: now }],
        createdAt: now,
        updatedAt: now,
      }
      await this.#store.put(record)
      this.#client.metrics.counter(TRANSITIONS_TOTAL).inc({ state: 'New' })
      return record
    })
  }

  async get (name: string): Promise<RebalanceRecord> {
    const record = await this.#store.get(name)
    if (record === undefined) throw new InvalidArgumentError(`rebalance ${name} does not exist (${this.#store.location})`)
    return record
  }

  async list (): Promise<RebalanceRecord[]> {
    return await this.#store.list()
  }

  async delete (name: string): Promise<boolean> {
    return await this.#exclusive(name, async () => await this.#store.delete(name))
  }

  async approve (name: string): Promise<RebalanceRecord> { return await this.#act(name, 'approve') }
  async refresh (name: string): Promise<RebalanceRecord> { return await this.#act(name, 'refresh') }
  async stop (name: string): Promise<RebalanceRecord> { return await this.#act(name, 'stop') }

  async #act (name: string, action: RebalanceAction): Promise<RebalanceRecord> {
    await this.#exclusive(name, async () => {
      const record = await this.get(name)
      const allowed = ALLOWED_ACTIONS[record.state]
      if (!allowed.includes(action)) {
        const accepts = allowed.length === 0 ? 'no action' : allowed.join(', ')
        throw new InvalidArgumentError(`rebalance ${name}: cannot ${action} in state ${record.state} (it accepts ${accepts})`)
      }
      if (action === 'stop' && record.state === 'Rebalancing') {
        const running = await this.#runningExecution(undefined)
        if (running !== undefined && running.triggeredUserTaskId !== record.userTaskId) {
          throw new InvalidArgumentError(`rebalance ${name}: the execution Cruise Control is running belongs to task ${running.triggeredUserTaskId ?? '(none given)'}` +
            `${running.triggeredTaskReason === undefined ? '' : ` (${running.triggeredTaskReason})`}, not to this rebalance's task ${record.userTaskId ?? '(none yet)'}; not stopping it`)
        }
      }
      record.pendingAction = action
      if (action === 'approve') record.executionTag = executionTag(name)
      await this.#save(record)
    })
    return await this.reconcile(name)
  }

  /** Advances the rebalance as far as it can go now; returns the stored record. */
  async reconcile (name: string, options: { signal?: AbortSignal } = {}): Promise<RebalanceRecord> {
    return await this.#exclusive(name, async () => {
      let record = await this.get(name)
      for (let steps = 0; steps < 8; steps++) {
        let step: Step
        try {
          step = await this.#step(structuredClone(record), options.signal)
        } catch (error) {
          if (isTransientFailure(error)) {
            const reason = transientReason(error)
            const message = error instanceof Error ? error.message : String(error)
            record.lastTransientError = { message, reason, at: new Date().toISOString() }
            record.transientErrors++
            this.#logger.warn({ component: 'cruise-control', rebalance: name, state: record.state, reason, err: message },
              `rebalance ${name}: transient failure in state ${record.state}; state unchanged, will try again`)
            await this.#save(record)
            return record
          }
          const reason = error instanceof Error ? error.message : String(error)
          record = this.#to(record, 'NotReady', { reason, userTaskId: undefined, taskKind: undefined, pendingAction: undefined })
          await this.#save(record)
          return record
        }
        record = step.record
        await this.#save(record)
        if (!step.more) break
      }
      return record
    })
  }

  /**
   * Reconciles until the rebalance settles in one of `until` (default ProposalReady, Ready,
   * NotReady, Stopped) with no action pending, pausing `intervalMs` between rounds. Without
   * `timeoutMs` or `signal` it follows the rebalance for as long as that takes (an execution may take hours).
   */
  async settle (name: string, options: { until?: RebalanceState[], intervalMs?: number, timeoutMs?: number, signal?: AbortSignal, onUpdate?: (record: RebalanceRecord) => void } = {}): Promise<RebalanceRecord> {
    const until = options.until ?? ['ProposalReady', 'Ready', 'NotReady', 'Stopped']
    const signals = [options.signal, options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)].filter((s) => s !== undefined)
    const signal = signals.length === 0 ? undefined : AbortSignal.any(signals)
    for (;;) {
      const record = await this.reconcile(name, { signal })
      options.onUpdate?.(record)
      if (until.includes(record.state) && record.pendingAction === undefined) return record
      try {
        await sleep(systemClock, options.intervalMs ?? 1000, signal)
      } catch (error) {
        if (options.signal?.aborted === true) throw new AbortedError(`rebalance ${name}: aborted in state ${record.state}`, { cause: error })
        throw new DeadlineExceededError(`rebalance ${name} did not reach ${until.join(' or ')} within ${options.timeoutMs} ms (state ${record.state})`,
          { attempts: 0, elapsedMs: options.timeoutMs ?? 0, cause: record.lastTransientError?.message })
      }
    }
  }

  async #step (r: RebalanceRecord, signal: AbortSignal | undefined): Promise<Step> {
    switch (r.pendingAction) {
      case 'stop': {
        // Only our own execution is stopped: stop_proposal_execution stops whatever runs.
        if (r.state === 'Rebalancing') {
          const running = await this.#runningExecution(signal)
          if (running !== undefined && running.triggeredUserTaskId === r.userTaskId) await this.#client.stopProposalExecution({ signal })
        }
        return this.#done(this.#to(r, 'Stopped', { userTaskId: undefined, taskKind: undefined, pendingAction: undefined }))
      }
      case 'refresh': {
        const cleared = { ...r, userTaskId: undefined, taskKind: undefined, progress: undefined, reason: undefined }
        return await this.#requestProposal(cleared, signal)
      }
      case 'approve': return await this.#requestExecution(r, signal)
      default: break
    }
    switch (r.state) {
      case 'New': return await this.#requestProposal(r, signal)
      case 'PendingProposal': return r.userTaskId === undefined ? await this.#requestProposal(r, signal) : await this.#pollProposal(r, signal)
      case 'ProposalReady': return r.autoApproval ? await this.#requestExecution(r, signal) : this.#done(r)
      case 'Rebalancing': return await this.#pollExecution(r, signal)
      default: return this.#done(r)
    }
  }

  async #requestProposal (r: RebalanceRecord, signal: AbortSignal | undefined): Promise<Step> {
    try {
      const outcome = await this.#client.submit(r.request, optimizationResultSchema, { signal, stopOn: ['not-enough-valid-windows'] })
      if (outcome.done) return this.#proposalReady(r, outcome.result, outcome.userTaskId)
      return this.#done(this.#to(r, 'PendingProposal', { userTaskId: outcome.userTaskId, taskKind: 'proposal', pendingAction: undefined }))
    } catch (error) {
      if (!isProposalPending(error)) throw error
      return this.#done(this.#to(r, 'PendingProposal', { userTaskId: undefined, taskKind: 'proposal', pendingAction: undefined }))
    }
  }

  async #pollProposal (r: RebalanceRecord, signal: AbortSignal | undefined): Promise<Step> {
    try {
      const outcome = await this.#client.submit(r.request, optimizationResultSchema, { signal, userTaskId: r.userTaskId })
      if (outcome.done) return this.#proposalReady(r, outcome.result, outcome.userTaskId)
      return this.#done(r)
    } catch (error) {
      if (isUnknownTask(error)) {
        this.#logger.warn({ component: 'cruise-control', rebalance: r.name, userTaskId: r.userTaskId }, `rebalance ${r.name}: Cruise Control no longer knows task ${r.userTaskId}; requesting the proposal again`)
        return await this.#requestProposal({ ...r, userTaskId: undefined }, signal)
      }
      if (isProposalPending(error)) return this.#done({ ...r, userTaskId: undefined })
      throw error
    }
  }

  #proposalReady (r: RebalanceRecord, result: OptimizationResult, userTaskId: string | undefined): Step {
    const proposal = { summary: result.summary, userTaskId, receivedAt: new Date().toISOString() }
    if (r.autoApproval) {
      // Keep the proposal and carry on to execution in the same reconcile: auto-approval skips ProposalReady.
      return { record: { ...r, proposal, userTaskId: undefined, taskKind: undefined, pendingAction: 'approve', executionTag: executionTag(r.name) }, more: true }
    }
    return this.#done(this.#to(r, 'ProposalReady', { proposal, userTaskId: undefined, taskKind: undefined, pendingAction: undefined }))
  }

  async #requestExecution (r: RebalanceRecord, signal: AbortSignal | undefined): Promise<Step> {
    const tag = r.executionTag ?? executionTag(r.name)
    const sent = await this.#sentBefore(r, tag, signal)
    if (sent !== undefined) {
      // An earlier request with our tag reached Cruise Control although its reply was lost: follow that task.
      this.#logger.warn({ component: 'cruise-control', rebalance: r.name, userTaskId: sent.UserTaskId }, `rebalance ${r.name}: Cruise Control already has our execution request (task ${sent.UserTaskId}); following it instead of sending another`)
      const began = sent.Status === 'Active' ? r.executionUserTaskId : sent.UserTaskId
      return this.#done(this.#to(r, 'Rebalancing', { userTaskId: sent.UserTaskId, executionUserTaskId: began, executionTag: tag, taskKind: 'execution', pendingAction: undefined, progress: undefined }))
    }
    const request = withDryRun(r.request, false)
    const outcome = await this.#client.submit({ ...request, params: { ...request.params, reason: tag } }, optimizationResultSchema, { signal })
    if (outcome.userTaskId === undefined) {
      throw new SteadfastError(`rebalance ${r.name}: Cruise Control started the execution without a User-Task-ID header`, { reason: 'bad-response' })
    }
    const proposal = outcome.done ? { summary: outcome.result.summary, userTaskId: outcome.userTaskId, receivedAt: new Date().toISOString() } : r.proposal
    return this.#done(this.#to(r, 'Rebalancing', { userTaskId: outcome.userTaskId, executionUserTaskId: outcome.done ? outcome.userTaskId : r.executionUserTaskId, taskKind: 'execution', pendingAction: undefined, proposal, progress: undefined }))
  }

  async #pollExecution (r: RebalanceRecord, signal: AbortSignal | undefined): Promise<Step> {
    const id = r.userTaskId
    if (id === undefined) return await this.#requestExecution(r, signal)
    const { userTasks } = await this.#client.userTasks({ userTaskIds: [id], fetchCompletedTask: true, signal })
    const task = userTasks.find((t) => t.UserTaskId === id)
    if (task === undefined) return await this.#lostExecution(r, id, signal)
    switch (task.Status) {
      case 'Completed': {
        return this.#done(this.#to(r, 'Ready', { userTaskId: undefined, executionUserTaskId: id, taskKind: undefined, progress: completed(r) }))
      }
      case 'CompletedWithError': {
        if (!hasErrorMessage(task.originalResponse)) {
          // The request succeeded (its answer is the plan) but the execution did not: Cruise Control
          // marks a stopped or interrupted execution CompletedWithError. Keep the counters it reached.
          return this.#done(this.#to(r, 'NotReady', { reason: `Cruise Control execution task ${id} was stopped or failed before it finished`, userTaskId: undefined, executionUserTaskId: id, taskKind: undefined, progress: ended(r.progress) }))
        }
        const message = taskError(task.originalResponse)
        const verdict = classifyTaskError(message)
        if (verdict.transient) {
          // "Not now" (another execution was running, capacity, warm-up): ask again, state unchanged.
          this.#logger.warn({ component: 'cruise-control', rebalance: r.name, userTaskId: id, reason: verdict.reason }, `rebalance ${r.name}: execution task ${id} failed transiently (${verdict.reason}); requesting the execution again`)
          return await this.#requestExecution({ ...r, userTaskId: undefined }, signal)
        }
        return this.#done(this.#to(r, 'NotReady', { reason: `Cruise Control task ${id} failed: ${message}`, userTaskId: undefined, taskKind: undefined }))
      }
      default: {
        const seen = task.Status === 'InExecution' ? { ...r, executionUserTaskId: id } : r
        if (!this.#trackProgress) return this.#done(seen)
        return this.#done({ ...seen, progress: await this.#progress(id, signal) ?? r.progress })
      }
    }
  }

  /**
   * Our execution task is not in user_tasks. Re-sending dryrun=false blindly would run the
   * execution twice when its task was only pushed out of the completed-task cache, so first: is the
   * executor still running it? If not, was the cache full (the task finished and was evicted: the
   * rebalance is done) or did Cruise Control forget it (a restart: request the execution again)?
   */
  async #lostExecution (r: RebalanceRecord, id: string, signal: AbortSignal | undefined): Promise<Step> {
    const executor = await this.#runningExecution(signal)
    if (executor !== undefined && executor.triggeredUserTaskId === id) {
      return this.#done({ ...r, executionUserTaskId: id, progress: progressOf(executor) })
    }
    if (r.executionUserTaskId !== id) {
      this.#logger.warn({ component: 'cruise-control', rebalance: r.name, userTaskId: id }, `rebalance ${r.name}: execution task ${id} is gone and never began executing; requesting the execution again`)
      return await this.#requestExecution({ ...r, userTaskId: undefined }, signal)
    }
    const { userTasks } = await this.#client.userTasks({ endpoints: ADMIN_ENDPOINTS, types: ['Completed', 'CompletedWithError'], signal })
    if (userTasks.length >= this.#completedTaskCache) {
      this.#logger.warn({ component: 'cruise-control', rebalance: r.name, userTaskId: id }, `rebalance ${r.name}: execution task ${id} finished and left Cruise Control's completed-task cache; not executing again`)
      return this.#done(this.#to(r, 'Ready', { userTaskId: undefined, taskKind: undefined, progress: ended(r.progress) }))
    }
    this.#logger.warn({ component: 'cruise-control', rebalance: r.name, userTaskId: id }, `rebalance ${r.name}: Cruise Control forgot execution task ${id} (it restarted); requesting the execution again`)
    return await this.#requestExecution({ ...r, userTaskId: undefined }, signal)
  }

  /** A task of ours (by tag) that Cruise Control has and that has not failed: Active, InExecution or Completed. */
  async #sentBefore (r: RebalanceRecord, tag: string, signal: AbortSignal | undefined): Promise<UserTask | undefined> {
    if (r.executionTag === undefined) return undefined
    const { userTasks } = await this.#client.userTasks({ endpoints: [r.request.endpoint], types: ['Active', 'InExecution', 'Completed'], signal })
    return userTasks.find((t) => t.RequestURL.includes(`reason=${tag}`) && t.UserTaskId !== r.userTaskId)
  }

  /** The execution Cruise Control is running now, if any. */
  async #runningExecution (signal: AbortSignal | undefined): Promise<ExecutorState | undefined> {
    const { ExecutorState: executor } = await this.#client.state({ substates: ['executor'], signal })
    return executor === undefined || executor.state === 'NO_TASK_IN_PROGRESS' ? undefined : executor
  }

  /** The executor's counters for our task, or undefined when they cannot be had right now. */
  async #progress (userTaskId: string, signal: AbortSignal | undefined): Promise<ExecutionProgress | undefined> {
    try {
      const state = await this.#client.state({ substates: ['executor'], signal })
      const e = state.ExecutorState
      if (e === undefined || e.triggeredUserTaskId !== userTaskId) return undefined
      return progressOf(e)
    } catch (error) {
      if (isTransientFailure(error)) return undefined
      throw error
    }
  }

  #done (record: RebalanceRecord): Step {
    return { record, more: false }
  }

  #to (r: RebalanceRecord, state: RebalanceState, changes: Partial<RebalanceRecord>): RebalanceRecord {
    const next: RebalanceRecord = { ...r, ...changes, state }
    if (state !== 'NotReady') delete next.reason
    for (const key of Object.keys(next) as Array<keyof RebalanceRecord>) {
      if (next[key] === undefined) delete next[key]
    }
    if (state !== r.state) {
      const entry: RebalanceRecord['history'][number] = { state, at: new Date().toISOString() }
      if (next.reason !== undefined) entry.reason = next.reason
      next.history = [...r.history, entry].slice(-MAX_HISTORY)
      this.#client.metrics.counter(TRANSITIONS_TOTAL).inc({ state })
      this.#logger.info({ component: 'cruise-control', rebalance: r.name, from: r.state, to: state, reason: next.reason }, `rebalance ${r.name}: ${r.state} → ${state}`)
    }
    return next
  }

  async #save (record: RebalanceRecord): Promise<void> {
    record.updatedAt = new Date().toISOString()
    await this.#store.put(record)
  }

  /**
   * Runs `fn` after every earlier call for the same rebalance in this process has finished, holding
   * the rebalance's lock file so that another process (a `stop` while a `status --watch` runs) cannot
   * interleave its read-change-write with ours and have one overwrite the other.
   */
  async #exclusive<T> (name: string, fn: () => Promise<T>): Promise<T> {
    return await this.#locks.run(name, async () => await this.#store.withLock(name, fn, { waitMs: this.#lockWaitMs }))
  }
}

/** A reason unique to one approval of one rebalance (letters, digits and dashes only, so it reads back unchanged). */
function executionTag (name: string): string {
  return `steadfast-${name.replaceAll('.', '-')}-${randomUUID().slice(0, 8)}`
}

function progressOf (e: ExecutorState): ExecutionProgress {
  return {
    executorState: e.state,
    partitionsMoved: e.numFinishedPartitionMovements ?? 0,
    partitionsTotal: e.numTotalPartitionMovements ?? 0,
    dataMovedMB: e.finishedDataMovement ?? 0,
    dataTotalMB: e.totalDataToMove ?? 0,
    updatedAt: new Date().toISOString(),
  }
}

/**
 * The counters of a finished execution: everything moved. Their totals are the last sample's; an
 * execution that finished before any sample was taken (a small plan) takes them from its proposal
 * (replica movements and data to move), so a Ready rebalance always shows its progress as complete.
 */
function completed (r: RebalanceRecord): ExecutionProgress | undefined {
  const totals = r.progress ?? (r.proposal === undefined
    ? undefined
    : { partitionsTotal: r.proposal.summary.numReplicaMovements, dataTotalMB: r.proposal.summary.dataToMoveMB })
  if (totals === undefined) return undefined
  const { partitionsTotal, dataTotalMB } = totals
  return { executorState: 'NO_TASK_IN_PROGRESS', partitionsMoved: partitionsTotal, partitionsTotal, dataMovedMB: dataTotalMB, dataTotalMB, updatedAt: new Date().toISOString() }
}

/** The counters last seen, marked as no longer running (they are not forced to 100%: nobody saw the end). */
function ended (progress: ExecutionProgress | undefined): ExecutionProgress | undefined {
  return progress === undefined ? undefined : { ...progress, executorState: 'NO_TASK_IN_PROGRESS' }
}

/** Whether a task's originalResponse is an error body (the request failed) rather than the operation's result. */
function hasErrorMessage (originalResponse: string | undefined): boolean {
  if (originalResponse === undefined) return true
  try {
    const body = JSON.parse(originalResponse) as { errorMessage?: unknown }
    return typeof body.errorMessage === 'string'
  } catch {
    return true
  }
}

function taskError (originalResponse: string | undefined): string {
  if (originalResponse === undefined) return 'no error message'
  try {
    const body = JSON.parse(originalResponse) as { errorMessage?: unknown }
    return typeof body.errorMessage === 'string' ? body.errorMessage : originalResponse
  } catch {
    return originalResponse
  }
}
