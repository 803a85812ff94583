/**
 * `steadfast consume`: prints records of one or more topics (like `kcat -C`), from every partition
 * (manual assignment) or from the partitions a consumer group gives it (`--group`). It stops at the
 * end of every partition (`--exit`), after `--count` records, or on Ctrl-C / SIGTERM; then it
 * commits what it printed (groups) and exits 0. Exit 1: a Kafka error; exit 2: a usage error.
 *
 * A record counts as printed once its bytes are written; with a group, only printed records are
 * committed (the consumer's iterator counts a record as processed when the next one is asked for).
 */
import { CommanderError, type Command } from 'commander'
import type { Cluster } from '../../cluster/cluster.ts'
import type { Consumer, SeekTarget } from '../../consumer/consumer.ts'
import type { AutoOffsetReset } from '../../consumer/options.ts'
import type { TopicPartition } from '../../consumer/message.ts'
import { DeadlineExceededError, InvalidArgumentError, KafkaProtocolError } from '../../resilience/errors.ts'
import type { Logger } from '../../observability/logger.ts'
import { formatPrinter, jsonPrinter, parseDeserializer, type RecordPrinter } from '../consume-format.ts'
import { waitForStopSignal } from '../foreground.ts'
import { addConnectionOptions, kafkaConnection, type ConnectionFlags } from '../kafka-connection.ts'
import { commandLogger } from '../logging.ts'
import { integerOption, parseDuration, parseTimeout } from '../options.ts'
import { withProgress } from '../progress.ts'
import { stdoutClosed } from '../stdout.ts'

interface ConsumeCommandOptions extends ConnectionFlags {
  topic: string[]
  group?: string
  partition: number[]
  offset?: string
  exit?: boolean
  count?: number
  format: string
  output?: string
  keyDeserializer: string
  valueDeserializer: string
  sessionTimeout?: number
  timeout: number
}

/** Where reading starts: `--offset` parsed. */
export type StartOffset =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'offset', offset: bigint }
  | { kind: 'fromEnd', count: bigint }
  | { kind: 'timestamp', timestamp: number }

const USAGE_EXIT_CODE = 2

/** `beginning`, `end`, `<n>`, `-<n>` (n before the end), `@<ms or ISO time>` (kcat's `s@<ms>` too). */
export function parseStartOffset (text: string): StartOffset {
  if (text === 'beginning') return { kind: 'beginning' }
  if (text === 'end') return { kind: 'end' }
  if (/^\d+$/.test(text)) return { kind: 'offset', offset: BigInt(text) }
  if (/^-\d+$/.test(text)) return { kind: 'fromEnd', count: BigInt(text.slice(1)) }
  const at = /^s?@(.+)$/.exec(text)?.[1]
  if (at !== undefined) {
    const timestamp = /^\d+$/.test(at) ? Number(at) : Date.parse(at)
    if (Number.isSafeInteger(timestamp) && timestamp >= 0) return { kind: 'timestamp', timestamp }
  }
  throw new InvalidArgumentError(`--offset: "${text}" is not beginning, end, <n>, -<n> or @<timestamp> (ms since the epoch or an ISO time)`)
}

/** Where partitions start when the group has no committed offset (or a position is out of range). */
function resetPolicy (start: StartOffset): AutoOffsetReset {
  switch (start.kind) {
    case 'beginning': case 'fromEnd': return 'earliest'
    case 'end': case 'timestamp': return 'latest'
    // An offset past the end is an error to report, not a place to guess.
    case 'offset': return 'none'
  }
}

/** Every partition of the topics (or the `--partition` ones), once metadata knows the topics. */
async function partitionsOf (cluster: Cluster, topics: string[], only: number[], deadlineMs: number, logger: Logger): Promise<TopicPartition[]> {
  const [{ kafkaError }, { retry }] = await Promise.all([import('../../resilience/kafka-errors.ts'), import('../../resilience/retry.ts')])
  return await retry(async ({ signal }) => {
    const metadata = await cluster.metadata(topics, { signal })
    const result: TopicPartition[] = []
    for (const topic of topics) {
      const info = metadata.topics.get(topic)
      if (info === undefined || info.errorCode !== 0) throw kafkaError(info?.errorCode ?? 3, `metadata for topic ${topic}`)
      const known = info.partitions.map((p) => p.partition).sort((a, b) => a - b)
      const missing = only.filter((p) => !known.includes(p))
      if (missing.length > 0) throw new InvalidArgumentError(`--partition: topic ${topic} has no partition ${missing.join(', ')} (it has ${known.length})`)
      for (const partition of only.length > 0 ? only : known) result.push({ topic, partition })
    }
    return result
  }, { component: 'cli', operation: 'consume-metadata', policy: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: Infinity, deadlineMs }, logger })
}

