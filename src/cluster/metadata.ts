/** The cluster as a Metadata response describes it, in the shape the clients use. */
import type { Metadata } from '../protocol/apis/metadata.ts'
import type { ResponseBody } from '../protocol/messages.ts'

export interface BrokerInfo {
  nodeId: number
  host: string
  port: number
  rack: string | null
}

export interface PartitionInfo {
  partition: number
  /** -1 when the partition has no leader right now. */
  leader: number
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  offline: number[]
  errorCode: number
}

export interface TopicInfo {
  name: string
  topicId: string | undefined
  isInternal: boolean
  errorCode: number
  partitions: PartitionInfo[]
}

export interface ClusterMetadata {
  clusterId: string | null
  /** -1 when unknown. */
  controllerId: number
  brokers: Map<number, BrokerInfo>
  topics: Map<string, TopicInfo>
  /** Clock time of the response. */
  fetchedAt: number
}

export interface BrokerChanges {
  added: BrokerInfo[]
  removed: BrokerInfo[]
  /** Same id, new host, port or rack. */
  changed: Array<{ before: BrokerInfo, after: BrokerInfo }>
}

export function parseMetadata (body: ResponseBody<typeof Metadata>, fetchedAt: number): ClusterMetadata {
  const brokers = new Map<number, BrokerInfo>()
  for (const b of body.brokers) {
    brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })
  }
  const topics = new Map<string, TopicInfo>()
  for (const t of body.topics) {
    if (t.name === null) continue
    const partitions: PartitionInfo[] = t.partitions.map((p) => ({
      partition: p.partitionIndex,
      leader: p.leaderId,
      leaderEpoch: p.leaderEpoch ?? -1,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      offline: p.offlineReplicas ?? [],
      errorCode: p.errorCode,
    })).sort((a, b) => a.partition - b.partition)
    topics.set(t.name, { name: t.name, topicId: typeof t.topicId === 'string' ? t.topicId : undefined, isInternal: t.isInternal ?? false, errorCode: t.errorCode, partitions })
  }
  return { clusterId: body.clusterId ?? null, controllerId: body.controllerId ?? -1, brokers, topics, fetchedAt }
}

/** What changed in the broker set between two metadata answers: brokers added, removed, or at a new endpoint. */
export function diffBrokers (before: ReadonlyMap<number, BrokerInfo>, after: ReadonlyMap<number, BrokerInfo>): BrokerChanges {
  const changes: BrokerChanges = { added: [], removed: [], changed: [] }
  for (const [id, b] of after) {
    const old = before.get(id)
    if (old === undefined) changes.added.push(b)
    else if (old.host !== b.host || old.port !== b.port || old.rack !== b.rack) changes.changed.push({ before: old, after: b })
  }
  for (const [id, b] of before) if (!after.has(id)) changes.removed.push(b)
  return changes
}

export function hasChanges (changes: BrokerChanges): boolean {
  return changes.added.length + changes.removed.length + changes.changed.length > 0
}
