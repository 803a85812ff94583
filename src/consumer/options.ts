/**
 * Consumer options: defaults (close to the Java client's) and validation with the shared zod
 * parser. Every bad option is named in the error together with the value given and the rule it
 * broke, as the producer does.
 */
import type { Cluster } from '../cluster/cluster.ts'
import type { BootstrapSource } from '../cluster/bootstrap-source.ts'
import type { Logger } from '../observability/logger.ts'
import { Metrics, type Registry } from '../observability/metrics.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import {
  boolean, func, integer, logger, nonEmptyString, oneOf, options, parseOptions, refuse, registry, resolveRetry, retryOption, satisfying,
  type ClientRetry,
} from '../resilience/options.ts'
import type { Assignor } from './group/assignors.ts'
import { rangeAssignor, roundRobinAssignor } from './group/assignors.ts'
import { z } from 'zod'
import { bootstrapField, clusterOptionFields } from '../cluster/options.ts'
import type { EndpointCheckOptions } from '../cluster/endpoint-check.ts'

/** Where to start when a partition has no valid position: the first offset, the end, or fail. */
export type AutoOffsetReset = 'earliest' | 'latest' | 'none'

export type IsolationLevel = 'read_uncommitted' | 'read_committed'

/** Which group protocol `subscribe` speaks: JoinGroup/SyncGroup, or KIP-848's ConsumerGroupHeartbeat (Kafka 4.x). */
export type GroupProtocol = 'classic' | 'consumer'

const INT32_MAX = 2_147_483_647

/** Turns raw key or value bytes into what the application receives. */
export type Deserializer<T> = (bytes: Buffer | null, topic: string) => T

export interface ConsumerOptions<K = Buffer | null, V = Buffer | null> {
  /** Brokers to start from: `host:port,…`, a list, a function returning one, or `{ file }` (watched); or give `cluster` to share one. */
  bootstrap?: BootstrapSource
  /** An existing cluster client; the consumer does not close it. */
  cluster?: Cluster
  clientId?: string
  /** The consumer group: needed for `subscribe` and for `commit`. */
  groupId?: string
  /** Static membership (KIP-345): a restart within the session timeout keeps the assignment. */
  groupInstanceId?: string
  /**
   * The rack this consumer runs in (Java's client.rack): sent in Fetch (v11+) and KIP-848
   * heartbeats, so a broker with a rack-aware replica selector names a replica in this rack to
   * read from (KIP-392). Default none: read from leaders.
   */
  clientRack?: string
  /**
   * How old metadata may get (Java's metadata.max.age.ms): subscriptions look for new, grown and
   * deleted topics this often, and a partition read from a follower goes back to its leader
   * (which may name another replica) this often. Default 5 min.
   */
  metadataMaxAgeMs?: number
  /**
   * The endpoint health check of the cluster client the consumer makes (docs/cluster.md,
   * *Endpoint health check*): every `intervalMs` the bootstrap source is asked where the brokers
   * are, and past `rebuildShare` of them moved every connection is rebuilt there (fetch positions
   * stay, so nothing is read twice). Default `{ intervalMs: 300000 }`; `false` turns it off. With
   * `cluster`, set it on that cluster instead.
   */
  endpointCheck?: EndpointCheckOptions | false
  /** Default 'latest', as Java. */
  autoOffsetReset?: AutoOffsetReset
  /** Default 'read_uncommitted'. */
  isolationLevel?: IsolationLevel
  /** How long a broker may hold a Fetch waiting for minBytes. Default 500 ms. */
  fetchMaxWaitMs?: number
  /** Default 1. */
  fetchMinBytes?: number
  /** Upper bound of one Fetch answer. Default 50 MiB. */
  fetchMaxBytes?: number
  /** Upper bound of one partition in one Fetch answer. Default 1 MiB. */
  maxPartitionFetchBytes?: number
  /**
   * Fetched bytes held for one partition before the application takes them: no Fetch asks for
   * the partition while it holds more. Default 2 × maxPartitionFetchBytes.
   */
  maxBufferedBytesPerPartition?: number
  /** Time a broker has to answer one request (on top of fetchMaxWaitMs for Fetch). Default 30 s. */
  requestTimeoutMs?: number
  /** Delays between attempts: initialDelayMs (default 100 ms) doubling up to maxDelayMs (default 1000 ms), with jitter. */
  retry?: Partial<Pick<ClientRetry, 'initialDelayMs' | 'maxDelayMs'>>
  /** @deprecated Use `retry.initialDelayMs`. */
  retryBackoffMs?: number
  /** @deprecated Use `retry.maxDelayMs`. */
  retryBackoffMaxMs?: number
  /** Group session timeout. Default 45 s, as Java. */
  sessionTimeoutMs?: number
  /** Time the group gives every member to rejoin during a rebalance. Default 60 s. */
  rebalanceTimeoutMs?: number
  /** Default 3 s (at most a third of sessionTimeoutMs). */
  heartbeatIntervalMs?: number
  /**
   * Longest time the application may hold one record (iterator) or one batch (`eachBatch`) in a
   * group, as Java's max.poll.interval.ms: past it the member leaves the group, so its partitions
   * go to members that are making progress (they are lost here: nothing more is committed for
   * them), and joins again when the application asks for more. Default 300 s.
   */
  maxPollIntervalMs?: number
  /** Commit processed offsets periodically (groups only). Default true. */
  autoCommit?: boolean
  /** Default 5 s. */
  autoCommitIntervalMs?: number
  /** Partition assignors, by preference (classic protocol). Default [range, roundrobin], as Java. */
  assignors?: Assignor[]
  /** Default 'classic'. 'consumer' (KIP-848) is experimental: the coordinator assigns, and the cluster must be Kafka 4.0 or later. */
  groupProtocol?: GroupProtocol
  /** With groupProtocol 'consumer': the coordinator's assignor, `uniform` or `range` (Java's group.remote.assignor). Default: the broker's (uniform). */
  serverAssignor?: string
  keyDeserializer?: Deserializer<K>
  valueDeserializer?: Deserializer<V>
  logger?: Logger
  /** Where the consumer's metrics go (default: the given cluster's, else the shared registry). */
  registry?: Registry
}

