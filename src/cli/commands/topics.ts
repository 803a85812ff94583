/** `steadfast topics create|delete|list|describe|describe-config|alter-config|add-partitions`. */
import type { Command } from 'commander'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { addKafkaOptions, withAdmin, type KafkaCommandOptions } from '../admin-session.ts'
import { integerOption, printResult } from '../options.ts'

function parseConfigs (pairs: string[], what = '--config'): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new InvalidArgumentError(`${what} "${pair}" is not key=value`)
    return [pair.slice(0, eq), pair.slice(eq + 1)]
  }))
}

function parseIntOption (value: string, name: string): number {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name}: "${value}" is not an integer`)
  return n
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

export function register (topics: Command): void {
  addKafkaOptions(topics.command('list').description('List topics'))
    .option('--internal', 'include internal topics')
    .action(async (options: KafkaCommandOptions & { internal?: boolean }) => {
      await withAdmin(options, async (admin, call, format) => {
        const names = await admin.listTopics({ ...call, includeInternal: options.internal === true })
        printResult(format, names, names.map((name) => ({ name })), ['name'])
      })
    })

  addKafkaOptions(topics.command('describe').description('Partitions, leaders, replicas and ISR of topics').argument('<topics...>'))
    .action(async (names: string[], options: KafkaCommandOptions) => {
      await withAdmin(options, async (admin, call, format) => {
        const described = await admin.describeTopics(names, call)
        const rows = described.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, leader: p.leader, replicas: p.replicas.join(','), isr: p.isr.join(',') })))
        printResult(format, described, rows, ['topic', 'partition', 'leader', 'replicas', 'isr'])
      })
    })

  addKafkaOptions(topics.command('create').description('Create a topic').argument('<topic>'))
    .option('--partitions <n>', 'number of partitions (default: the broker\'s)')
    .option('--replication-factor <n>', 'replicas per partition (default: the broker\'s)')
    .option('--config <key=value>', 'topic config, repeatable', collect, [])
    .option('--validate-only', 'ask the broker to validate without creating')
    .action(async (name: string, options: KafkaCommandOptions & { partitions?: string, replicationFactor?: string, config: string[], validateOnly?: boolean }) => {
      await withAdmin(options, async (admin, call, format) => {
        const topic = {
          name,
          configs: parseConfigs(options.config),
          ...(options.partitions === undefined ? {} : { partitions: parseIntOption(options.partitions, '--partitions') }),
          ...(options.replicationFactor === undefined ? {} : { replicationFactor: parseIntOption(options.replicationFactor, '--replication-factor') }),
        }
        await admin.createTopics([topic], { ...call, validateOnly: options.validateOnly === true })
        const result = { topic: name, created: options.validateOnly !== true, validated: true }
        printResult(format, result, [result], ['topic', 'created', 'validated'])
      })
    })

  addKafkaOptions(topics.command('delete').description('Delete topics').argument('<topics...>'))
    .action(async (names: string[], options: KafkaCommandOptions) => {
      await withAdmin(options, async (admin, call, format) => {
        await admin.deleteTopics(names, call)
        printResult(format, { deleted: names }, names.map((topic) => ({ topic, deleted: true })), ['topic', 'deleted'])
      })
    })

  addKafkaOptions(topics.command('describe-config').description('The configs set on a topic (as kafka-configs.sh --describe); --all adds the defaults and broker settings it inherits').argument('<topic>'))
    .option('--all', 'every config in effect, with where it comes from')
    .action(async (topic: string, options: KafkaCommandOptions & { all?: boolean }) => {
      await withAdmin(options, async (admin, call, format) => {
        const entries = ((await admin.describeConfigs([{ type: 'topic', name: topic }], call)).get(`topic:${topic}`) ?? [])
          .filter((e) => options.all === true || e.source === 'dynamic-topic')
          .sort((a, b) => a.name.localeCompare(b.name))
        printResult(format, entries, entries.map((e) => ({ ...e, value: e.isSensitive ? '(sensitive)' : e.value ?? '', readOnly: e.readOnly ? 'yes' : '' })), ['name', 'value', 'source', 'readOnly'])
      })
    })

  addKafkaOptions(topics.command('alter-config').description('Set or delete (back to the default) configs of a topic; the others are kept').argument('<topic>'))
    .option('--set <key=value>', 'set a config, repeatable', collect, [])
    .option('--delete <key>', 'return a config to its default, repeatable', collect, [])
    .option('--validate-only', 'ask the broker to validate without changing')
    .action(async (topic: string, options: KafkaCommandOptions & { set: string[], delete: string[], validateOnly?: boolean }) => {
      if (options.set.length === 0 && options.delete.length === 0) throw new InvalidArgumentError('alter-config: give --set key=value or --delete key (each repeatable)')
      const set = parseConfigs(options.set, '--set')
      await withAdmin(options, async (admin, call, format) => {
        await admin.incrementalAlterConfigs([{ type: 'topic', name: topic, set, delete: options.delete }], { ...call, validateOnly: options.validateOnly === true })
        const rows = [...Object.entries(set).map(([name, value]) => ({ name, change: 'set', value })), ...options.delete.map((name) => ({ name, change: 'delete', value: '' }))]
        printResult(format, { topic, validated: true, altered: options.validateOnly !== true, set, deleted: options.delete }, rows, ['name', 'change', 'value'])
      })
    })

  addKafkaOptions(topics.command('add-partitions').description('Raise the partition count of a topic (Kafka cannot lower it)').argument('<topic>'))
    .requiredOption('--count <n>', 'the new total number of partitions', integerOption('--count', 1))
    .option('--validate-only', 'ask the broker to validate without changing')
    .action(async (topic: string, options: KafkaCommandOptions & { count: number, validateOnly?: boolean }) => {
      await withAdmin(options, async (admin, call, format) => {
        await admin.createPartitions([{ topic, count: options.count }], { ...call, validateOnly: options.validateOnly === true })
        const result = { topic, partitions: options.count, changed: options.validateOnly !== true }
        printResult(format, result, [result], ['topic', 'partitions', 'changed'])
      })
    })
}
