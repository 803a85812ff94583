/**
 * `steadfast produce`: reads lines from stdin or --file (like `kcat -P`) and sends each as one
 * record: the whole line as the value, split into key and value at the first key separator, with a
 * fixed --key, or (--format json) an object with key, value, headers and partition. Lines are bytes: what arrives is
 * what is stored (`--crlf` strips a trailing `\r`). Prints a summary (and with --output json, the
 * partition and offset or the error of every line); exits non-zero when any line failed. Reading
 * pauses while too many sends (or too many bytes) await their outcome, and a line too large for one
 * record is skipped without being held, so memory stays bounded however long the input is. The
 * clients are imported when the command runs, so `produce --help` starts without them.
 */
import { createReadStream } from 'node:fs'
import type { Command } from 'commander'
import type { Cluster } from '../../cluster/cluster.ts'
import type { Logger } from '../../observability/logger.ts'
import type { Acks } from '../../producer/options.ts'
import type { CompressionName } from '../../protocol/compression/codec.ts'
import { DeadlineExceededError, InvalidArgumentError, KafkaProtocolError } from '../../resilience/errors.ts'
import { byteLines } from '../byte-lines.ts'
import { checkUserFile } from '../files.ts'
import { addConnectionOptions, kafkaConnection, type ConnectionFlags } from '../kafka-connection.ts'
import { commandLogger } from '../logging.ts'
import { withProgress } from '../progress.ts'
import { stdoutClosed } from '../stdout.ts'
import { integerOption, parseDuration, parseStreamOutput, renderTable, toJson } from '../options.ts'
import { unescapeDelimiter } from './produce-input.ts'
import type { LineResult, ProduceInput, ProduceSummary } from './produce-lines.ts'

interface ProduceCommandOptions extends ConnectionFlags {
  topic: string
  keySeparator?: string
  key?: string
  delimiter: string
  nullValue?: string
  format: string
  file?: string
  count?: number
  crlf?: boolean
  compression: string
  acks: string
  partition?: string
  header: string[]
  timeout: string
  output: string
}

/** Below this a delivery timeout leaves no room for a metadata lookup, a send and one retry. */
const MIN_TIMEOUT_MS = 1000
/** How long an unknown topic may take to appear (being created right now) before the command gives up (at most --timeout). */
const UNKNOWN_TOPIC_WAIT_MS = 5000

function parseAcks (text: string): Acks {
  if (text === 'all' || text === '-1') return 'all'
  if (text === '0' || text === '1') return Number(text) as 0 | 1
  throw new InvalidArgumentError(`--acks: "${text}" is not 0, 1 or all`)
}

function parsePartition (text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`--partition: "${text}" is not an integer >= 0`)
  return n
}

function parseTimeout (text: string): number {
  const ms = parseDuration(text, '--timeout')
  if (ms < MIN_TIMEOUT_MS) {
    throw new InvalidArgumentError(`--timeout must be at least 1s (room for a metadata lookup, a send and a retry), got "${text}"`)
  }
  return Math.round(ms)
}

/**
 * Looks the topic up before stdin is read. A topic the cluster does not know for `unknownWaitMs`
 * (it may be being created) fails the command at once: the producer would wait for it for the whole
 * --timeout on every line. A cluster that does not answer within --timeout fails it too, naming
 * what stalled: no line could be delivered in that time either, and waiting again for each line
 * would stretch the command past its --timeout.
 */
