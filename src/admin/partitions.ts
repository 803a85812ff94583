/** Partition administration: reassignments (alter, list, cancel), leader elections, record deletion. */
import { apis } from '../protocol/apis/index.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { adminCall, type AdminContext, type CallOptions } from './context.ts'
import { groupByTopic } from './groups.ts'
import { throwItemFailures, throwTopLevel, type ItemFailure } from './results.ts'

export interface Reassignment {
  topic: string
  partition: number
  /** The target replica list; null cancels an ongoing reassignment. */
  replicas: number[] | null
}

export interface OngoingReassignment {
  topic: string
  partition: number
  replicas: number[]
  adding: number[]
  removing: number[]
}

export async function alterPartitionReassignments (ctx: AdminContext, reassignments: Reassignment[], options: CallOptions = {}): Promise<void> {
  const operation = 'alterPartitionReassignments'
  await adminCall(ctx, operation, options, async (signal, attempt) => {
    const controller = await ctx.cluster.controllerConnection({ signal })
    const response = await controller.request(apis.AlterPartitionReassignments, {
      timeoutMs: 30_000,
      topics: [...groupByTopic(reassignments)].map(([name, items]) => ({ name, partitions: items.map((r) => ({ partitionIndex: r.partition, replicas: r.replicas })) })),
    }, { signal })
    throwTopLevel(operation, response.body, `on ${controller.label}`)
    const failures: ItemFailure[] = []
    for (const t of response.body.responses) {
      for (const p of t.partitions) if (p.errorCode !== KafkaErrorCode.NONE) failures.push({ item: `${t.name}-${p.partitionIndex}`, errorCode: p.errorCode, message: p.errorMessage })
    }
    throwItemFailures(operation, attempt, failures)
  })
}

export async function cancelPartitionReassignments (ctx: AdminContext, partitions: Array<{ topic: string, partition: number }>, options: CallOptions = {}): Promise<void> {
  await alterPartitionReassignments(ctx, partitions.map((p) => ({ ...p, replicas: null })), options)
}

export async function listPartitionReassignments (ctx: AdminContext, options: CallOptions & { partitions?: Array<{ topic: string, partition: number }> } = {}): Promise<OngoingReassignment[]> {
  const operation = 'listPartitionReassignments'
  return await adminCall(ctx, operation, options, async (signal) => {
    const controller = await ctx.cluster.controllerConnection({ signal })
    const topics = options.partitions === undefined
      ? null
      : [...groupByTopic(options.partitions)].map(([name, items]) => ({ name, partitionIndexes: items.map((p) => p.partition) }))
    const response = await controller.request(apis.ListPartitionReassignments, { timeoutMs: 30_000, topics }, { signal })
    throwTopLevel(operation, response.body, `on ${controller.label}`)
    return response.body.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name, partition: p.partitionIndex, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas,
    })))
  })
}

/** Elects the preferred (or, unclean, any) leader; partitions whose election is not needed count as done. */
export async function electLeaders (ctx: AdminContext, type: 'preferred' | 'unclean', partitions: Array<{ topic: string, partition: number }> | null, options: CallOptions = {}): Promise<void> {
  const operation = 'electLeaders'
  if (type !== 'preferred' && type !== 'unclean') throw new InvalidArgumentError(`${operation}: type must be preferred or unclean, got ${String(type)}`)
  await adminCall(ctx, operation, options, async (signal, attempt) => {
    const controller = await ctx.cluster.controllerConnection({ signal })
    const response = await controller.request(apis.ElectLeaders, {
      electionType: type === 'preferred' ? 0 : 1,
      topicPartitions: partitions === null ? null : [...groupByTopic(partitions)].map(([topic, items]) => ({ topic, partitions: items.map((p) => p.partition) })),
      timeoutMs: 30_000,
    }, { signal })
    throwTopLevel(operation, response.body, `on ${controller.label}`)
    const failures: ItemFailure[] = []
    for (const t of response.body.replicaElectionResults) {
      for (const p of t.partitionResult) {
        if (p.errorCode !== KafkaErrorCode.NONE && p.errorCode !== KafkaErrorCode.ELECTION_NOT_NEEDED) failures.push({ item: `${t.topic}-${p.partitionId}`, errorCode: p.errorCode, message: p.errorMessage })
      }
    }
    throwItemFailures(operation, attempt, failures)
  })
}

/** Deletes records before `offset` in each partition (at its leader); returns the new low watermarks. */
export async function deleteRecords (ctx: AdminContext, partitions: Array<{ topic: string, partition: number, offset: bigint | number }>, options: CallOptions = {}): Promise<Array<{ topic: string, partition: number, lowWatermark: bigint }>> {
  const operation = 'deleteRecords'
  return await adminCall(ctx, operation, options, async (signal, attempt) => {
    const metadata = await ctx.cluster.metadata([...new Set(partitions.map((p) => p.topic))], { signal })
    const byLeader = new Map<number, typeof partitions>()
    for (const p of partitions) {
      const leader = metadata.topics.get(p.topic)?.partitions.find((x) => x.partition === p.partition)?.leader ?? -1
      if (leader < 0) throw kafkaError(metadata.topics.get(p.topic) === undefined ? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION : KafkaErrorCode.LEADER_NOT_AVAILABLE, `${operation}: ${p.topic}-${p.partition}`)
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
    }
    const responses = await Promise.all([...byLeader].map(async ([leader, items]) => {
      const connection = await ctx.cluster.connection(leader, 'default', { signal })
      return await connection.request(apis.DeleteRecords, {
        topics: [...groupByTopic(items)].map(([name, ps]) => ({ name, partitions: ps.map((p) => ({ partitionIndex: p.partition, offset: BigInt(p.offset) })) })),
        timeoutMs: 30_000,
      }, { signal })
    }))
    const results: Array<{ topic: string, partition: number, lowWatermark: bigint }> = []
    const failures: ItemFailure[] = []
    for (const response of responses) {
      for (const t of response.body.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== KafkaErrorCode.NONE) failures.push({ item: `${t.name}-${p.partitionIndex}`, errorCode: p.errorCode })
          else results.push({ topic: t.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark })
        }
      }
    }
    throwItemFailures(operation, attempt, failures)
    return results
  })
}
