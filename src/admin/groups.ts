/**
 * Consumer groups: list, describe, delete, committed offsets (list, alter, delete). Every call that
 * goes to a group's coordinator survives coordinator moves: NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and broken connections make it find the
 * coordinator again and retry, under the caller's deadline.
 */
import { apis } from '../protocol/apis/index.ts'
import { offsetFetchGroupResult } from '../protocol/apis/offset-fetch.ts'
import { KafkaErrorCode } from '../resilience/kafka-errors.ts'
import { InvalidArgumentError, ProtocolDecodeError } from '../resilience/errors.ts'
import { adminCall, forEachItem, remaining, type AdminContext, type CallOptions } from './context.ts'
import { throwItemFailures, throwTopLevel, type ItemFailure } from './results.ts'

export interface CommittedOffset {
  topic: string
  partition: number
  /** -1n when the group has no committed offset for the partition. */
  offset: bigint
  leaderEpoch: number
  metadata: string | null
}

export interface TopicPartitions {
  topic: string
  /** All partitions of the topic when omitted (resolved from metadata). */
  partitions?: number[]
}

export interface GroupListing {
  groupId: string
  protocolType: string
  state: string | undefined
  coordinator: number
}

export interface GroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
}

export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: GroupMember[]
  coordinator: number
}

function checkGroupId (groupId: unknown, where: string): string {
  if (typeof groupId !== 'string' || groupId === '') throw new InvalidArgumentError(`${where}: group id must be a non-empty string, got ${JSON.stringify(groupId)}`)
  return groupId
}

/** Committed offsets of one or many groups (all topics the group has offsets for, or those given). */
export async function listConsumerGroupOffsets (ctx: AdminContext, groups: string | string[], options: CallOptions & { topics?: TopicPartitions[] } = {}): Promise<Map<string, CommittedOffset[]>> {
  const list = (typeof groups === 'string' ? [groups] : groups).map((g) => checkGroupId(g, 'listConsumerGroupOffsets'))
  const startedAt = Date.now()
  const topics = options.topics === undefined ? null : await resolvePartitions(ctx, options.topics, options)
  const entries = await forEachItem(remaining(options, ctx, startedAt), list, async (groupId, each) => [groupId, await fetchGroupOffsets(ctx, groupId, topics, each)] as const)
  return new Map(entries)
}

async function fetchGroupOffsets (ctx: AdminContext, groupId: string, topics: Array<{ topic: string, partitions: number[] }> | null, options: CallOptions): Promise<CommittedOffset[]> {
  const operation = 'listConsumerGroupOffsets'
  return await adminCall(ctx, operation, options, async (signal, attempt) => {
    const coordinator = await ctx.cluster.coordinator('group', groupId, { signal })
    const requested = topics === null ? null : topics.map((t) => ({ name: t.topic, partitionIndexes: t.partitions }))
    const response = await coordinator.request(apis.OffsetFetch, (version) => version >= 8
      ? { groups: [{ groupId, topics: requested }], requireStable: true }
      // v0-1 cannot ask for "all topics": they need the list.
      : { groupId, topics: requested ?? (version < 2 ? [] : null), requireStable: true }, { signal })
      .catch((error: unknown) => {
        if (!(error instanceof ProtocolDecodeError) || topics !== null) throw error
        // librdkafka's mock (and brokers like it) answer an all-topics OffsetFetch with bytes
        // that are not valid Kafka: say so, and how to get the offsets anyway.
        throw new InvalidArgumentError(`${coordinator.label} cannot list all of group ${groupId}'s topics (its OffsetFetch answer to a null topic list is malformed: ${error.message}); name the topics (topics option, or --topic)`, { cause: error })
      })
    const body = offsetFetchGroupResult(response.version, response.body)
    throwTopLevel(operation, body, `for group ${groupId} on ${coordinator.label}`)
    const offsets: CommittedOffset[] = []
    const failures: ItemFailure[] = []
    for (const t of body.topics ?? []) {
      for (const p of t.partitions) {
        if (p.errorCode !== KafkaErrorCode.NONE) { failures.push({ item: `group ${groupId} ${t.name}-${p.partitionIndex}`, errorCode: p.errorCode }); continue }
        offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata: p.metadata ?? null })
      }
    }
    throwItemFailures(operation, attempt, failures)
    return offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  }, { coordinator: { type: 'group', key: groupId } })
}