async function checkTopic (cluster: Cluster, bootstrap: string, topic: string, timeoutMs: number, logger: Logger): Promise<void> {
  const [{ KafkaErrorCode, kafkaError }, { retry }] = await Promise.all([import('../../resilience/kafka-errors.ts'), import('../../resilience/retry.ts')])
  const unknownWaitMs = Math.min(UNKNOWN_TOPIC_WAIT_MS, timeoutMs)
  let unknownSince: number | undefined
  try {
    await retry(async ({ signal }) => {
      const info = (await cluster.metadata([topic], { signal })).topics.get(topic)
      if (info !== undefined && info.errorCode === KafkaErrorCode.NONE) return
      const error = kafkaError(info?.errorCode ?? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `metadata for topic ${topic}`)
      unknownSince ??= Date.now()
      if (isUnknownTopic(error) && Date.now() - unknownSince >= unknownWaitMs) throw unknownTopic(topic, unknownWaitMs, error)
      throw error
    }, { component: 'cli', operation: 'produce-metadata', policy: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: Infinity, deadlineMs: timeoutMs }, logger })
  } catch (error) {
    if (!(error instanceof DeadlineExceededError)) throw error
    if (isUnknownTopic(error.cause)) throw unknownTopic(topic, unknownWaitMs, error.cause)
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    throw new DeadlineExceededError(`produce: no answer about topic ${topic} from ${bootstrap} within --timeout ${timeoutMs} ms${cause}`, { attempts: error.attempts, elapsedMs: error.elapsedMs, cause: error.cause })
  }
}

function isUnknownTopic (error: unknown): boolean {
  return error instanceof KafkaProtocolError && error.errorName === 'UNKNOWN_TOPIC_OR_PARTITION'
}

function unknownTopic (topic: string, waitedMs: number, cause: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`--topic: the cluster does not know topic "${topic}" (UNKNOWN_TOPIC_OR_PARTITION for ${waitedMs} ms); create it first`, { cause })
}

function parseHeader (pair: string): { key: string, value: string } {
  const eq = pair.indexOf('=')
  if (eq <= 0) throw new InvalidArgumentError(`--header "${pair}" is not key=value`)
  return { key: pair.slice(0, eq), value: pair.slice(eq + 1) }
}

/** Output gathered before one write: a write per result costs more than producing it. */
const JSON_CHUNK_CHARS = 64 * 1024

/** Streams the --output json document: every line's result as it is known, then the counts. */
function jsonWriter (topic: string, write: (text: string) => void): { each: (result: LineResult) => void, end: (summary: ProduceSummary) => void } {
  let pending = `{\n  "topic": ${JSON.stringify(topic)},\n  "results": [`
  let first = true
  return {
    each: (result) => {
      pending += `${first ? '' : ','}\n    ${toJson(result).replace(/\n/g, '\n    ')}`
      first = false
      if (pending.length >= JSON_CHUNK_CHARS) {
        write(pending)
        pending = ''
      }
    },
    end: ({ lines, succeeded, failed, partitions }) => {
      const counts = toJson({ lines, succeeded, failed, partitions }).slice(1, -2)
      write(`${pending}${first ? '' : '\n  '}],${counts}\n}\n`)
    },
  }
}

