/**
 * Producer options: defaults (close to the Java client's) and validation (the shared zod parser,
 * then the rules between options). Every bad option is named in the error together with the
 * value given and the rule it broke.
 */
import type { Cluster, ClusterOptions } from '../cluster/cluster.ts'
import type { Logger } from '../observability/logger.ts'
import { Metrics, type Registry } from '../observability/metrics.ts'
import type { CompressionName } from '../protocol/compression/codec.ts'
import { COMPRESSION_IDS } from '../protocol/compression/codec.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import {
  integer, boolean, logger, nonEmptyString, oneOf, options as optionsOf, parseOptions, refuse, registry, resolveRetry, retryOption, satisfying,
  type ClientRetry,
} from '../resilience/options.ts'
import type { Partitioner, PartitionFunction } from './partitioner.ts'
import { defaultPartitioner, toPartitioner } from './partitioner.ts'
import { bootstrapField } from '../cluster/options.ts'

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
  /**
   * Delays between attempts: initialDelayMs (default 100 ms) doubling up to maxDelayMs (default
   * 1000 ms), with jitter. Retries end at deliveryTimeoutMs.
   */
  retry?: Partial<ClientRetry>
  /** @deprecated Use `retry.initialDelayMs`. */
  retryBackoffMs?: number
  /** @deprecated Use `retry.maxDelayMs`. */
  retryBackoffMaxMs?: number
  /** Default: Java-compatible murmur2 for keys, sticky for null keys. */
  partitioner?: Partitioner | PartitionFunction
  logger?: Logger
  /** Where the producer's metrics go (default: the given cluster's, else the shared registry). */
  registry?: Registry
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
  retry: ClientRetry
  partitioner: Partitioner
  /** Where the producer counts: its registry, with its clientId as the client_id label. */
  metrics: Metrics
}

const WHAT = 'producer'

export const DEFAULT_CLIENT_ID = 'steadfast-producer'

const schema = optionsOf({
  bootstrap: bootstrapField,
  cluster: satisfying((v) => typeof v === 'object' && v !== null, 'a Cluster'),
  clientId: nonEmptyString(),
  tls: satisfying((v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null), 'true, false or TLS options'),
  sasl: satisfying((v) => typeof v === 'object' && v !== null, 'SASL options { mechanism, username, password }'),
  connectTimeoutMs: integer(1),
  acks: satisfying((v) => v === 'all' || v === -1 || v === 0 || v === 1, "0, 1, -1 or 'all'"),
  idempotent: boolean(),
  compression: oneOf(Object.keys(COMPRESSION_IDS) as [CompressionName, ...CompressionName[]]),
  lingerMs: integer(0, 60_000),
  batchSize: integer(1),
  maxRequestSize: integer(1024),
  maxBufferedBytes: integer(1),
  maxBufferedBytesPerPartition: integer(1),
  maxBlockMs: integer(0),
  deliveryTimeoutMs: integer(1),
  requestTimeoutMs: integer(1),
  maxInFlightPerPartition: integer(1),
  retry: retryOption(['initialDelayMs', 'maxDelayMs', 'multiplier', 'jitter']),
  retryBackoffMs: integer(0),
  retryBackoffMaxMs: integer(0),
  partitioner: satisfying((v) => typeof v === 'function' || typeof (v as Partitioner | undefined)?.partition === 'function', 'a function or an object with a partition() method'),
  logger: logger(),
  registry: registry(),
})

/** An integer option whose bounds or default depend on other options. */
function bounded (options: ProducerOptions, field: keyof ProducerOptions, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = options[field] ?? fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(WHAT, field, value, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`)
  }
  return value
}

function parseAcks (value: Acks): -1 | 0 | 1 {
  return value === 'all' ? -1 : value
}

export function resolveProducerOptions (options: ProducerOptions): ResolvedProducerOptions {
  parseOptions(WHAT, schema, options)
  if (options.bootstrap === undefined && options.cluster === undefined) {
    throw new InvalidArgumentError('producer options need bootstrap (host:port,…) or cluster')
  }
  for (const key of ['tls', 'sasl', 'connectTimeoutMs'] as const) {
    if (options.cluster !== undefined && options[key] !== undefined) {
      throw new InvalidArgumentError(`producer option ${key} applies to the cluster the producer makes from bootstrap; with cluster given, set it on that cluster`)
    }
  }
  const acks = parseAcks(options.acks ?? 'all')
  if (options.idempotent === true && acks !== -1) refuse(WHAT, 'acks', options.acks, "'all' when idempotent is true")
  const idempotent = options.idempotent ?? acks === -1
  const compression = options.compression ?? 'none'
  const maxRequestSize = bounded(options, 'maxRequestSize', 1024 * 1024, 1024)
  const batchSize = bounded(options, 'batchSize', Math.min(512 * 1024, maxRequestSize), 1, maxRequestSize)
  const maxBufferedBytes = bounded(options, 'maxBufferedBytes', 64 * 1024 * 1024, batchSize)
  const maxBufferedBytesPerPartition = bounded(options, 'maxBufferedBytesPerPartition',
    Math.max(batchSize, Math.floor(maxBufferedBytes / 4)), batchSize, maxBufferedBytes)
  const lingerMs = bounded(options, 'lingerMs', 5, 0, 60_000)
  const requestTimeoutMs = bounded(options, 'requestTimeoutMs', 30_000, 1)
  const deliveryTimeoutMs = bounded(options, 'deliveryTimeoutMs', 120_000, 1)
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    refuse(WHAT, 'deliveryTimeoutMs', deliveryTimeoutMs, `>= lingerMs + requestTimeoutMs (${lingerMs + requestTimeoutMs}), so a batch can be sent at least once`)
  }
  const maxInFlightPerPartition = bounded(options, 'maxInFlightPerPartition', 5, 1, idempotent ? 5 : 100)
  const retry = resolveRetry(WHAT, options, { initialDelayMs: 100, maxDelayMs: 1000 })
  const partitioner = options.partitioner ?? defaultPartitioner()
  return {
    acks,
    idempotent,
    compression,
    lingerMs,
    batchSize,
    maxRequestSize,
    maxBufferedBytes,
    maxBufferedBytesPerPartition,
    maxBlockMs: bounded(options, 'maxBlockMs', 60_000, 0),
    deliveryTimeoutMs,
    requestTimeoutMs,
    maxInFlightPerPartition,
    retry,
    partitioner: toPartitioner(partitioner),
    metrics: new Metrics({ registry: options.registry ?? options.cluster?.registry, clientId: options.clientId ?? DEFAULT_CLIENT_ID }),
  }
}
