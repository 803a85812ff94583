/** `steadfast groups list|describe|offsets|lag|reset-offsets|delete-offsets|delete`. */
import type { Command } from 'commander'
import { addKafkaOptions, withAdmin, type KafkaCommandOptions } from '../admin-session.ts'
import type { Admin } from '../../admin/admin.ts'
import type { OffsetSpec } from '../../admin/offsets.ts'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { printResult } from '../options.ts'
import { parseOffsetSpec, parseTopicPartitions } from '../topic-partitions.ts'

type TopicsOption = KafkaCommandOptions & { topic: string[] }

const collect = (value: string, previous: string[]): string[] => [...previous, value]
const topicsOf = (options: TopicsOption): Array<{ topic: string }> | undefined => options.topic.length === 0 ? undefined : options.topic.map((topic) => ({ topic }))

export function register (groups: Command): void {
  addKafkaOptions(groups.command('list').description('List the groups of the cluster'))
    .action(async (options: KafkaCommandOptions) => {
      await withAdmin(options, async (admin, call, format) => {
        const listed = await admin.listGroups(call)
        printResult(format, listed, listed.map((g) => ({ group: g.groupId, type: g.protocolType, state: g.state ?? '', coordinator: g.coordinator })), ['group', 'type', 'state', 'coordinator'])
      })
    })

  addKafkaOptions(groups.command('describe').description('State, protocol and members of groups').argument('<groups...>'))
    .action(async (names: string[], options: KafkaCommandOptions) => {
      await withAdmin(options, async (admin, call, format) => {
        const described = await admin.describeGroups(names, call)
        const rows = described.flatMap((g) => g.members.length === 0
          ? [{ group: g.groupId, state: g.state, protocol: g.protocol, member: '', client: '', host: '' }]
          : g.members.map((m) => ({ group: g.groupId, state: g.state, protocol: g.protocol, member: m.memberId, client: m.clientId, host: m.clientHost })))
        printResult(format, described, rows, ['group', 'state', 'protocol', 'member', 'client', 'host'])
      })
    })

  addKafkaOptions(groups.command('offsets').description('Committed offsets of groups').argument('<groups...>'))
    .option('--topic <topic>', 'only this topic (repeatable); needed for brokers that cannot list all of a group\'s topics', collect, [])
    .action(async (names: string[], options: TopicsOption) => {
      await withAdmin(options, async (admin, call, format) => {
        const topics = topicsOf(options)
        const offsets = await admin.listConsumerGroupOffsets(names, { ...call, ...(topics === undefined ? {} : { topics }) })
        const rows = [...offsets].flatMap(([group, list]) => list.map((o) => ({ group, topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })))
        printResult(format, Object.fromEntries(offsets), rows, ['group', 'topic', 'partition', 'offset', 'metadata'])
      })
    })

  addKafkaOptions(groups.command('lag').description('Lag of a group per partition (log end minus committed)').argument('<group>'))
    .option('--topic <topic>', 'only this topic (repeatable)', collect, [])
    .action(async (group: string, options: TopicsOption) => {
      await withAdmin(options, async (admin, call, format) => {
        const topics = topicsOf(options)
        const lag = await admin.consumerGroupLag(group, { ...call, ...(topics === undefined ? {} : { topics }) })
        const total = lag.reduce((sum, l) => sum + l.lag, 0n)
        printResult(format, { group, total, partitions: lag }, [...lag, { topic: 'TOTAL', lag: total }], ['topic', 'partition', 'committed', 'latest', 'lag'])
      })
    })

  addKafkaOptions(groups.command('delete').description('Delete groups that have no members').argument('<groups...>'))
    .action(async (names: string[], options: KafkaCommandOptions) => {
      await withAdmin(options, async (admin, call, format) => {
        await admin.deleteGroups(names, call)
        printResult(format, { deleted: names }, names.map((group) => ({ group, deleted: true })), ['group', 'deleted'])
      })
    })

  addKafkaOptions(groups.command('reset-offsets').description('Move a group\'s committed offsets; prints the plan unless --execute (as kafka-consumer-groups.sh)').argument('<group>'))
    .option('--topic <topic[:partitions]>', 'topic, or topic:0,1 for some partitions (repeatable; required)', collect, [])
    .option('--to-earliest', 'to the first offset of each partition')
    .option('--to-latest', 'to the log end of each partition')
    .option('--to-datetime <when>', 'to the first offset at or after a time (ISO date with zone, or epoch milliseconds)')
    .option('--to-offset <n>', 'to this offset in every partition given')
    .option('--dry-run', 'print the plan and change nothing (the default)')
    .option('--execute', 'commit the new offsets (the group must have no members)')
    .action(async (group: string, options: TopicsOption & ResetOptions) => {
      const target = resetTarget(options)
      if (options.topic.length === 0) throw new InvalidArgumentError('reset-offsets: give --topic <topic> (repeatable), the partitions to move')
      if (options.execute === true && options.dryRun === true) throw new InvalidArgumentError('--dry-run and --execute exclude each other')
      const topics = options.topic.map((t) => parseTopicPartitions(t, '--topic'))
      await withAdmin(options, async (admin, call, format) => {
        if (options.execute === true) await checkInactive(admin, group, call)
        const plan = await resetPlan(admin, group, topics, target, call)
        if (options.execute === true) await admin.alterConsumerGroupOffsets(group, plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.target })), call)
        printResult(format, { group, executed: options.execute === true, partitions: plan }, plan.map((p) => ({ ...p, current: p.current < 0n ? '-' : p.current })), ['topic', 'partition', 'current', 'target'])
        if (options.execute !== true) process.stderr.write('dry run: nothing changed; --execute commits these offsets\n')
      })
    })

  addKafkaOptions(groups.command('delete-offsets').description('Delete a group\'s committed offsets for topics (or some of their partitions)').argument('<group>'))
    .option('--topic <topic[:partitions]>', 'topic, or topic:0,1 for some partitions (repeatable; required)', collect, [])
    .action(async (group: string, options: TopicsOption) => {
      if (options.topic.length === 0) throw new InvalidArgumentError('delete-offsets: give --topic <topic> (repeatable), whose offsets to delete')
      const topics = options.topic.map((t) => parseTopicPartitions(t, '--topic'))
      await withAdmin(options, async (admin, call, format) => {
        await admin.deleteConsumerGroupOffsets(group, topics, call)
        printResult(format, { group, deleted: topics }, topics.map((t) => ({ group, topic: t.topic, partitions: t.partitions?.join(',') ?? 'all' })), ['group', 'topic', 'partitions'])
      })
    })
}