function renderSummary (summary: ProduceSummary): string {
  const spread = Object.entries(summary.partitions).map(([p, count]) => `${p}: ${count}`).join(', ')
  const out = [`produced ${summary.succeeded} of ${summary.lines} line(s) to ${summary.topic}${spread === '' ? '' : ` (partition: records ${spread})`}; ${summary.failed} failed`]
  const failures = summary.results.filter((r): r is { line: number, error: string } => 'error' in r)
  if (failures.length > 0) out.push('', renderTable(failures, ['line', 'error']).trimEnd())
  if (summary.failed > failures.length) out.push(`… and ${summary.failed - failures.length} more failed line(s)`)
  return out.join('\n') + '\n'
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

export function register (produce: Command): void {
  addConnectionOptions(produce
    .requiredOption('-t, --topic <topic>', 'topic to write to')
    .option('-K, --key-separator <sep>', 'split each line into key and value at the first <sep> (escapes: \\n \\t \\r \\0 \\\\)')
    .option('-k, --key <key>', 'the key of every record')
    .option('-D, --delimiter <sep>', 'what ends a record (escapes as for -K)', '\\n')
    .option('--null-value <marker>', 'a value exactly equal to <marker> is sent as null (a tombstone)')
    .option('--format <format>', 'text (a line is a value, or key<sep>value) or json (one object per line: key, value, headers, partition)', 'text')
    .option('--file <path>', 'read records from this file instead of stdin')
    .option('-c, --count <n>', 'stop after <n> records', integerOption('--count', 1))
    .option('--crlf', 'strip a trailing \\r from each line (input with CRLF line endings); without it every byte is kept')
    .option('--compression <codec>', 'none, gzip, snappy, lz4 or zstd', 'none')
    .option('--acks <acks>', '0, 1 or all', 'all')
    .option('-p, --partition <n>', 'write every record to this partition (default: the partitioner decides)')
    .option('-H, --header <key=value>', 'header for every record, repeatable', collect, [])
    .option('--timeout <duration>', 'delivery timeout per record, retries included', '2m')
    .option('-o, --output <format>', 'table (summary) or json (summary and every line)', 'table'))
    .action(async (options: ProduceCommandOptions) => {
      const format = parseStreamOutput(options.output)
      const deliveryTimeoutMs = parseTimeout(options.timeout)
      const input = produceInput(options)
      const connection = kafkaConnection(options)
      const delimiter = Buffer.from(unescapeDelimiter(options.delimiter, '--delimiter'))
      if (options.file !== undefined) checkUserFile(options.file, '--file')
      const logger = commandLogger()
      const acks = parseAcks(options.acks)
      const requestTimeoutMs = Math.min(30_000, deliveryTimeoutMs)
      const [{ Cluster }, { DEFAULT_CONNECT_TIMEOUT_MS }, { CONNECTION_MAX_IN_FLIGHT, Producer }, { produceLines }] = await Promise.all([
        import('../../cluster/cluster.ts'), import('../../network/connection.ts'), import('../../producer/producer.ts'), import('./produce-lines.ts'),
      ])
      // One cluster client for the topic check and the producer: the producer starts from the
      // metadata and connections the check left.
      const cluster = new Cluster({
        ...connection,
        clientId: 'steadfast-produce',
        logger,
        connectTimeoutMs: Math.min(deliveryTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
        requestTimeoutMs,
        maxInFlight: CONNECTION_MAX_IN_FLIGHT,
      })
      const json = format === 'json' ? jsonWriter(input.topic, (text) => { process.stdout.write(text) }) : undefined
      let summary: ProduceSummary
      try {
        // The wait an unreachable cluster makes long: a spinner on a terminal, as every command has.
        await withProgress(`waiting for ${connection.bootstrap}`, async () => { await checkTopic(cluster, connection.bootstrap, input.topic, deliveryTimeoutMs, logger) })
        const producer = new Producer({
          cluster,
          acks,
          compression: options.compression as CompressionName,
          deliveryTimeoutMs,
          requestTimeoutMs,
          lingerMs: 0,
          maxBlockMs: Math.min(60_000, deliveryTimeoutMs),
          logger,
        })
        try {
          // A line is one record: one that cannot fit in a request is skipped as it is read.
          const maxLineBytes = Math.min(producer.options.maxRequestSize, producer.options.maxBufferedBytesPerPartition)
          const source = options.file === undefined ? process.stdin : createReadStream(options.file)
          summary = await produceLines(producer, input, byteLines(source, maxLineBytes, delimiter), { each: json?.each, signal: stdoutClosed })
        } finally {
          await producer.close()
        }
      } finally {
        await cluster.close()
      }
      if (json === undefined) process.stdout.write(renderSummary(summary))
      else json.end(summary)
      if (summary.failed > 0) process.exitCode = 1
    })
}

function produceInput (options: ProduceCommandOptions): ProduceInput {
  if (options.format !== 'text' && options.format !== 'json') throw new InvalidArgumentError(`--format: "${options.format}" is not text or json`)
  const keySeparator = options.keySeparator === undefined ? undefined : unescapeDelimiter(options.keySeparator, '--key-separator')
  if (keySeparator !== undefined && options.key !== undefined) throw new InvalidArgumentError('--key and --key-separator exclude each other: a fixed key, or a key from each line')
  if (options.format === 'json' && (keySeparator !== undefined || options.key !== undefined || options.nullValue !== undefined)) {
    throw new InvalidArgumentError('--format json carries keys and null values in its objects: --key, --key-separator and --null-value apply to text')
  }
  return {
    topic: options.topic,
    keySeparator,
    key: options.key,
    nullValue: options.nullValue,
    format: options.format,
    crlf: options.crlf === true,
    partition: parsePartition(options.partition),
    headers: options.header.map(parseHeader),
    count: options.count,
  }
}
