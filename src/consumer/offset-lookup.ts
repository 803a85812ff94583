/**
 * ListOffsets for the partitions that need a position: the earliest offset, the end, or the
 * first offset at or after a timestamp, asked of each partition's leader (one request per
 * leader). Per-partition errors are returned, not thrown, so one partition without a leader does
 * not hold up the others.
 */
import type { Cluster } from '../cluster/cluster.ts'
import { apis } from '../protocol/apis/index.ts'
import type { ResponseBody } from '../protocol/messages.ts'
import { KafkaErrorCode } from '../resilience/kafka-errors.ts'
import type { OffsetTarget } from './partition-state.ts'

export interface LookupItem {
  topic: string
  partition: number
  leader: number
  leaderEpoch: number
  target: Exclude<OffsetTarget, bigint>
}

export type LookupResult =
  | { item: LookupItem, offset: bigint }
  | { item: LookupItem, errorCode: number }
  | { item: LookupItem, error: unknown }

const EARLIEST = -2n
const LATEST = -1n

function timestampOf (target: LookupItem['target']): bigint {
  if (target === 'earliest') return EARLIEST
  if (target === 'latest') return LATEST
  return BigInt(Math.trunc(target.timestamp))
}

export async function lookupOffsets (cluster: Cluster, items: LookupItem[], isolationLevel: 0 | 1, signal?: AbortSignal): Promise<LookupResult[]> {
  const byLeader = new Map<number, LookupItem[]>()
  for (const item of items) byLeader.set(item.leader, [...(byLeader.get(item.leader) ?? []), item])
  const answers = await Promise.all([...byLeader].map(async ([leader, group]) => await lookupOnLeader(cluster, leader, group, isolationLevel, signal)))
  return answers.flat()
}

async function lookupOnLeader (cluster: Cluster, leader: number, items: LookupItem[], isolationLevel: 0 | 1, signal?: AbortSignal): Promise<LookupResult[]> {
  const topics = new Map<string, LookupItem[]>()
  for (const item of items) topics.set(item.topic, [...(topics.get(item.topic) ?? []), item])
  let body: ResponseBody<typeof apis.ListOffsets>
  let version: number
  try {
    const connection = await cluster.connection(leader)
    const response = await connection.request(apis.ListOffsets, {
      replicaId: -1,
      isolationLevel,
      topics: [...topics].map(([name, list]) => ({
        name,
        partitions: list.map((i) => ({ partitionIndex: i.partition, currentLeaderEpoch: i.leaderEpoch, timestamp: timestampOf(i.target) })),
      })),
      timeoutMs: 5_000,
    }, { signal })
    version = response.version
    body = response.body
  } catch (error) {
    return items.map((item) => ({ item, error }))
  }
  const results: LookupResult[] = []
  for (const t of body.topics) {
    for (const p of t.partitions) {
      const item = topics.get(t.name)?.find((i) => i.partition === p.partitionIndex)
      if (item === undefined) continue
      if (p.errorCode !== KafkaErrorCode.NONE) results.push({ item, errorCode: p.errorCode })
      // v0 (brokers before 0.10.1) answers a list of "old style" offsets, later versions one offset.
      else results.push({ item, offset: version === 0 ? p.oldStyleOffsets?.[0] ?? -1n : p.offset ?? -1n })
    }
  }
  // A partition the broker left out of its answer is asked again.
  for (const item of items) if (!results.some((r) => r.item === item)) results.push({ item, errorCode: KafkaErrorCode.LEADER_NOT_AVAILABLE })
  return results
}
