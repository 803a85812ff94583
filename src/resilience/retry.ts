/**
 * The one retry loop every client uses. It runs an operation under a backoff policy; between
 * attempts it runs the hook for the failure's recovery action (refresh metadata, find the
 * coordinator again, reconnect, rejoin); it never retries a `fatal` failure; it stops at the
 * deadline or when attempts run out, with the last failure attached as `cause`; a delay ends early
 * when the failure names an event that clears it and that event happens (wake.ts); it logs every
 * retry at warn, counts it in steadfast_retries_total{component,operation,reason,client_id} of the
 * caller's registry and publishes it on the `steadfast:retry` diagnostics channel.
 */
import type { Logger } from '../observability/logger.ts'
import { rootLogger, withComponent } from '../observability/logger.ts'
import { RETRIES_TOTAL, RETRY_DURATION_SECONDS, sharedMetrics, type Metrics } from '../observability/metrics.ts'
import { publishRetry } from '../observability/tracing.ts'
import { backoffDelay, resolveBackoff, type BackoffPolicy } from './backoff.ts'
import { classify, type Classification } from './classify.ts'
import { sleep, systemClock, type Clock } from './clock.ts'
import { AbortedError, DeadlineExceededError, RetriesExhaustedError, type RecoveryAction } from './errors.ts'
import { linkSignals } from './link-signals.ts'
import { wakeOf } from './wake.ts'

export interface RetryContext {
  /** 1 for the first attempt. */
  attempt: number
  /** Aborts when the caller aborts or the deadline passes: pass it to I/O. */
  signal: AbortSignal
  /** Absolute deadline (clock ms), or undefined when only attempts bound the loop. */
  deadline: number | undefined
}

export type RecoveryHook = (error: unknown, context: RetryContext) => Promise<void> | void

export interface RetryEvent {
  component: string
  operation: string
  /** The attempt that failed (1-based). */
  attempt: number
  delayMs: number
  action: RecoveryAction
  reason: string
  error: unknown
}

export interface RetryOptions {
  /** Metrics and log label: which client (kafka, connect, cruise-control, ...). */
  component: string
  /** Metrics and log label: what is being done (createConnector, listOffsets, ...). */
  operation: string
  policy?: Partial<BackoffPolicy>
  signal?: AbortSignal
  /** Decides what a failure means; the default is the project-wide classifier. */
  classify?: (error: unknown) => Classification
  /**
   * Run between attempts for the failure's action. `retry` needs none; `rejoin` without a hook is
   * not retried (sending the same request with the same generation cannot succeed).
   */
  hooks?: Partial<Record<Exclude<RecoveryAction, 'fatal'>, RecoveryHook>>
  /**
   * A shorter cap on the delay after particular failures, from the caller's fault policy (which
   * knows the failures that clear sooner than the backoff expects, such as a coordinator that is
   * being moved); undefined keeps the backoff's delay. A server hint still wins.
   */
  capDelay?: (verdict: Classification, error: unknown) => number | undefined
  logger?: Logger
  /** Where retries are counted: the calling client's registry and client_id (default: the shared registry). */
  metrics?: Metrics
  clock?: Clock
  random?: () => number
  onRetry?: (event: RetryEvent) => void
}

