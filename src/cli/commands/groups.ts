/** `steadfast groups list|describe|offsets|lag|delete`. */
import type { Command } from 'commander'
import { addKafkaOptions, withAdmin, type KafkaCommandOptions } from '../admin-session.ts'
import { printResult } from '../options.ts'

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
}
