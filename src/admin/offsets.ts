/**
 * Partition offsets (earliest, latest, by timestamp), asked of each partition's leader, and
 * consumer lag (latest minus committed). Leader moves and broken connections refresh metadata
 * and retry.
 */
import { tpKey } from '../cluster/topic-partition.ts'
import { apis } from '../protocol/apis/index.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { adminCall, remaining, type AdminContext, type CallOptions } from './context.ts'
import { groupByTopic, listConsumerGroupOffsets, resolvePartitions, type TopicPartitions } from './groups.ts'
import { throwItemFailures, type ItemFailure } from './results.ts'

/** Which offset: the first, the next to be written, or the first at or after a timestamp (ms). */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number }

export interface PartitionOffset {
  topic: string
  partition: number
  offset: bigint
  /** The timestamp of the record found, for timestamp lookups; -1 otherwise. */
  timestamp: bigint
  leaderEpoch: number
}

export interface PartitionLag {
  topic: string
  partition: number
  /** -1n when the group has committed nothing for this partition. */
  committed: bigint
  latest: bigint
  /** latest - committed; when nothing is committed, latest - earliest (all that is in the log). */
  lag: bigint
}

function specTimestamp (spec: OffsetSpec): bigint {
  if (spec === 'earliest') return -2n
  if (spec === 'latest') return -1n
  if (typeof spec === 'object' && Number.isFinite(spec.timestamp) && spec.timestamp >= 0) return BigInt(Math.trunc(spec.timestamp))
  throw new InvalidArgumentError(`offset spec must be 'earliest', 'latest' or { timestamp: ms >= 0 }, got ${JSON.stringify(spec)}`)
}

export async function listOffsets (ctx: AdminContext, topics: TopicPartitions[], spec: OffsetSpec, options: CallOptions = {}): Promise<PartitionOffset[]> {
  const operation = 'listOffsets'
  const timestamp = specTimestamp(spec)
  const startedAt = Date.now()
  const resolved = await resolvePartitions(ctx, topics, options)
  const partitions = resolved.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
  return await adminCall(ctx, operation, remaining(options, ctx, startedAt), async (signal, attempt) => {
    const metadata = await ctx.cluster.metadata(resolved.map((t) => t.topic), { signal })
    const byLeader = new Map<number, typeof partitions>()
    for (const p of partitions) {
      const info = metadata.topics.get(p.topic)
      const leader = info?.partitions.find((x) => x.partition === p.partition)?.leader ?? -1
      if (info === undefined || info.errorCode !== KafkaErrorCode.NONE) throw kafkaError(info?.errorCode ?? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${operation}: topic ${p.topic}`)
      if (leader < 0) throw kafkaError(KafkaErrorCode.LEADER_NOT_AVAILABLE, `${operation}: ${p.topic}-${p.partition}`)
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
    }
    const answers = await Promise.all([...byLeader].map(async ([leader, items]) => {
      const connection = await ctx.cluster.connection(leader, 'default', { signal })
      const response = await connection.request(apis.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [...groupByTopic(items)].map(([name, ps]) => ({ name, partitions: ps.map((p) => ({ partitionIndex: p.partition, timestamp, maxNumOffsets: 1 })) })),
        timeoutMs: 5_000,
      }, { signal })
      return response
    }))
    const results: PartitionOffset[] = []
    const failures: ItemFailure[] = []
    for (const response of answers) {
      for (const t of response.body.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== KafkaErrorCode.NONE) { failures.push({ item: `${t.name}-${p.partitionIndex}`, errorCode: p.errorCode }); continue }
          // v0 answers a list of offsets, later versions one offset (and its timestamp, v1+).
          const offset = response.version === 0 ? p.oldStyleOffsets?.[0] ?? -1n : p.offset ?? -1n
          results.push({ topic: t.name, partition: p.partitionIndex, offset, timestamp: p.timestamp ?? -1n, leaderEpoch: p.leaderEpoch ?? -1 })
        }
      }
    }
    throwItemFailures(operation, attempt, failures)
    return results.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  })
}

/** Lag of a group on every partition it has committed offsets for (or on the topics given). */
export async function consumerGroupLag (ctx: AdminContext, groupId: string, options: CallOptions & { topics?: TopicPartitions[] } = {}): Promise<PartitionLag[]> {
  // One deadline for the whole call: each step gets what is left of it.
  const startedAt = Date.now()
  const committed = (await listConsumerGroupOffsets(ctx, groupId, options)).get(groupId) ?? []
  const topics = options.topics ?? [...new Set(committed.map((c) => c.topic))].map((topic) => ({ topic }))
  if (topics.length === 0) return []
  const rest = remaining(options, ctx, startedAt)
  const [latest, earliest] = await Promise.all([listOffsets(ctx, topics, 'latest', rest), listOffsets(ctx, topics, 'earliest', rest)])
  const committedBy = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c.offset]))
  const earliestBy = new Map(earliest.map((e) => [tpKey(e.topic, e.partition), e.offset]))
  return latest.map((l) => {
    const c = committedBy.get(tpKey(l.topic, l.partition)) ?? -1n
    // Nothing committed: everything still in the log is unconsumed.
    const from = c >= 0n ? c : (earliestBy.get(tpKey(l.topic, l.partition)) ?? 0n)
    const lag = l.offset - from
    return { topic: l.topic, partition: l.partition, committed: c, latest: l.offset, lag: lag < 0n ? 0n : lag }
  })
}
