/**
 * The admin client's fault policy, in one place. Which Kafka codes mean what is Kafka's error table
 * (resilience/kafka-errors.ts) as it stands; what the admin adds is how it recovers between
 * attempts, per action, so that coordinator moves, controller moves and broken connections are
 * transparent to the caller:
 *
 * | action | recovery |
 * |---|---|
 * | `refresh-coordinator` (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS) | forget the call's coordinator; the next attempt asks FindCoordinator again, within COORDINATOR_RETRY_MS |
 * | `refresh-metadata` (NOT_LEADER_OR_FOLLOWER, NOT_CONTROLLER, …) | refresh the metadata |
 * | `reconnect` (reset, EOF, timeouts, …) | a coordinator-bound call forgets its coordinator (a cached coordinator kept after its broker restarted would fail every call from then on) and asks again within COORDINATOR_RETRY_MS; other calls refresh the metadata (the leader or controller behind the dead connection may have moved) |
 * | `retry` | the same request again after the backoff |
 * | `rejoin`, `fatal` | not retried: the admin is in no group, and fatal means the caller must act |
 */
import type { Cluster, CoordinatorType } from '../cluster/cluster.ts'
import { coordinatorLookCap } from '../resilience/coordinator-looks.ts'
import type { RetryOptions } from '../resilience/retry.ts'

export interface CallTarget {
  /** The call goes to this coordinator: forget it on coordinator errors and broken connections. */
  coordinator?: { type: CoordinatorType, key: string }
}

/** The coordinator look interval is the resilience layer's (coordinator-looks.ts), shared with the consumer's group calls. */
export { COORDINATOR_RETRY_MS } from '../resilience/coordinator-looks.ts'

export function recoveryHooks (cluster: Cluster, target: CallTarget): NonNullable<RetryOptions['hooks']> {
  const coordinator = target.coordinator
  if (coordinator === undefined) {
    const refresh = async (): Promise<void> => { await cluster.refreshMetadata() }
    // The pool reopens dead connections by itself; the leaders behind them are looked up again.
    return { 'refresh-metadata': refresh, reconnect: refresh }
  }
  // FindCoordinator names the coordinator's current endpoint: no metadata refresh is needed to
  // follow it, and none is paid for at every look while the coordinator moves.
  const forgetCoordinator = (): void => { cluster.invalidateCoordinator(coordinator.type, coordinator.key) }
  return {
    'refresh-coordinator': forgetCoordinator,
    'refresh-metadata': async () => { await cluster.refreshMetadata() },
    reconnect: forgetCoordinator,
  }
}

/**
 * The delay cap of a call (RetryOptions.capDelay): a coordinator-bound call looks again within
 * COORDINATOR_RETRY_MS after a coordinator error or a failed connection to it. Not when no broker
 * answers at all (the whole cluster is unreachable): that backs off as usual.
 */
export function delayCap (target: CallTarget): RetryOptions['capDelay'] {
  return target.coordinator === undefined ? undefined : coordinatorLookCap
}
