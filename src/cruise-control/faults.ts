/**
 * The Cruise Control client's fault policy, in one place: what each answer means (see
 * docs/cruise-control.md, "What is retried", and the Cruise Control reference), which failures a
 * request may retry given what it is (a poll, an executing request), and which failures only mean
 * "not now" to the rebalance lifecycle.
 *
 * - 500 "already N active user tasks": transient on every endpoint (`retry`, reason `user-task-capacity`);
 * - 500 NotEnoughValidWindowsException: the proposal is pending (`retry`, reason `not-enough-valid-windows`);
 * - 500 "Unexpected header … User-Task-ID": the task is gone; the caller must request again
 *   (`fatal` for the poll, reason `unknown-user-task`, handled by the client and the lifecycle);
 * - 500 "Cannot start a new execution while there is an ongoing execution": not now, so transient
 *   (`retry`, reason `ongoing-execution`): another execution must finish first;
 * - 500 unknown broker ids, and 4xx: fatal;
 * - other 5xx, 408, 429: the shared HTTP rules (transient, 5xx and 408 for idempotent requests only).
 */
import { classify, type Classification } from '../resilience/classify.ts'
import { AbortedError, DeadlineExceededError, RetriesExhaustedError } from '../resilience/errors.ts'
import { classifyHttpStatus, mayFailOver, withHint, type HttpFailure, type RestFaultPolicy } from '../rest/faults.ts'

const CAPACITY = /There are already \d+ active user tasks, which has reached the servlet capacity/
const NOT_ENOUGH_WINDOWS = /NotEnoughValidWindowsException/
const UNKNOWN_TASK = /Unexpected header .*User-Task-ID/
const UNKNOWN_BROKER = /IllegalArgumentException.*does not exist|does not exist\./
const ONGOING_EXECUTION = /ongoing execution/i

/** What Cruise Control's error text says, whether it came as a 500 or as a failed task's answer. */
function classifyMessage (message: string): Classification | undefined {
  if (CAPACITY.test(message)) return { action: 'retry', reason: 'user-task-capacity' }
  if (NOT_ENOUGH_WINDOWS.test(message)) return { action: 'retry', reason: 'not-enough-valid-windows' }
  if (UNKNOWN_TASK.test(message)) return { action: 'fatal', reason: 'unknown-user-task' }
  if (UNKNOWN_BROKER.test(message)) return { action: 'fatal', reason: 'unknown-broker' }
  if (ONGOING_EXECUTION.test(message)) return { action: 'retry', reason: 'ongoing-execution' }
  return undefined
}

/** What an error answer of Cruise Control means. */
export function classifyCruiseControlResponse (failure: HttpFailure): Classification {
  const verdict = failure.status === 500 ? classifyMessage(failure.message ?? '') : undefined
  if (verdict === undefined) return classifyHttpStatus(failure)
  // Only the capacity 500 comes with a server's hint worth following; the others are about the cluster.
  return verdict.reason === 'user-task-capacity' ? withHint(verdict, failure.retryAfterMs) : verdict
}

/** What the client knows about one request, for deciding what its failures mean. */
export interface CruiseControlRequestContext {
  /** The request carries a User-Task-ID: it polls a task instead of creating one. */
  polling: boolean
  /** A POST with dryrun=false: a lost reply may hide an execution that started. */
  executing: boolean
  /** Failure reasons the caller takes at once instead of having them retried. */
  stopOn: ReadonlySet<string>
}

/** Failures a poll may retry: the task's own outcome is final. */
const POLL_RETRIABLE = new Set(['user-task-capacity', 'throttled'])

/**
 * A failed attempt of one request. A transport failure of an executing request goes to the caller,
 * who looks for the task before sending it again (a second POST could start a second execution);
 * a poll retries only capacity, throttling and transport failures; a failure listed in `stopOn`
 * goes to the caller at once.
 */
export function classifyAttempt (error: unknown, context: CruiseControlRequestContext): Classification {
  const verdict = classify(error)
  if (verdict.action === 'fatal') return verdict
  if (context.executing && verdict.action === 'reconnect') return { action: 'fatal', reason: verdict.reason }
  const retriable = context.polling ? POLL_RETRIABLE.has(verdict.reason) || verdict.action === 'reconnect' : !context.stopOn.has(verdict.reason)
  return retriable ? verdict : { action: 'fatal', reason: verdict.reason }
}

export const cruiseControlFaults: RestFaultPolicy<CruiseControlRequestContext> = {
  answer: classifyCruiseControlResponse,
  attempt: (error, request) => classifyAttempt(error, request.context ?? { polling: false, executing: false, stopOn: new Set() }),
  failOver: (error, request) => mayFailOver(error, request.method),
}

/** The reason the policy gave a failure, for callers that decide by it. */
export function failureReason (error: unknown): string {
  return classify(error).reason
}

/** Cruise Control no longer knows the task polled (it restarted, or the task expired): request again. */
export function isUnknownTask (error: unknown): boolean {
  return failureReason(error) === 'unknown-user-task'
}

/** The monitor has too few valid windows yet: the proposal is pending, not failed. */
export function isProposalPending (error: unknown): boolean {
  return failureReason(error) === 'not-enough-valid-windows'
}

/**
 * Reasons that mean "not now" although the request that met them is not retried by the client: a
 * POST is not re-sent after a gateway error (502/503/504 from a proxy while Cruise Control
 * restarts), but the rebalance has not failed either, so the next reconcile asks again.
 */
const TRANSIENT_REASONS = new Set(['user-task-capacity', 'not-enough-valid-windows', 'ongoing-execution', 'throttled', 'capacity', 'http-502', 'http-503', 'http-504'])

function isNotNow (verdict: Classification): boolean {
  return verdict.action !== 'fatal' || TRANSIENT_REASONS.has(verdict.reason)
}

/** True for failures that only mean "not now": they never change a rebalance's state. */
export function isTransientFailure (error: unknown): boolean {
  if (error instanceof DeadlineExceededError || error instanceof RetriesExhaustedError || error instanceof AbortedError) return true
  return isNotNow(classify(error))
}

/** What kept a request from succeeding: for a deadline or exhausted retries, the last failure behind it. */
export function transientReason (error: unknown): string {
  const behind = error instanceof DeadlineExceededError || error instanceof RetriesExhaustedError ? error.cause : undefined
  return failureReason(behind ?? error)
}

/**
 * A finished execution task whose answer is an error: "not now" (another execution was running,
 * capacity, warm-up) asks for the execution again, anything else is the rebalance's failure.
 */
export function classifyTaskError (message: string): Classification & { transient: boolean } {
  const verdict = classifyMessage(message) ?? { action: 'fatal', reason: 'task-failed' }
  return { ...verdict, transient: isNotNow(verdict) }
}
