/**
 * Committed offsets of the consumer's group: OffsetFetch when partitions are assigned, and
 * OffsetCommit. Both go to the group's coordinator through the retry loop: NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and broken connections forget the
 * coordinator and find it again. A commit the group refuses because it moved on
 * (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) is not retried: it fails with
 * CommitFailedError, since the partitions may belong to another member by now. OffsetCommit v9+
 * (every Kafka 4.x broker) carries a KIP-848 member's epoch in the same field as a generation.
 */
import type { Cluster } from '../../cluster/cluster.ts'
import { tpKey } from '../../cluster/topic-partition.ts'
import type { Logger } from '../../observability/logger.ts'
import type { Metrics } from '../../observability/metrics.ts'
import { apis } from '../../protocol/apis/index.ts'
import { offsetFetchGroupResult } from '../../protocol/apis/offset-fetch.ts'
import { classify } from '../../resilience/classify.ts'
import { KafkaErrorCode, kafkaError } from '../../resilience/kafka-errors.ts'
import { retry, type RetryOptions } from '../../resilience/retry.ts'
import { coordinatorLookCap } from '../../resilience/coordinator-looks.ts'
import { commitClassification } from '../faults.ts'
import { CommitFailedError } from '../errors.ts'
import type { TopicPartition } from '../message.ts'

export interface OffsetsContext {
  cluster: Cluster
  groupId: string
  logger: Logger
  retryBackoffMs: number
  retryBackoffMaxMs: number
  /** Deadline of one fetch or commit, retries included. */
  timeoutMs: number
  metrics: Metrics
}

/** Who commits: a group member (its generation), or a consumer outside any generation (-1, ''). */
export interface Committer {
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

export interface OffsetToCommit extends TopicPartition {
  offset: bigint
}

function byTopic<T extends TopicPartition> (items: readonly T[]): Map<string, T[]> {
  const topics = new Map<string, T[]>()
  for (const item of items) topics.set(item.topic, [...(topics.get(item.topic) ?? []), item])
  return topics
}

async function coordinatorCall<T> (ctx: OffsetsContext, operation: string, call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, classification?: RetryOptions['classify']): Promise<T> {
  const forget = (): void => { ctx.cluster.invalidateCoordinator('group', ctx.groupId) }
  return await retry(async (context) => await call(context.signal), {
    component: 'consumer',
    operation,
    capDelay: coordinatorLookCap,
    logger: ctx.logger,
    metrics: ctx.metrics,
    ...(signal === undefined ? {} : { signal }),
    ...(classification === undefined ? {} : { classify: classification }),
    policy: { initialDelayMs: ctx.retryBackoffMs, maxDelayMs: ctx.retryBackoffMaxMs, maxAttempts: Infinity, deadlineMs: ctx.timeoutMs },
    hooks: { 'refresh-coordinator': forget, reconnect: forget, 'refresh-metadata': async () => { await ctx.cluster.refreshMetadata() } },
  })
}

/** The group's committed offset of each partition; -1n where it has none. */
export async function fetchCommitted (ctx: OffsetsContext, partitions: readonly TopicPartition[], signal?: AbortSignal): Promise<Map<string, bigint>> {
  const topics = [...byTopic(partitions)].map(([name, list]) => ({ name, partitionIndexes: list.map((p) => p.partition) }))
  return await coordinatorCall(ctx, 'offset-fetch', async (attemptSignal) => {
    const coordinator = await ctx.cluster.coordinator('group', ctx.groupId)
    const response = await coordinator.request(apis.OffsetFetch, (version) => version >= 8
      ? { groups: [{ groupId: ctx.groupId, topics }], requireStable: true }
      : { groupId: ctx.groupId, topics, requireStable: true }, { signal: attemptSignal })
    const body = offsetFetchGroupResult(response.version, response.body)
    if (body.errorCode !== undefined && body.errorCode !== KafkaErrorCode.NONE) throw kafkaError(body.errorCode, `OffsetFetch for group ${ctx.groupId} from ${coordinator.label}`)
    const result = new Map<string, bigint>()
    for (const t of body.topics ?? []) {
      for (const p of t.partitions) {
        if (p.errorCode !== KafkaErrorCode.NONE) throw kafkaError(p.errorCode, `OffsetFetch ${t.name}-${p.partitionIndex} for group ${ctx.groupId}`)
        result.set(tpKey(t.name, p.partitionIndex), p.committedOffset)
      }
    }
    return result
  }, signal)
}

/**
 * Commits the offsets (each the offset of the next record to read). `committer` is asked at each
 * attempt: a KIP-848 member's epoch may move on between attempts (STALE_MEMBER_EPOCH is retried).
 */
export async function commitOffsets (ctx: OffsetsContext, committer: () => Committer, offsets: readonly OffsetToCommit[], signal?: AbortSignal): Promise<void> {
  if (offsets.length === 0) return
  const topics = [...byTopic(offsets)].map(([name, list]) => ({
    name,
    partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: null })),
  }))
  try {
    await coordinatorCall(ctx, 'offset-commit', async (attemptSignal) => {
      const coordinator = await ctx.cluster.coordinator('group', ctx.groupId)
      const { generationId, memberId, groupInstanceId } = committer()
      const response = await coordinator.request(apis.OffsetCommit, {
        groupId: ctx.groupId,
        generationIdOrMemberEpoch: generationId,
        memberId,
        groupInstanceId,
        topics,
      }, { signal: attemptSignal })
      for (const t of response.body.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== KafkaErrorCode.NONE) throw kafkaError(p.errorCode, `OffsetCommit ${t.name}-${p.partitionIndex} for group ${ctx.groupId} to ${coordinator.label}`)
        }
      }
    }, signal, commitClassification)
  } catch (error) {
    if (classify(error).action === 'rejoin') {
      throw new CommitFailedError(`commit for group ${ctx.groupId} refused: the group has moved on (${(error as Error).message})`, error)
    }
    throw error
  }
}
