/** `steadfast topics create|delete|list|describe`. */
import type { Command } from 'commander'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { addKafkaOptions, withAdmin, type KafkaCommandOptions } from '../admin-session.ts'
import { printResult } from '../options.ts'

function parseConfigs (pairs: string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new InvalidArgumentError(`--config "${pair}" is not key=value`)
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
}
