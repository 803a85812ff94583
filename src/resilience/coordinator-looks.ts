/**
 * How soon a coordinator-bound call (an admin group call, a consumer's JoinGroup, SyncGroup,
 * Heartbeat, OffsetFetch or OffsetCommit) looks for its coordinator again after a coordinator
 * error or a broken connection to it. Kafka moves a group's coordinator at moments nobody
 * announces (when the dead broker is fenced, a broker session timeout after the crash, and once
 * the new one has loaded the group); a call backing off to seconds would answer up to its whole
 * delay after the new coordinator could (incident 3, docs/incidents.md). Each look costs one
 * FindCoordinator and one connection attempt to the broker it names: at most 10 a second per
 * waiting call. Not when no broker answers at all (the whole cluster is unreachable): that backs
 * off as usual.
 */
import type { Classification } from './classify.ts'

export const COORDINATOR_RETRY_MS = 100

/** A RetryOptions.capDelay for calls bound to a coordinator. */
export function coordinatorLookCap (verdict: Classification): number | undefined {
  return verdict.action === 'refresh-coordinator' || (verdict.action === 'reconnect' && verdict.reason !== 'enobroker')
    ? COORDINATOR_RETRY_MS
    : undefined
}
