/**
 * The admin client's fault policy, in one place. Which Kafka codes mean what is Kafka's error table
 * (resilience/kafka-errors.ts) as it stands; what the admin adds is how it recovers between
 * attempts, per action, so that coordinator moves, controller moves and broken connections are
 * transparent to the caller:
 *
 * | action | recovery |
 * |---|---|
 * | `refresh-coordinator` (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS) | forget the call's coordinator; the next attempt asks FindCoordinator again |
 * | `refresh-metadata` (NOT_LEADER_OR_FOLLOWER, NOT_CONTROLLER, …) | refresh the metadata |
 * | `reconnect` (reset, EOF, timeouts, …) | both: what was behind the dead connection may have moved (a cached coordinator kept after its broker restarted would fail every call from then on) |
 * | `retry` | the same request again after the backoff |
 * | `rejoin`, `fatal` | not retried: the admin is in no group, and fatal means the caller must act |
 */
import type { Cluster, CoordinatorType } from '../cluster/cluster.ts'
import type { RetryOptions } from '../resilience/retry.ts'

export interface CallTarget {
  /** The call goes to this coordinator: forget it on coordinator errors and broken connections. */
  coordinator?: { type: CoordinatorType, key: string }
}

export function recoveryHooks (cluster: Cluster, target: CallTarget): NonNullable<RetryOptions['hooks']> {
  const forgetCoordinator = (): void => {
    if (target.coordinator !== undefined) cluster.invalidateCoordinator(target.coordinator.type, target.coordinator.key)
  }
  return {
    'refresh-coordinator': forgetCoordinator,
    'refresh-metadata': async () => { await cluster.refreshMetadata() },
    // The pool reopens dead connections by itself; the coordinator and leaders behind them are looked up again.
    reconnect: async () => {
      forgetCoordinator()
      await cluster.refreshMetadata()
    },
  }
}
