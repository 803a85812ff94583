/**
 * How every admin call runs: under the resilience core's retry loop, bounded by the caller's
 * deadline and abort signal, with the recovery hooks that make coordinator moves (incident I3),
 * controller moves and broken connections transparent.
 */
import type { Cluster, CoordinatorType } from '../cluster/cluster.ts'
import type { Logger } from '../observability/logger.ts'
import { retry } from '../resilience/retry.ts'
import type { BackoffPolicy } from '../resilience/backoff.ts'
import { AdminError } from './errors.ts'

export interface CallOptions {
  /** Total time for the call, retries included (default: the client's `defaultTimeoutMs`, 30 s). */
  timeoutMs?: number
  signal?: AbortSignal
}

export interface AdminContext {
  cluster: Cluster
  logger: Logger
  defaultTimeoutMs: number
  backoff: Partial<BackoffPolicy>
}

export interface CallTarget {
  /** The call goes to this coordinator: forget it on coordinator errors and broken connections. */
  coordinator?: { type: CoordinatorType, key: string }
}

export type Attempt<T> = (signal: AbortSignal) => Promise<T>

export async function adminCall<T> (ctx: AdminContext, operation: string, options: CallOptions, attempt: Attempt<T>, target: CallTarget = {}): Promise<T> {
  let attempts = 0
  const forgetCoordinator = (): void => {
    if (target.coordinator !== undefined) ctx.cluster.invalidateCoordinator(target.coordinator.type, target.coordinator.key)
  }
  try {
    return await retry(async (context) => {
      attempts = context.attempt
      return await attempt(context.signal)
    }, {
      component: 'admin',
      operation,
      logger: ctx.logger,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      policy: { maxAttempts: Infinity, ...ctx.backoff, deadlineMs: options.timeoutMs ?? ctx.defaultTimeoutMs },
      hooks: {
        'refresh-coordinator': forgetCoordinator,
        'refresh-metadata': async () => { await ctx.cluster.refreshMetadata() },
        // The pool reopens dead connections by itself; a coordinator behind a dead connection may
        // have moved, so it is looked up again (the Sarama incident kept the cached one forever).
        reconnect: forgetCoordinator,
      },
    })
  } catch (error) {
    if (error instanceof AdminError) throw error
    throw new AdminError(operation, Math.max(attempts, 1), error)
  }
}
