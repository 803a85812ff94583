/**
 * Checks a graph against the cluster before a processor starts: the inputs exist and have one
 * partition count; the loop, the table and the joined tables have that count too (co-partitioning);
 * missing loop, table and output topics are created when the caller asks (the table with
 * cleanup.policy=compact), else each is a clear error saying what to create. Returns every
 * topic's partition count, which emits need to place keys. Transient errors are retried by the
 * admin client; a topic just created is waited for until the metadata shows it.
 */
import type { Admin } from '../admin/admin.ts'
import type { NewTopic } from '../admin/topics.ts'
import { GraphError } from './errors.ts'
import type { GroupGraph } from './graph.ts'

export interface TopicCreation {
  /** Replication factor of created topics. Default: the broker's default.replication.factor. */
  replicationFactor?: number
  /** Extra configs for the created table topic (cleanup.policy=compact is always set). */
  tableConfigs?: Record<string, string>
}

export async function prepareTopics (admin: Admin, graph: GroupGraph, create: TopicCreation | undefined, signal?: AbortSignal): Promise<Map<string, number>> {
  const counts = await partitionCounts(admin, [...graph.inputs.keys(), ...graph.table === undefined ? [] : [graph.table.topic], ...graph.joins.keys(), ...graph.lookups.keys(), ...graph.outputs.keys()], signal)
  const group = graph.group
  const inputs = [...graph.inputs.keys()].filter((t) => t !== graph.loop?.topic)
  const missingInputs = [...inputs, ...graph.joins.keys(), ...graph.lookups.keys()].filter((t) => !counts.has(t))
  if (missingInputs.length > 0) throw new GraphError(`processor ${group}: topic(s) ${missingInputs.join(', ')} do not exist (inputs, joins and lookups are not created by the processor)`)
  const expected = counts.get(inputs[0] as string) as number
  const copartitioned = graph.copartitioned.filter((t) => counts.has(t))
  const mismatched = copartitioned.filter((t) => counts.get(t) !== expected)
  if (mismatched.length > 0) {
    throw new GraphError(`processor ${group}: inputs, loop, table and joins must be co-partitioned (same partition count), got ${copartitioned.map((t) => `${t}: ${String(counts.get(t))}`).join(', ')}`)
  }
  const toCreate: NewTopic[] = []
  const wanted = (topic: string, compact: boolean): void => {
    if (counts.has(topic)) return
    if (create === undefined) {
      throw new GraphError(`processor ${group}: topic ${topic} does not exist; create it with ${expected} partitions${compact ? ' and cleanup.policy=compact' : ''}, or pass createTopics to the processor`)
    }
    toCreate.push({
      name: topic,
      partitions: expected,
      ...create.replicationFactor === undefined ? {} : { replicationFactor: create.replicationFactor },
      ...compact ? { configs: { ...create.tableConfigs, 'cleanup.policy': 'compact' } } : {},
    })
  }
  if (graph.loop !== undefined) wanted(graph.loop.topic, false)
  if (graph.table !== undefined) wanted(graph.table.topic, true)
  for (const topic of graph.outputs.keys()) wanted(topic, false)
  if (toCreate.length > 0) {
    await admin.createTopics(toCreate, { signal, timeoutMs: 60_000 })
    const created = await waitForTopics(admin, toCreate.map((t) => t.name), signal)
    for (const [topic, count] of created) counts.set(topic, count)
  }
  return counts
}

/** Partition counts of the topics that exist (absent ones are left out). */
async function partitionCounts (admin: Admin, topics: string[], signal?: AbortSignal): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics({ signal, timeoutMs: 60_000 }))
  const present = [...new Set(topics)].filter((t) => existing.has(t))
  const described = present.length === 0 ? [] : await admin.describeTopics(present, { signal, timeoutMs: 60_000 })
  return new Map(described.map((t) => [t.name, t.partitions.length]))
}

/** Until the metadata shows every topic with its partitions (a created topic takes a moment to appear everywhere). */
async function waitForTopics (admin: Admin, topics: string[], signal?: AbortSignal): Promise<Map<string, number>> {
  const deadline = Date.now() + 60_000
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const counts = await partitionCounts(admin, topics, signal)
    if (topics.every((t) => (counts.get(t) ?? 0) > 0)) return counts
    if (Date.now() > deadline) throw new GraphError(`created topics ${topics.join(', ')} did not appear in the cluster's metadata within 60 s`)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}
