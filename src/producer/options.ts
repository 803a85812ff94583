/**
 * Producer options: defaults (close to the Java client's) and validation. Every bad option is
 * named in the error together with the value given and the rule it broke.
 */
import type { Cluster, ClusterOptions } from '../cluster/cluster.ts'
import type { Logger } from '../observability/logger.ts'
import type { CompressionName } from '../protocol/compression/codec.ts'
import { COMPRESSION_IDS } from '../protocol/compression/codec.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { Partitioner, PartitionFunction } from './partitioner.ts'
import { defaultPartitioner, toPartitioner } from './partitioner.ts'

/** 0: no answer awaited; 1: the leader wrote it; 'all' (or -1): every in-sync replica has it. */
export type Acks = 0 | 1 | -1 | 'all'

export interface ProducerOptions {
  /** Brokers to start from (`host:port,…`); or give `cluster` to share one. */
  bootstrap?: string | readonly string[]
  /** An existing cluster client; the producer does not close it. */
  cluster?: Cluster
  clientId?: string
  /** TLS for the cluster the producer makes (as the admin client's): options, or true for Node's defaults. */
  tls?: ClusterOptions['tls']
  /** SASL for the cluster the producer makes: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. */
  sasl?: ClusterOptions['sasl']
  /** Time to open a connection (default 10 s). */
  connectTimeoutMs?: number
  /** Default 'all'. */
  acks?: Acks
  /** Producer id + sequence numbers, so retries never duplicate or reorder. Default: true when acks is 'all'. */
  idempotent?: boolean
  /** Codec for every batch. Default 'none'. */
  compression?: CompressionName
  /** How long a batch waits for more records before it is sent. Default 5 ms. */
  lingerMs?: number
  /** A batch is sent once its records reach this many bytes. Default 512 KiB. */
  batchSize?: number
  /** Largest record (and request) the producer sends. Default 1 MiB, the broker's default message.max.bytes. */
  maxRequestSize?: number
  /** Bytes of records accepted and not yet acknowledged, over all partitions. Default 64 MiB. */
  maxBufferedBytes?: number
  /**
   * The same for any one partition, so a partition without a leader cannot take the whole buffer.
   * Default a quarter of maxBufferedBytes (at least batchSize).
   */
  maxBufferedBytesPerPartition?: number
  /** How long `send` may wait for buffer space or for topic metadata. Default 60 s. */
  maxBlockMs?: number
  /** Upper bound on the time from `send` to its outcome, retries included. Default 120 s. */
  deliveryTimeoutMs?: number
  /** Time a broker has to answer one Produce request. Default 30 s. */
  requestTimeoutMs?: number
  /**
   * Produce requests in flight per partition; at most 5 when idempotent. Default 5, as Java: order
   * then relies on the broker checking producer sequences (docs/producer.md, Guarantees); 1 keeps
   * order with any broker.
   */
  maxInFlightPerPartition?: number
  /** First retry delay; later ones double up to retryBackoffMaxMs, with jitter. Default 100 ms. */
  retryBackoffMs?: number
  /** Default 1000 ms. */
  retryBackoffMaxMs?: number
  /** Default: Java-compatible murmur2 for keys, sticky for null keys. */
  partitioner?: Partitioner | PartitionFunction
  logger?: Logger
}

export interface ResolvedProducerOptions {
  acks: -1 | 0 | 1
  idempotent: boolean
  compression: CompressionName
  lingerMs: number
  batchSize: number
  maxRequestSize: number
  maxBufferedBytes: number
  maxBufferedBytesPerPartition: number
  maxBlockMs: number
  deliveryTimeoutMs: number
  requestTimeoutMs: number
  maxInFlightPerPartition: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
  partitioner: Partitioner
}

const KNOWN = new Set([
  'bootstrap', 'cluster', 'clientId', 'tls', 'sasl', 'connectTimeoutMs', 'acks', 'idempotent', 'compression', 'lingerMs', 'batchSize',
  'maxRequestSize', 'maxBufferedBytes', 'maxBufferedBytesPerPartition', 'maxBlockMs', 'deliveryTimeoutMs', 'requestTimeoutMs',
  'maxInFlightPerPartition', 'retryBackoffMs', 'retryBackoffMaxMs', 'partitioner', 'logger',
])