export interface ResolvedConsumerOptions {
  groupId: string | undefined
  groupInstanceId: string | undefined
  /** '' when not given (what Fetch sends for "no rack"). */
  clientRack: string
  metadataMaxAgeMs: number
  autoOffsetReset: AutoOffsetReset
  /** Kafka's int8: 0 read_uncommitted, 1 read_committed. */
  isolationLevel: 0 | 1
  fetchMaxWaitMs: number
  fetchMinBytes: number
  fetchMaxBytes: number
  maxPartitionFetchBytes: number
  maxBufferedBytesPerPartition: number
  requestTimeoutMs: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  maxPollIntervalMs: number
  autoCommit: boolean
  autoCommitIntervalMs: number
  assignors: Assignor[]
  groupProtocol: GroupProtocol
  serverAssignor: string | undefined
  /** Where the consumer counts: its registry, with its clientId as the client_id label. */
  metrics: Metrics
  /** What the consumer's own cluster client checks; false when off or when the cluster was given. */
  endpointCheck: EndpointCheckOptions | false
}

const WHAT = 'consumer'

export const DEFAULT_CLIENT_ID = 'steadfast-consumer'

const schema = options({
  bootstrap: bootstrapField,
  cluster: satisfying((v) => typeof v === 'object' && v !== null, 'a Cluster'),
  clientId: nonEmptyString(),
  groupId: nonEmptyString(),
  groupInstanceId: nonEmptyString(),
  clientRack: nonEmptyString(),
  metadataMaxAgeMs: integer(1, INT32_MAX),
  endpointCheck: z.union([z.literal(false), clusterOptionFields.endpointCheck], { error: 'false or { intervalMs, rebuildShare?, minRebuildIntervalMs? }' }),
  autoOffsetReset: oneOf(['earliest', 'latest', 'none']),
  isolationLevel: oneOf(['read_uncommitted', 'read_committed']),
  fetchMaxWaitMs: integer(0, INT32_MAX),
  fetchMinBytes: integer(0, INT32_MAX),
  fetchMaxBytes: integer(1, INT32_MAX),
  maxPartitionFetchBytes: integer(1, INT32_MAX),
  maxBufferedBytesPerPartition: integer(1, INT32_MAX),
  requestTimeoutMs: integer(1, INT32_MAX),
  retry: retryOption(['initialDelayMs', 'maxDelayMs']),
  retryBackoffMs: integer(0, INT32_MAX),
  retryBackoffMaxMs: integer(0, INT32_MAX),
  sessionTimeoutMs: integer(1, INT32_MAX),
  rebalanceTimeoutMs: integer(1, INT32_MAX),
  heartbeatIntervalMs: integer(1, INT32_MAX),
  maxPollIntervalMs: integer(1, INT32_MAX),
  autoCommit: boolean(),
  autoCommitIntervalMs: integer(1, INT32_MAX),
  assignors: satisfying((v) => Array.isArray(v) && v.length > 0 && v.every((a: Partial<Assignor> | undefined) => typeof a?.name === 'string' && typeof a.assign === 'function'),
    'a non-empty array of { name, assign }'),
  groupProtocol: oneOf(['classic', 'consumer']),
  serverAssignor: nonEmptyString(),
  keyDeserializer: func(),
  valueDeserializer: func(),
  logger: logger(),
  registry: registry(),
})

