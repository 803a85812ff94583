/**
 * Consumer options: defaults (close to the Java client's) and validation. Every bad option is
 * named in the error together with the value given and the rule it broke, as the producer does.
 */
import type { Cluster } from '../cluster/cluster.ts'
import type { BootstrapSource } from '../cluster/bootstrap-source.ts'
import type { Logger } from '../observability/logger.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { Assignor } from './group/assignors.ts'
import { rangeAssignor, roundRobinAssignor } from './group/assignors.ts'

/** Where to start when a partition has no valid position: the first offset, the end, or fail. */
export type AutoOffsetReset = 'earliest' | 'latest' | 'none'

export type IsolationLevel = 'read_uncommitted' | 'read_committed'

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
  /** First retry delay; later ones double up to retryBackoffMaxMs, with jitter. Default 100 ms. */
  retryBackoffMs?: number
  /** Default 1000 ms. */
  retryBackoffMaxMs?: number
  /** Group session timeout. Default 45 s, as Java. */
  sessionTimeoutMs?: number
  /** Time the group gives every member to rejoin during a rebalance. Default 60 s. */
  rebalanceTimeoutMs?: number
  /** Default 3 s (at most a third of sessionTimeoutMs). */
  heartbeatIntervalMs?: number
  /** Commit processed offsets periodically (groups only). Default true. */
  autoCommit?: boolean
  /** Default 5 s. */
  autoCommitIntervalMs?: number
  /** Partition assignors, by preference. Default [range, roundrobin], as Java. */
  assignors?: Assignor[]
  keyDeserializer?: Deserializer<K>
  valueDeserializer?: Deserializer<V>
  logger?: Logger
}

export interface ResolvedConsumerOptions {
  groupId: string | undefined
  groupInstanceId: string | undefined
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
  autoCommit: boolean
  autoCommitIntervalMs: number
  assignors: Assignor[]
}

const KNOWN = new Set([
  'bootstrap', 'cluster', 'clientId', 'groupId', 'groupInstanceId', 'autoOffsetReset', 'isolationLevel', 'fetchMaxWaitMs',
  'fetchMinBytes', 'fetchMaxBytes', 'maxPartitionFetchBytes', 'maxBufferedBytesPerPartition', 'requestTimeoutMs',
  'retryBackoffMs', 'retryBackoffMaxMs', 'sessionTimeoutMs', 'rebalanceTimeoutMs', 'heartbeatIntervalMs', 'autoCommit',
  'autoCommitIntervalMs', 'assignors', 'keyDeserializer', 'valueDeserializer', 'logger',
])

function fail (field: string, value: unknown, rule: string): never {
  const shown = typeof value === 'string' ? `"${value}"` : String(value)
  throw new InvalidArgumentError(`consumer option ${field} must be ${rule}, got ${shown}`)
}

function integer (options: ConsumerOptions<unknown, unknown>, field: keyof ConsumerOptions, fallback: number, min: number, max = 2_147_483_647): number {
  const value = options[field] ?? fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, value, `an integer from ${min} to ${max}`)
  return value
}

function optionalString (options: ConsumerOptions<unknown, unknown>, field: 'groupId' | 'groupInstanceId' | 'clientId'): string | undefined {
  const value = options[field]
  if (value !== undefined && (typeof value !== 'string' || value === '')) fail(field, value, 'a non-empty string')
  return value
}

function oneOf<T extends string> (field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(field, value, `one of ${allowed.join(', ')}`)
  return value as T
}

export function resolveConsumerOptions (options: ConsumerOptions<unknown, unknown>): ResolvedConsumerOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('consumer options must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidArgumentError(`consumer option ${key} is not known (known: ${[...KNOWN].join(', ')})`)
  }
  if (options.bootstrap === undefined && options.cluster === undefined) {
    throw new InvalidArgumentError('consumer options need bootstrap (host:port,…) or cluster')
  }
  optionalString(options, 'clientId')
  const groupId = optionalString(options, 'groupId')
  const groupInstanceId = optionalString(options, 'groupInstanceId')
  if (groupInstanceId !== undefined && groupId === undefined) fail('groupInstanceId', groupInstanceId, 'given together with groupId')
  const maxPartitionFetchBytes = integer(options, 'maxPartitionFetchBytes', 1024 * 1024, 1)
  const fetchMaxBytes = integer(options, 'fetchMaxBytes', 50 * 1024 * 1024, 1)
  const sessionTimeoutMs = integer(options, 'sessionTimeoutMs', 45_000, 1)
  const heartbeatIntervalMs = integer(options, 'heartbeatIntervalMs', Math.min(3_000, Math.floor(sessionTimeoutMs / 3)), 1, Math.max(1, Math.floor(sessionTimeoutMs / 3)))
  const retryBackoffMs = integer(options, 'retryBackoffMs', 100, 0)
  for (const field of ['keyDeserializer', 'valueDeserializer'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'function') fail(field, options[field], 'a function')
  }
  const assignors = options.assignors ?? [rangeAssignor, roundRobinAssignor]
  if (!Array.isArray(assignors) || assignors.length === 0 || assignors.some((a) => typeof a?.name !== 'string' || typeof a.assign !== 'function')) {
    fail('assignors', assignors, 'a non-empty array of { name, assign }')
  }
  if (options.autoCommit !== undefined && typeof options.autoCommit !== 'boolean') fail('autoCommit', options.autoCommit, 'true or false')
  return {
    groupId,
    groupInstanceId,
    autoOffsetReset: oneOf('autoOffsetReset', options.autoOffsetReset ?? 'latest', ['earliest', 'latest', 'none'] as const),
    isolationLevel: oneOf('isolationLevel', options.isolationLevel ?? 'read_uncommitted', ['read_uncommitted', 'read_committed'] as const) === 'read_committed' ? 1 : 0,
    fetchMaxWaitMs: integer(options, 'fetchMaxWaitMs', 500, 0),
    fetchMinBytes: integer(options, 'fetchMinBytes', 1, 0),
    fetchMaxBytes,
    maxPartitionFetchBytes,
    maxBufferedBytesPerPartition: integer(options, 'maxBufferedBytesPerPartition', 2 * maxPartitionFetchBytes, 1),
    requestTimeoutMs: integer(options, 'requestTimeoutMs', 30_000, 1),
    retryBackoffMs,
    retryBackoffMaxMs: integer(options, 'retryBackoffMaxMs', Math.max(1_000, retryBackoffMs), retryBackoffMs),
    sessionTimeoutMs,
    rebalanceTimeoutMs: integer(options, 'rebalanceTimeoutMs', 60_000, 1),
    heartbeatIntervalMs,
    autoCommit: options.autoCommit ?? true,
    autoCommitIntervalMs: integer(options, 'autoCommitIntervalMs', 5_000, 1),
    assignors,
  }
}