/** Sets committed offsets for a group that has no active members (OffsetCommit as a simple group). */
export async function alterConsumerGroupOffsets (ctx: AdminContext, groupId: string, offsets: Array<{ topic: string, partition: number, offset: bigint | number, metadata?: string | null }>, options: CallOptions = {}): Promise<void> {
  const operation = 'alterConsumerGroupOffsets'
  checkGroupId(groupId, operation)
  for (const [i, o] of offsets.entries()) {
    if (typeof o.topic !== 'string' || o.topic === '' || !Number.isInteger(o.partition) || o.partition < 0 || BigInt(o.offset) < 0n) {
      throw new InvalidArgumentError(`${operation}: offsets[${i}] must have a topic, a partition >= 0 and an offset >= 0, got ${JSON.stringify(o, (_k, v) => typeof v === 'bigint' ? v.toString() : v)}`)
    }
  }
  const byTopic = groupByTopic(offsets)
  await adminCall(ctx, operation, options, async (signal, attempt) => {
    const coordinator = await ctx.cluster.coordinator('group', groupId, { signal })
    const response = await coordinator.request(apis.OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [...byTopic].map(([name, items]) => ({
        name,
        partitions: items.map((o) => ({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedMetadata: o.metadata ?? null })),
      })),
    }, { signal })
    const failures: ItemFailure[] = []
    for (const t of response.body.topics) {
      for (const p of t.partitions) if (p.errorCode !== KafkaErrorCode.NONE) failures.push({ item: `group ${groupId} ${t.name}-${p.partitionIndex}`, errorCode: p.errorCode })
    }
    throwItemFailures(operation, attempt, failures)
  }, { coordinator: { type: 'group', key: groupId } })
}

/** Removes committed offsets of a group for the given partitions (OffsetDelete). */
export async function deleteConsumerGroupOffsets (ctx: AdminContext, groupId: string, partitions: TopicPartitions[], options: CallOptions = {}): Promise<void> {
  const operation = 'deleteConsumerGroupOffsets'
  checkGroupId(groupId, operation)
  const startedAt = Date.now()
  const resolved = await resolvePartitions(ctx, partitions, options)
  await adminCall(ctx, operation, remaining(options, ctx, startedAt), async (signal, attempt) => {
    const coordinator = await ctx.cluster.coordinator('group', groupId, { signal })
    const response = await coordinator.request(apis.OffsetDelete, {
      groupId,
      topics: resolved.map((t) => ({ name: t.topic, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex })) })),
    }, { signal })
    throwTopLevel(operation, response.body, `for group ${groupId} on ${coordinator.label}`)
    const failures: ItemFailure[] = []
    for (const t of response.body.topics) {
      for (const p of t.partitions) if (p.errorCode !== KafkaErrorCode.NONE) failures.push({ item: `group ${groupId} ${t.name}-${p.partitionIndex}`, errorCode: p.errorCode })
    }
    throwItemFailures(operation, attempt, failures)
  }, { coordinator: { type: 'group', key: groupId } })
}

