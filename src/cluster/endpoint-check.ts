/**
 * The periodic endpoint health check (incident 4, as AutoMQ's clients fixed it): every
 * `intervalMs` the cluster asks its bootstrap source's newest list, on a connection of its own,
 * which endpoints the brokers advertise, and compares them with the ones it uses. Each Metadata
 * answer is compared anyway (cluster.ts); this catches what those answers cannot: connections
 * that still work but lead somewhere the operator has moved away from (an old load balancer or
 * proxy still draining, a bootstrap file pointing at the new one), whose answers keep naming the
 * old endpoints. When the share of brokers in use whose endpoint changed (or that are gone)
 * reaches `rebuildShare`, the cluster rebuilds: every connection closed, the brokers as the
 * bootstrap source's answer names them. Positions stay with the clients (a consumer's fetch
 * positions, a producer's sequences), so a rebuild re-reads and resends nothing; commits in
 * flight meet a broken connection and are retried by their own loops. Rebuilds are at least
 * `minRebuildIntervalMs` apart, so endpoints that flap cannot make a storm of them.
 */
import type { BrokerInfo } from './metadata.ts'

export interface EndpointCheckOptions {
  /** Time between two looks. */
  intervalMs: number
  /** Share (0–1] of the brokers in use whose endpoint must have changed for a rebuild. Default 0.5. */
  rebuildShare?: number
  /** Least time between two rebuilds. Default 5 minutes. */
  minRebuildIntervalMs?: number
}

export interface EndpointCheckResult {
  /** `rebuilt`: connections closed, brokers replaced; `unchanged`; `below-share`; `rate-limited`; `other-cluster` (the source names another cluster id: nothing done). */
  outcome: 'rebuilt' | 'unchanged' | 'below-share' | 'rate-limited' | 'other-cluster'
  /** Brokers in use whose endpoint changed or that the answer no longer names. */
  changed: number[]
  /** changed / brokers in use. */
  share: number
}

export const DEFAULT_REBUILD_SHARE = 0.5
export const DEFAULT_MIN_REBUILD_INTERVAL_MS = 300_000

/** The brokers in use whose endpoint the fresh answer gives differently, or not at all. */
export function changedBrokers (inUse: ReadonlyMap<number, BrokerInfo>, fresh: ReadonlyMap<number, BrokerInfo>): number[] {
  return [...inUse.values()]
    .filter((b) => { const now = fresh.get(b.nodeId); return now === undefined || now.host !== b.host || now.port !== b.port })
    .map((b) => b.nodeId)
    .sort((a, b) => a - b)
}

/** What one look decides, from what is in use, what the bootstrap source's answer says, and when the last rebuild was. */
export function decide (input: {
  inUse: ReadonlyMap<number, BrokerInfo>
  fresh: ReadonlyMap<number, BrokerInfo>
  clusterId: string | null
  freshClusterId: string | null
  now: number
  lastRebuildAt: number | undefined
  rebuildShare: number
  minRebuildIntervalMs: number
}): EndpointCheckResult {
  const changed = changedBrokers(input.inUse, input.fresh)
  const share = input.inUse.size === 0 ? 0 : changed.length / input.inUse.size
  const result = (outcome: EndpointCheckResult['outcome']): EndpointCheckResult => ({ outcome, changed, share })
  if (input.clusterId !== null && input.freshClusterId !== null && input.clusterId !== input.freshClusterId) return result('other-cluster')
  if (changed.length === 0) return result('unchanged')
  if (share < input.rebuildShare) return result('below-share')
  if (input.lastRebuildAt !== undefined && input.now - input.lastRebuildAt < input.minRebuildIntervalMs) return result('rate-limited')
  return result('rebuilt')
}