/** Positions a manually assigned partition at `--offset` (an offset before the end clamps at the first one kept). */
async function position (consumer: Consumer, tp: TopicPartition, start: StartOffset): Promise<void> {
  const targets: Record<Exclude<StartOffset['kind'], 'fromEnd'>, () => SeekTarget> = {
    beginning: () => 'earliest',
    end: () => 'latest',
    offset: () => (start as { offset: bigint }).offset,
    timestamp: () => ({ timestamp: (start as { timestamp: number }).timestamp }),
  }
  if (start.kind !== 'fromEnd') {
    await consumer.seek(tp, targets[start.kind]())
    return
  }
  const end = await consumer.seek(tp, 'latest')
  const first = await consumer.seek(tp, 'earliest')
  if (end === undefined || first === undefined) return
  const wanted = end - start.count
  await consumer.seek(tp, wanted > first ? wanted : first)
}

function usageError (message: string): CommanderError {
  process.stderr.write(`steadfast: ${message}\n`)
  return new CommanderError(USAGE_EXIT_CODE, 'steadfast.usage', message)
}

/** A commander option parser whose InvalidArgumentError is a usage error (exit 2). */
function usageChecked<T> (parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text)
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw usageError(error.message)
      throw error
    }
  }
}

function printerOf (options: ConsumeCommandOptions): RecordPrinter {
  const key = parseDeserializer('--key-deserializer', options.keyDeserializer)
  const value = parseDeserializer('--value-deserializer', options.valueDeserializer)
  if (options.output !== undefined && options.output !== 'json') throw new InvalidArgumentError(`--output: "${options.output}" is not a format (json; without --output, --format applies)`)
  return options.output === 'json' ? jsonPrinter(key, value) : formatPrinter(options.format, key, value)
}

interface Plan {
  topics: string[]
  start: StartOffset | undefined
  printer: RecordPrinter
}

function plan (options: ConsumeCommandOptions): Plan {
  const start = options.offset === undefined ? undefined : parseStartOffset(options.offset)
  if (options.group !== undefined) {
    if (options.partition.length > 0) throw new InvalidArgumentError('--partition reads partitions without a group; with --group the group assigns them')
    if (start !== undefined && start.kind !== 'beginning' && start.kind !== 'end') {
      throw new InvalidArgumentError(`--offset ${options.offset ?? ''} needs manual assignment (no --group); with --group, beginning or end says where partitions without a committed offset start`)
    }
  }
  return { topics: [...new Set(options.topic)], start, printer: printerOf(options) }
}

/**
 * Reads and prints until a stop condition; returns how many records it printed. The stop
 * aborts the iterator's signal, so the record last printed counts as processed before it ends.
 */
