/** `steadfast offsets list`: earliest, latest or by-timestamp offsets of partitions (like `kcat -Q`). */
import type { Command } from 'commander'
import { addKafkaOptions, withAdmin, type KafkaCommandOptions } from '../admin-session.ts'
import { printResult } from '../options.ts'
import { parseOffsetSpec, parseTopicPartitions } from '../topic-partitions.ts'

export function register (offsets: Command): void {
  addKafkaOptions(offsets.command('list')
    .description('Offsets of partitions: the earliest, the latest (log end), or the first at or after a time')
    .argument('<topics...>', '<topic> or <topic>:<partition>[,<partition>…]')
    .option('--time <when>', 'earliest, latest, epoch milliseconds or an ISO date (2026-12-01T10:00:00Z)', 'latest')
    .addHelpText('after', '\nA time after the last record gives offset -1, as Kafka answers.'))
    .action(async (topics: string[], options: KafkaCommandOptions & { time: string }) => {
      const spec = parseOffsetSpec(options.time, '--time')
      const partitions = topics.map((t) => parseTopicPartitions(t, 'topic'))
      await withAdmin(options, async (admin, call, format) => {
        const found = (await admin.listOffsets(partitions, spec, call)).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
        printResult(format, found, found.map((o) => ({ ...o, timestamp: o.timestamp < 0n ? '' : new Date(Number(o.timestamp)).toISOString() })), ['topic', 'partition', 'offset', 'timestamp'])
      })
    })
}