export function resolveConsumerOptions (options: ConsumerOptions<unknown, unknown>): ResolvedConsumerOptions {
  parseOptions(WHAT, schema, options)
  if (options.bootstrap === undefined && options.cluster === undefined) {
    throw new InvalidArgumentError('consumer options need bootstrap (host:port,…) or cluster')
  }
  const { groupId, groupInstanceId } = options
  if (groupInstanceId !== undefined && groupId === undefined) refuse(WHAT, 'groupInstanceId', groupInstanceId, 'given together with groupId')
  if (options.cluster !== undefined && options.endpointCheck !== undefined) refuse(WHAT, 'endpointCheck', options.endpointCheck, 'left out when cluster is given (set it on that cluster)')
  const maxPartitionFetchBytes = options.maxPartitionFetchBytes ?? 1024 * 1024
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000
  const heartbeatMax = Math.max(1, Math.floor(sessionTimeoutMs / 3))
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeoutMs / 3))
  if (heartbeatIntervalMs > heartbeatMax) refuse(WHAT, 'heartbeatIntervalMs', heartbeatIntervalMs, `an integer from 1 to ${heartbeatMax}`)
  const retry = resolveRetry(WHAT, options, { initialDelayMs: 100, maxDelayMs: 1_000 })
  const groupProtocol = options.groupProtocol ?? 'classic'
  // Each protocol has its own assignment: the client's assignors, or the coordinator's.
  if (groupProtocol === 'consumer' && options.assignors !== undefined) refuse(WHAT, 'assignors', '[…]', "left out with groupProtocol 'consumer' (the coordinator assigns: use serverAssignor)")
  if (groupProtocol === 'classic' && options.serverAssignor !== undefined) refuse(WHAT, 'serverAssignor', options.serverAssignor, "given with groupProtocol 'consumer'")
  return {
    groupId,
    groupInstanceId,
    clientRack: options.clientRack ?? '',
    metadataMaxAgeMs: options.metadataMaxAgeMs ?? 300_000,
    autoOffsetReset: options.autoOffsetReset ?? 'latest',
    isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500,
    fetchMinBytes: options.fetchMinBytes ?? 1,
    fetchMaxBytes: options.fetchMaxBytes ?? 50 * 1024 * 1024,
    maxPartitionFetchBytes,
    maxBufferedBytesPerPartition: options.maxBufferedBytesPerPartition ?? 2 * maxPartitionFetchBytes,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    retryBackoffMs: retry.initialDelayMs,
    retryBackoffMaxMs: retry.maxDelayMs,
    sessionTimeoutMs,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
    heartbeatIntervalMs,
    maxPollIntervalMs: options.maxPollIntervalMs ?? 300_000,
    autoCommit: options.autoCommit ?? true,
    autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5_000,
    assignors: options.assignors ?? [rangeAssignor, roundRobinAssignor],
    groupProtocol,
    serverAssignor: options.serverAssignor,
    endpointCheck: options.cluster !== undefined ? false : options.endpointCheck ?? { intervalMs: 300_000 },
    metrics: new Metrics({ registry: options.registry ?? options.cluster?.registry, clientId: options.clientId ?? DEFAULT_CLIENT_ID }),
  }
}