/** Offsets a live group would overwrite with its next commit: Kafka resets only groups without members. */
async function checkInactive (admin: Admin, group: string, call: { timeoutMs: number }): Promise<void> {
  const [description] = await admin.describeGroups([group], call)
  const state = description?.state ?? 'Dead'
  if (state !== 'Empty' && state !== 'Dead') {
    throw new InvalidArgumentError(`reset-offsets: group ${group} is ${state} with ${description?.members.length ?? 0} member(s); offsets can be reset only when it has none (stop its consumers first)`)
  }
}

interface ResetOptions {
  toEarliest?: boolean
  toLatest?: boolean
  toDatetime?: string
  toOffset?: string
  dryRun?: boolean
  execute?: boolean
}

type ResetTarget = OffsetSpec | { offset: bigint }

function resetTarget (options: ResetOptions): ResetTarget {
  const given = [options.toEarliest === true, options.toLatest === true, options.toDatetime !== undefined, options.toOffset !== undefined].filter(Boolean).length
  if (given !== 1) throw new InvalidArgumentError('reset-offsets: give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset')
  if (options.toEarliest === true) return 'earliest'
  if (options.toLatest === true) return 'latest'
  if (options.toOffset !== undefined) {
    if (!/^\d+$/.test(options.toOffset)) throw new InvalidArgumentError(`--to-offset: "${options.toOffset}" is not an offset (an integer >= 0)`)
    return { offset: BigInt(options.toOffset) }
  }
  const spec = parseOffsetSpec(options.toDatetime ?? '', '--to-datetime')
  if (typeof spec !== 'object') throw new InvalidArgumentError('--to-datetime takes a time; use --to-earliest or --to-latest for those')
  return spec
}

interface PlannedReset { topic: string, partition: number, current: bigint, target: bigint }

/**
 * Where each partition would go. A time after the last record, or an offset past the log end, goes
 * to the log end; an offset before the log start goes to the start (what Kafka's tool does).
 */
async function resetPlan (admin: Admin, group: string, topics: Array<{ topic: string, partitions?: number[] }>, target: ResetTarget, call: { timeoutMs: number }): Promise<PlannedReset[]> {
  const key = (o: { topic: string, partition: number }): string => `${o.topic}:${o.partition}`
  const [earliest, latest, committed] = await Promise.all([
    admin.listOffsets(topics, 'earliest', call),
    admin.listOffsets(topics, 'latest', call),
    admin.listConsumerGroupOffsets(group, { ...call, topics }),
  ])
  const byTime = typeof target === 'object' && 'timestamp' in target ? new Map((await admin.listOffsets(topics, target, call)).map((o) => [key(o), o.offset])) : undefined
  const start = new Map(earliest.map((o) => [key(o), o.offset]))
  const current = new Map((committed.get(group) ?? []).map((o) => [key(o), o.offset]))
  return latest.map((end) => {
    const low = start.get(key(end)) ?? 0n
    let offset = target === 'earliest' ? low : target === 'latest' ? end.offset : 'offset' in target ? target.offset : byTime?.get(key(end)) ?? -1n
    if (offset < 0n || offset > end.offset) offset = end.offset
    if (offset < low) offset = low
    return { topic: end.topic, partition: end.partition, current: current.get(key(end)) ?? -1n, target: offset }
  }).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}
