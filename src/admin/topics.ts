/**
 * Topics: list and describe (from metadata), create, delete and add partitions (at the
 * controller; NOT_CONTROLLER refreshes metadata and retries). Items that succeeded in an earlier
 * attempt are not sent again. An item sent before whose answer was lost (connection reset,
 * timeout) may have been applied: on the resend, TOPIC_ALREADY_EXISTS (create) or
 * UNKNOWN_TOPIC_OR_PARTITION (delete) for it counts as done.
 */
import { apis } from '../protocol/apis/index.ts'
import { ZERO_UUID } from '../protocol/primitives/uuid.ts'
import { KafkaErrorCode } from '../resilience/kafka-errors.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { TopicInfo } from '../cluster/metadata.ts'
import { adminCall, type AdminContext, type CallOptions } from './context.ts'
import { throwItemFailures, type ItemFailure } from './results.ts'

export interface NewTopic {
  name: string
  /** Default: the broker's num.partitions. */
  partitions?: number
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number
  configs?: Record<string, string>
  /** Explicit replica placement: partition index -> broker ids (then partitions/replicationFactor are not sent). */
  assignments?: Record<number, number[]>
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/

export function checkTopicName (name: unknown, where: string): string {
  if (typeof name !== 'string' || !TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new InvalidArgumentError(`${where}: "${String(name)}" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)`)
  }
  return name
}

function checkCount (value: number | undefined, field: string, max: number): number {
  if (value === undefined) return -1
  if (!Number.isInteger(value) || value < 1 || value > max) throw new InvalidArgumentError(`${field} must be an integer in 1..${max}, got ${value}`)
  return value
}

/**
 * Awaits a request; when it fails without an answer (connection lost, timeout), the items it
 * carried are marked uncertain: the broker may have applied them.
 */
async function unanswered<T> (uncertain: Set<string>, items: string[], request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (error) {
    for (const item of items) uncertain.add(item)
    throw error
  }
}

export async function listTopics (ctx: AdminContext, options: CallOptions & { includeInternal?: boolean } = {}): Promise<string[]> {
  const metadata = await adminCall(ctx, 'listTopics', options, async (signal) => await ctx.cluster.refreshMetadata(undefined, { signal }))
  return [...metadata.topics.values()].filter((t) => options.includeInternal === true || !t.isInternal).map((t) => t.name).sort()
}

export async function describeTopics (ctx: AdminContext, names: string[], options: CallOptions = {}): Promise<TopicInfo[]> {
  for (const name of names) checkTopicName(name, 'describeTopics')
  return await adminCall(ctx, 'describeTopics', options, async (signal, attempt) => {
    const metadata = await ctx.cluster.refreshMetadata(names, { signal })
    const failures: ItemFailure[] = []
    const topics = names.map((name) => {
      const info = metadata.topics.get(name)
      // A topic the cluster does not know fails at once (as Kafka's admin client does); leader
      // elections and other transient topic errors are retried.
      const code = info?.errorCode ?? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      if (code !== KafkaErrorCode.NONE) failures.push({ item: `topic ${name}`, errorCode: code, fatal: code === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION })
      return info as TopicInfo
    })
    throwItemFailures('describeTopics', attempt, failures)
    return topics
  })
}

export async function createTopics (ctx: AdminContext, topics: NewTopic[], options: CallOptions & { validateOnly?: boolean } = {}): Promise<void> {
  const operation = 'createTopics'
  const requests = topics.map((t, i) => {
    checkTopicName(t.name, `${operation}: topics[${i}].name`)
    const assignments = Object.entries(t.assignments ?? {}).map(([p, brokerIds]) => ({ partitionIndex: Number(p), brokerIds }))
    return {
      name: t.name,
      numPartitions: assignments.length > 0 ? -1 : checkCount(t.partitions, `${operation}: topics[${i}].partitions`, 1_000_000),
      replicationFactor: assignments.length > 0 ? -1 : checkCount(t.replicationFactor, `${operation}: topics[${i}].replicationFactor`, 32_767),
      assignments,
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    }
  })
  const pending = new Map(requests.map((r) => [r.name, r]))
  const uncertain = new Set<string>()
  await adminCall(ctx, operation, options, async (signal, attempt) => {
    const controller = await ctx.cluster.controllerConnection({ signal })
    const response = await unanswered(uncertain, [...pending.keys()], controller.request(apis.CreateTopics, { topics: [...pending.values()], timeoutMs: 30_000, validateOnly: options.validateOnly === true }, { signal }))
    const failures: ItemFailure[] = []
    for (const r of response.body.topics) {
      if (r.errorCode === KafkaErrorCode.NONE || (r.errorCode === KafkaErrorCode.TOPIC_ALREADY_EXISTS && uncertain.has(r.name) && options.validateOnly !== true)) pending.delete(r.name)
      else failures.push({ item: `topic ${r.name}`, errorCode: r.errorCode, message: r.errorMessage })
    }
    throwItemFailures(operation, attempt, failures)
  })
}

export async function deleteTopics (ctx: AdminContext, names: string[], options: CallOptions = {}): Promise<void> {
  const operation = 'deleteTopics'
  for (const name of names) checkTopicName(name, operation)
  const pending = new Set(names)
  const uncertain = new Set<string>()
  await adminCall(ctx, operation, options, async (signal, attempt) => {
    const controller = await ctx.cluster.controllerConnection({ signal })
    const response = await unanswered(uncertain, [...pending], controller.request(apis.DeleteTopics, (version) => version >= 6
      // By name: the all-zero topic id stands for "none".
      ? { topics: [...pending].map((name) => ({ name, topicId: ZERO_UUID })), timeoutMs: 30_000 }
      : { topicNames: [...pending], timeoutMs: 30_000 }, { signal }))
    const failures: ItemFailure[] = []
    for (const r of response.body.responses) {
      // v6+ answers may name no topic (those asked by id); '' is no valid topic name, so it matches nothing.
      const name = r.name ?? ''
      if (r.errorCode === KafkaErrorCode.NONE || (r.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION && uncertain.has(name))) pending.delete(name)
      // Deleting a topic that does not exist fails at once rather than retrying to the deadline.
      else failures.push({ item: `topic ${r.name}`, errorCode: r.errorCode, message: r.errorMessage, fatal: r.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION })
    }
    throwItemFailures(operation, attempt, failures)
  })
  await ctx.cluster.refreshMetadata().catch(() => {})
}

/** Raises topics' partition counts to `count` (Kafka never lowers them). */
export async function createPartitions (ctx: AdminContext, topics: Array<{ topic: string, count: number, assignments?: number[][] }>, options: CallOptions & { validateOnly?: boolean } = {}): Promise<void> {
  const operation = 'createPartitions'
  for (const [i, t] of topics.entries()) {
    checkTopicName(t.topic, `${operation}: topics[${i}].topic`)
    checkCount(t.count, `${operation}: topics[${i}].count`, 1_000_000)
  }
  const pending = new Map(topics.map((t) => [t.topic, t]))
  await adminCall(ctx, operation, options, async (signal, attempt) => {
    const controller = await ctx.cluster.controllerConnection({ signal })
    const response = await controller.request(apis.CreatePartitions, {
      topics: [...pending.values()].map((t) => ({ name: t.topic, count: t.count, assignments: t.assignments?.map((brokerIds) => ({ brokerIds })) ?? null })),
      timeoutMs: 30_000,
      validateOnly: options.validateOnly === true,
    }, { signal })
    const failures: ItemFailure[] = []
    for (const r of response.body.results) {
      if (r.errorCode === KafkaErrorCode.NONE) pending.delete(r.name)
      else failures.push({ item: `topic ${r.name}`, errorCode: r.errorCode, message: r.errorMessage })
    }
    throwItemFailures(operation, attempt, failures)
  })
}