/** Every group of the cluster: each broker lists the groups it coordinates. */
export async function listGroups (ctx: AdminContext, options: CallOptions & { states?: string[] } = {}): Promise<GroupListing[]> {
  const operation = 'listGroups'
  const startedAt = Date.now()
  const metadata = await adminCall(ctx, operation, options, async (signal) => await ctx.cluster.refreshMetadata(undefined, { signal }))
  const perBroker = await forEachItem(remaining(options, ctx, startedAt), [...metadata.brokers.keys()], async (nodeId, each) => await adminCall(ctx, operation, each, async (signal) => {
    const connection = await ctx.cluster.connection(nodeId, 'default', { signal })
    const response = await connection.request(apis.ListGroups, { statesFilter: options.states ?? [], typesFilter: [] }, { signal })
    throwTopLevel(operation, response.body, `on ${connection.label}`)
    return response.body.groups.map((g): GroupListing => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, coordinator: nodeId }))
  }))
  return perBroker.flat().sort((a, b) => a.groupId.localeCompare(b.groupId))
}

/** State, protocol and members of each group, asked of its coordinator. */
export async function describeGroups (ctx: AdminContext, groups: string[], options: CallOptions = {}): Promise<GroupDescription[]> {
  const operation = 'describeGroups'
  for (const groupId of groups) checkGroupId(groupId, operation)
  return await forEachItem(options, groups, async (groupId, each) => {
    return await adminCall(ctx, operation, each, async (signal, attempt) => {
      const coordinator = await ctx.cluster.coordinator('group', groupId, { signal })
      const response = await coordinator.request(apis.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }, { signal })
      const g = response.body.groups[0]
      if (g === undefined) throw new InvalidArgumentError(`${operation}: ${coordinator.label} answered no entry for group ${groupId}`)
      throwItemFailures(operation, attempt, g.errorCode === KafkaErrorCode.NONE ? [] : [{ item: `group ${groupId}`, errorCode: g.errorCode }])
      return {
        groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        coordinator: coordinator.endpoint.nodeId ?? -1,
        members: g.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, clientHost: m.clientHost })),
      }
    }, { coordinator: { type: 'group', key: groupId } })
  })
}

/** Deletes groups that have no members (DeleteGroups at each group's coordinator). */
export async function deleteGroups (ctx: AdminContext, groups: string[], options: CallOptions = {}): Promise<void> {
  const operation = 'deleteGroups'
  for (const groupId of groups) checkGroupId(groupId, operation)
  await forEachItem(options, groups, async (groupId, each) => {
    await adminCall(ctx, operation, each, async (signal, attempt) => {
      const coordinator = await ctx.cluster.coordinator('group', groupId, { signal })
      const response = await coordinator.request(apis.DeleteGroups, { groupsNames: [groupId] }, { signal })
      const failures = response.body.results.filter((r) => r.errorCode !== KafkaErrorCode.NONE).map((r) => ({ item: `group ${r.groupId}`, errorCode: r.errorCode }))
      throwItemFailures(operation, attempt, failures)
    }, { coordinator: { type: 'group', key: groupId } })
  })
}

/** Fills in "every partition" for topics given without partitions, from metadata. */
export async function resolvePartitions (ctx: AdminContext, topics: TopicPartitions[], options: CallOptions): Promise<Array<{ topic: string, partitions: number[] }>> {
  const needed = topics.filter((t) => t.partitions === undefined).map((t) => t.topic)
  const metadata = needed.length > 0 ? await adminCall(ctx, 'resolvePartitions', options, async (signal) => await ctx.cluster.metadata(needed, { signal })) : undefined
  return topics.map((t) => {
    if (t.partitions !== undefined) return { topic: t.topic, partitions: t.partitions }
    const info = metadata?.topics.get(t.topic)
    if (info === undefined || info.errorCode !== KafkaErrorCode.NONE) throw new InvalidArgumentError(`topic ${t.topic} does not exist (metadata has no partitions for it)`)
    return { topic: t.topic, partitions: info.partitions.map((p) => p.partition) }
  })
}

export function groupByTopic<T extends { topic: string }> (items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const item of items) {
    const list = map.get(item.topic) ?? []
    list.push(item)
    map.set(item.topic, list)
  }
  return map
}