function describe (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Runs `operation` until it succeeds, fails fatally, or the policy's attempts or deadline run out. */
export async function retry<T> (operation: (context: RetryContext) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = resolveBackoff(options.policy)
  const clock = options.clock ?? systemClock
  const classifyFn = options.classify ?? classify
  const random = options.random ?? Math.random
  const { component, operation: opName } = options
  const logger = withComponent(options.logger ?? rootLogger(), component)
  const metrics = options.metrics ?? sharedMetrics
  const start = clock.now()
  const deadline = policy.deadlineMs === undefined ? undefined : start + policy.deadlineMs

  // One signal for the whole loop: fires on the caller's abort or at the deadline.
  if (options.signal?.aborted === true) throw new AbortedError(`${component} ${opName} aborted`, { cause: options.signal.reason })
  const controller = linkSignals(options.signal)
  const deadlineReason = new Error('deadline')
  const cancelDeadline = deadline === undefined ? undefined : clock.schedule(deadline - start, () => controller.abort(deadlineReason))

  let firstFailureAt: number | undefined
  let lastError: unknown
  let attempt = 0
  const finish = (outcome: 'success' | 'failure'): void => {
    if (firstFailureAt !== undefined) {
      metrics.histogram(RETRY_DURATION_SECONDS).observe({ component, operation: opName, outcome }, (clock.now() - firstFailureAt) / 1000)
    }
  }
  const stopped = (): Error => {
    const elapsedMs = clock.now() - start
    const last = lastError === undefined ? '' : `: ${describe(lastError)}`
    if (options.signal?.aborted === true) {
      return new AbortedError(`${component} ${opName} aborted after ${attempt} attempt(s)${last}`, { cause: options.signal.reason })
    }
    return new DeadlineExceededError(
      `${component} ${opName} did not succeed within ${policy.deadlineMs} ms (${attempt} attempt(s))${last}`,
      { attempts: attempt, elapsedMs, cause: lastError })
  }

  try {
    for (;;) {
      attempt++
      const context: RetryContext = { attempt, signal: controller.signal, deadline }
      const attemptStart = clock.now()
      try {
        const result = await raceAbort(operation(context), controller.signal)
        finish('success')
        return result
      } catch (error) {
        if (controller.signal.aborted) {
          // What the attempt was doing when the loop stopped names the stall, if it was one: an
          // attempt that ran for at least half the loop's time. One cut soon after it began, or one
          // that reports only its own abort, says less than an earlier real failure, so that is kept.
          const now = clock.now()
          const stalled = (now - attemptStart) * 2 >= now - start
          if (error !== controller.signal.reason && (lastError === undefined || (stalled && classify(error).reason !== 'aborted'))) lastError = error
          finish('failure')
          throw stopped()
        }
        lastError = error
        firstFailureAt ??= clock.now()
        const verdict = classifyFn(error)
        const hook = verdict.action === 'fatal' ? undefined : options.hooks?.[verdict.action]
        if (verdict.action === 'fatal' || (verdict.action === 'rejoin' && hook === undefined)) {
          finish('failure')
          throw error
        }
        if (attempt >= policy.maxAttempts) {
          finish('failure')
          throw new RetriesExhaustedError(
            `${component} ${opName} failed after ${attempt} attempt(s): ${describe(error)}`,
            { attempts: attempt, elapsedMs: clock.now() - start, cause: error })
        }
        // The first failure that a hook recovers from (a moved coordinator or leader, a dead
        // connection) is retried at once: the next attempt goes to a new target, so waiting buys
        // nothing. Repeated failures back off as usual.
        const recovered = attempt === 1 && hook !== undefined && verdict.action !== 'retry'
        let delayMs = recovered ? 0 : backoffDelay(policy, attempt, random)
        const cap = options.capDelay?.(verdict, error)
        if (cap !== undefined) delayMs = Math.min(delayMs, cap)
        if (verdict.retryAfterMs !== undefined) delayMs = Math.max(delayMs, verdict.retryAfterMs)
        if (deadline !== undefined && clock.now() + delayMs >= deadline) {
          finish('failure')
          throw stopped()
        }
        const event: RetryEvent = { component, operation: opName, attempt, delayMs, action: verdict.action, reason: verdict.reason, error }
        metrics.counter(RETRIES_TOTAL).inc({ component, operation: opName, reason: verdict.reason })
        logger.warn({ operation: opName, attempt, delayMs, action: verdict.action, reason: verdict.reason, err: error },
          `retrying ${component} ${opName} in ${delayMs} ms after attempt ${attempt} failed (${verdict.reason})`)
        publishRetry(() => ({ ...event, clientId: metrics.clientId }))
        options.onRetry?.(event)
        try {
          // The failure may name the event that clears it (wake.ts): then the delay ends there.
          await sleep(clock, delayMs, controller.signal, wakeOf(error))
          if (hook !== undefined) await raceAbort(Promise.resolve(hook(error, context)), controller.signal)
        } catch (hookError) {
          if (controller.signal.aborted) { finish('failure'); throw stopped() }
          // A failing hook (metadata refresh against a dead broker, ...) is itself a failure of this
          // attempt's recovery: remember it and let the next attempt decide.
          lastError = hookError
        }
      }
    }
  } finally {
    cancelDeadline?.()
    controller.unlink()
  }
}

/**
 * Settles with `promise`, or rejects with the signal's reason once it aborts. I/O that honours
 * the signal fails at once with an error saying what it was waiting for (a broker that never
 * answered ApiVersions, ...): it gets until the end of the current turn of the event loop to
 * settle, so that error, not the bare abort, becomes the deadline's cause. I/O that ignores the
 * signal is left behind.
 */
function raceAbort<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { promise.catch(() => {}); setImmediate(() => reject(signal.reason)) }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v) },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e) })
  })
}
