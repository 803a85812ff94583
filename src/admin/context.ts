/**
 * How every admin call runs: under the resilience core's retry loop, bounded by the caller's
 * deadline and abort signal, with the admin's recovery hooks (faults.ts), which make coordinator
 * moves, controller moves and broken connections transparent.
 */
import type { Cluster } from '../cluster/cluster.ts'
import type { Logger } from '../observability/logger.ts'
import type { Metrics } from '../observability/metrics.ts'
import { linkSignals } from '../resilience/link-signals.ts'
import { retry } from '../resilience/retry.ts'
import type { BackoffPolicy } from '../resilience/backoff.ts'
import { AdminError } from './errors.ts'
import { delayCap, recoveryHooks, type CallTarget } from './faults.ts'

export interface CallOptions {
  /** Total time for the call, retries included (default: the client's `defaultTimeoutMs`, 30 s). */
  timeoutMs?: number
  signal?: AbortSignal
}

export interface AdminContext {
  cluster: Cluster
  logger: Logger
  defaultTimeoutMs: number
  retry: Partial<BackoffPolicy>
  /** The admin client's registry and client_id, for the retries it counts. */
  metrics: Metrics
}

/** One attempt of a call; `attempt` counts from 1, for errors that report it. */
export type Attempt<T> = (signal: AbortSignal, attempt: number) => Promise<T>

/**
 * Runs `each` for every item at once under one signal: the first failure aborts the others, so
 * nothing goes on retrying in the background after the call has failed.
 */
export async function forEachItem<I, T> (options: CallOptions, items: readonly I[], each: (item: I, options: CallOptions) => Promise<T>): Promise<T[]> {
  const controller = linkSignals(options.signal)
  try {
    return await Promise.all(items.map(async (item) => {
      try {
        return await each(item, { ...options, signal: controller.signal })
      } catch (error) {
        controller.abort(error)
        throw error
      }
    }))
  } finally {
    controller.unlink()
  }
}

/** The options for the rest of a multi-step call, so all its steps share one deadline. */
export function remaining (options: CallOptions, ctx: AdminContext, startedAt: number): CallOptions {
  const total = options.timeoutMs ?? ctx.defaultTimeoutMs
  return { ...options, timeoutMs: Math.max(1, total - (Date.now() - startedAt)) }
}

export async function adminCall<T> (ctx: AdminContext, operation: string, options: CallOptions, attempt: Attempt<T>, target: CallTarget = {}): Promise<T> {
  let attempts = 0
  try {
    return await retry(async (context) => {
      attempts = context.attempt
      return await attempt(context.signal, context.attempt)
    }, {
      component: 'admin',
      operation,
      logger: ctx.logger,
      metrics: ctx.metrics,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      policy: { maxAttempts: Infinity, ...ctx.retry, deadlineMs: options.timeoutMs ?? ctx.defaultTimeoutMs },
      hooks: recoveryHooks(ctx.cluster, target),
      capDelay: delayCap(target),
    })
  } catch (error) {
    if (error instanceof AdminError) throw error
    throw new AdminError(operation, Math.max(attempts, 1), error)
  }
}