async function consume (consumer: Consumer, printer: RecordPrinter, options: ConsumeCommandOptions, stop: AbortController): Promise<number> {
  const ended = new Set<string>()
  const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`
  const allEnded = (): boolean => {
    const assigned = consumer.assignment()
    return assigned.length > 0 && assigned.every((tp) => ended.has(key(tp)))
  }
  if (options.exit === true) {
    consumer.onPartitionEnd((end) => {
      ended.add(key(end))
      if (allEnded()) stop.abort()
    })
  }
  let printed = 0
  for await (const m of consumer.messages({ signal: stop.signal })) {
    process.stdout.write(printer.render(m))
    printed++
    if (printed === options.count) stop.abort()
  }
  return printed
}

export function register (command: Command): void {
  addConnectionOptions(command
    // No default list: commander counts a default as given, and --topic is required.
    .requiredOption('-t, --topic <topic>', 'topic to read, repeatable', (value: string, previous: string[] | undefined) => [...(previous ?? []), value]))
    .option('-G, --group <id>', 'read as a member of this consumer group and commit what is printed (else: every partition, nothing committed)')
    .option('-p, --partition <n>', 'read only this partition of each topic, repeatable (not with --group)', (value: string, previous: number[]) => [...previous, usageChecked(integerOption('--partition', 0))(value)], [])
    .option('--offset <where>', 'beginning, end, <n>, -<n> (n before the end) or @<timestamp> (ms or ISO time); with --group, beginning or end for partitions without a committed offset (default: beginning)')
    .option('-e, --exit', 'exit once every partition has been read to its end')
    .option('-c, --count <n>', 'exit after printing n records', usageChecked(integerOption('--count', 1)))
    .option('-f, --format <fmt>', 'kcat-style output: %t topic, %p partition, %o offset, %k key, %s value, %K/%S their sizes (-1 for NULL), %h headers, %T timestamp; \\n \\t \\r \\xHH', '%s\\n')
    .option('-o, --output <format>', 'json: one JSON object per record and line (instead of --format)')
    .option('--session-timeout <duration>', 'with --group: how long the group waits for a member that stopped without leaving (default 45s)', usageChecked((text: string) => parseDuration(text, '--session-timeout')))
    .option('--timeout <duration>', 'how long to wait at start for the cluster and the topics\' metadata, retries included', usageChecked(parseTimeout), 30_000)
    .option('--key-deserializer <how>', 'string, json, hex or base64', 'string')
    .option('--value-deserializer <how>', 'string, json, hex or base64', 'string')
    .action(async (options: ConsumeCommandOptions) => {
      let chosen: Plan
      try {
        chosen = plan(options)
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw usageError(error.message)
        throw error
      }
      await run(options, chosen)
    })
  // Usage errors commander finds itself (a missing --topic, an unknown option) exit 2 as well.
  command.exitOverride((error) => { throw error.exitCode === 1 ? new CommanderError(USAGE_EXIT_CODE, error.code, error.message) : error })
}

async function run (options: ConsumeCommandOptions, { topics, start, printer }: Plan): Promise<void> {
  const logger = commandLogger()
  const connection = kafkaConnection(options)
  // The Kafka clients load when the command runs, so `consume --help` starts without them.
  const [{ Cluster }, { Consumer }] = await Promise.all([import('../../cluster/cluster.ts'), import('../../consumer/consumer.ts')])
  const cluster = new Cluster({ ...connection, clientId: 'steadfast-consume', logger })
  const consumer = new Consumer({
    cluster,
    logger,
    groupId: options.group,
    autoOffsetReset: resetPolicy(start ?? { kind: 'beginning' }),
    ...(options.sessionTimeout === undefined ? {} : { sessionTimeoutMs: options.sessionTimeout }),
  })
  const stop = new AbortController()
  waitForStopSignal().then(() => { stop.abort() }, () => {})
  stdoutClosed.addEventListener('abort', () => { stop.abort() })
  try {
    // With a group too: an unreachable cluster or an unknown topic fails within --timeout, as every command does.
    let partitions: TopicPartition[]
    try {
      partitions = await withProgress(`waiting for ${connection.bootstrap}`, async () => await partitionsOf(cluster, topics, options.partition, options.timeout, logger))
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw usageError(error.message)
      throw unknownTopic(error, options.timeout) ?? unreachable(error, topics, connection.bootstrap, options.timeout) ?? error
    }
    if (options.group !== undefined) {
      consumer.subscribe(topics)
    } else {
      await consumer.assign(partitions)
      await Promise.all(partitions.map(async (tp) => { await position(consumer, tp, start ?? { kind: 'beginning' }) }))
    }
    await consume(consumer, printer, options, stop)
  } finally {
    // With a group, close commits what was printed and leaves the group.
    await consumer.close()
    await cluster.close()
  }
}

/** A topic metadata never knew, as the last cause of the retry's deadline. */
function unknownTopic (error: unknown, timeoutMs: number): Error | undefined {
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof KafkaProtocolError && cause.errorName === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new InvalidArgumentError(`--topic: ${cause.message} for ${timeoutMs / 1000} s; create the topic first`, { cause })
  }
  return undefined
}

/** The retry's deadline for any other reason: the cluster did not answer within --timeout (the cause names the addresses tried). */
function unreachable (error: unknown, topics: string[], bootstrap: string, timeoutMs: number): Error | undefined {
  if (!(error instanceof DeadlineExceededError)) return undefined
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return new DeadlineExceededError(`consume: no answer about topic ${topics.join(', ')} from ${bootstrap} within --timeout ${timeoutMs} ms${cause}`, { attempts: error.attempts, elapsedMs: error.elapsedMs, cause: error.cause })
}