function fail (field: string, value: unknown, rule: string): never {
  const shown = typeof value === 'string' ? `"${value}"` : String(value)
  throw new InvalidArgumentError(`producer option ${field} must be ${rule}, got ${shown}`)
}

function integer (options: ProducerOptions, field: keyof ProducerOptions, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = options[field] ?? fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, value, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`)
  }
  return value
}

function parseAcks (value: unknown): -1 | 0 | 1 {
  if (value === 'all' || value === -1) return -1
  if (value === 0 || value === 1) return value
  return fail('acks', value, "0, 1, -1 or 'all'")
}

export function resolveProducerOptions (options: ProducerOptions): ResolvedProducerOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('producer options must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidArgumentError(`producer option ${key} is not known (known: ${[...KNOWN].join(', ')})`)
  }
  if (options.bootstrap === undefined && options.cluster === undefined) {
    throw new InvalidArgumentError('producer options need bootstrap (host:port,…) or cluster')
  }
  for (const key of ['tls', 'sasl', 'connectTimeoutMs'] as const) {
    if (options.cluster !== undefined && options[key] !== undefined) {
      throw new InvalidArgumentError(`producer option ${key} applies to the cluster the producer makes from bootstrap; with cluster given, set it on that cluster`)
    }
  }
  const acks = parseAcks(options.acks ?? 'all')
  if (options.idempotent !== undefined && typeof options.idempotent !== 'boolean') fail('idempotent', options.idempotent, 'true or false')
  if (options.idempotent === true && acks !== -1) fail('acks', options.acks, "'all' when idempotent is true")
  const idempotent = options.idempotent ?? acks === -1
  const compression = options.compression ?? 'none'
  if (!Object.hasOwn(COMPRESSION_IDS, compression)) fail('compression', compression, `one of ${Object.keys(COMPRESSION_IDS).join(', ')}`)
  const maxRequestSize = integer(options, 'maxRequestSize', 1024 * 1024, 1024)
  const batchSize = integer(options, 'batchSize', Math.min(512 * 1024, maxRequestSize), 1, maxRequestSize)
  const maxBufferedBytes = integer(options, 'maxBufferedBytes', 64 * 1024 * 1024, batchSize)
  const maxBufferedBytesPerPartition = integer(options, 'maxBufferedBytesPerPartition',
    Math.max(batchSize, Math.floor(maxBufferedBytes / 4)), batchSize, maxBufferedBytes)
  const lingerMs = integer(options, 'lingerMs', 5, 0, 60_000)
  const requestTimeoutMs = integer(options, 'requestTimeoutMs', 30_000, 1)
  const deliveryTimeoutMs = integer(options, 'deliveryTimeoutMs', 120_000, 1)
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    fail('deliveryTimeoutMs', deliveryTimeoutMs, `>= lingerMs + requestTimeoutMs (${lingerMs + requestTimeoutMs}), so a batch can be sent at least once`)
  }
  const maxInFlightPerPartition = integer(options, 'maxInFlightPerPartition', 5, 1, idempotent ? 5 : 100)
  const retryBackoffMs = integer(options, 'retryBackoffMs', 100, 0)
  const retryBackoffMaxMs = integer(options, 'retryBackoffMaxMs', Math.max(1000, retryBackoffMs), retryBackoffMs)
  const partitioner = options.partitioner ?? defaultPartitioner()
  if (typeof partitioner !== 'function' && typeof partitioner?.partition !== 'function') {
    fail('partitioner', partitioner, 'a function or an object with a partition() method')
  }
  return {
    acks,
    idempotent,
    compression,
    lingerMs,
    batchSize,
    maxRequestSize,
    maxBufferedBytes,
    maxBufferedBytesPerPartition,
    maxBlockMs: integer(options, 'maxBlockMs', 60_000, 0),
    deliveryTimeoutMs,
    requestTimeoutMs,
    maxInFlightPerPartition,
    retryBackoffMs,
    retryBackoffMaxMs,
    partitioner: toPartitioner(partitioner),
  }
}
