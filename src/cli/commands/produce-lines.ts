/**
 * The loop of `steadfast produce`: input lines become records, handed to the producer a chunk at a
 * time through `sendBatch` (one promise per chunk rather than one per line, the per-line cost that
 * dominated), and every line's outcome is reported in line order. A chunk is what one read of the
 * input completed, capped at `maxChunkLines`: a line typed on a terminal goes out on its own, at
 * once. Reading pauses while `maxPending` lines or `maxPendingBytes` bytes await their outcome.
 */
import type { RecordMetadata } from '../../producer/batch.ts'
import { SendBatchError } from '../../producer/errors.ts'
import type { Producer } from '../../producer/producer.ts'
import type { ProducerRecord } from '../../producer/record.ts'
import type { InputLine } from '../byte-lines.ts'
import { lineParser, type InputFormat } from './produce-input.ts'

export type LineResult =
  | { line: number, partition: number, offset: bigint }
  | { line: number, error: string }

export interface ProduceSummary {
  topic: string
  lines: number
  succeeded: number
  failed: number
  /** Records per partition that succeeded. */
  partitions: Record<string, number>
  /** The first 100 failed lines (the others are only counted). */
  results: LineResult[]
}

export interface ProduceLimits {
  /** Lines awaiting their outcome, or holding it until earlier lines have theirs, before reading pauses. */
  maxPending: number
  /** Bytes of lines awaiting their outcome before reading pauses. */
  maxPendingBytes: number
  /** Records handed to the producer in one `sendBatch` call at most. */
  maxChunkLines: number
  /** Told every line's outcome, in line order (for --output json). */
  each?: (result: LineResult) => void
  /** Stops reading (stdout closed): the lines already sent are still awaited and counted. */
  signal?: AbortSignal
}

export interface ProduceInput {
  topic: string
  keySeparator?: string
  /** The key of every record (instead of a key separator). */
  key?: string
  /** A value exactly equal to this is sent as null (a tombstone). */
  nullValue?: string
  /** `text` (default): a line is a value, or key and value; `json`: an object per line. */
  format?: InputFormat
  /** Strip one trailing `\r` from each line (input with CRLF line endings). */
  crlf?: boolean
  partition?: number
  headers: Array<{ key: string, value: string }>
  /** Stop reading after this many lines. */
  count?: number
}

/** Failures listed in the table summary; the rest are counted. */
const FAILURES_KEPT = 100
const DEFAULT_LIMITS: ProduceLimits = { maxPending: 20_000, maxPendingBytes: 32 * 1024 * 1024, maxChunkLines: 4096 }
const CR = 0x0d

type Outcome = RecordMetadata | string

/** Consecutive lines sent in one `sendBatch` call, and what became of each. */
class Chunk {
  readonly first: number
  /** Lines in the chunk, failed ones included. */
  count = 0
  bytes = 0
  readonly records: ProducerRecord[] = []
  /** Lines that failed before they could be sent, in line order. */
  readonly refused: Array<{ line: number, error: string }> = []
  /** Per record, once all are known: its metadata or why it failed. */
  outcomes: Outcome[] | undefined

  constructor (first: number) {
    this.first = first
  }
}

const message = (error: unknown): string => error instanceof Error ? error.message : String(error)

/**
 * Every record's outcome from `sendBatch`. A chunk refused as a whole (a record that `send` would
 * refuse at once, and then nothing was sent) is sent again one record at a time, so that only the
 * line at fault fails. The promise `sendBatch` returns is already rejected then, so the handler
 * that resends runs in the next microtask: the reading loop waits for one after each chunk, so
 * the resent records keep their place in line order.
 */
function deliver (producer: Pick<Producer, 'sendBatch'>, records: ProducerRecord[]): Promise<Outcome[]> {
  return producer.sendBatch(records).then((metadata): Outcome[] => metadata, async (error: unknown) => {
    if (error instanceof SendBatchError) return error.outcomes.map((o) => o.status === 'fulfilled' ? o.value : message(o.reason))
    if (records.length === 1) return [message(error)]
    return await Promise.all(records.map(async (record) => (await deliver(producer, [record]))[0] as Outcome))
  })
}

/**
 * Sends every line without waiting for one before reading the next, but pauses reading while
 * `maxPending` lines or `maxPendingBytes` bytes await their outcome; reports the outcomes in line
 * order (a chunk whose outcomes arrive early is held until the lines before it have theirs).
 */
export async function produceLines (producer: Pick<Producer, 'sendBatch'>, input: ProduceInput, lines: AsyncIterable<readonly InputLine[]>, limits: Partial<ProduceLimits> = {}): Promise<ProduceSummary> {
  const { maxPending, maxPendingBytes, maxChunkLines, each, signal } = { ...DEFAULT_LIMITS, ...limits }
  const summary: ProduceSummary = { topic: input.topic, lines: 0, succeeded: 0, failed: 0, partitions: {}, results: [] }
  // A failure of `each` (the caller's) fails the whole call once every line is settled.
  let reportFailure: unknown
  const tell = (result: LineResult): void => {
    if (each === undefined) return
    try {
      each(result)
    } catch (error) {
      reportFailure ??= error
    }
  }
  const failed = (result: { line: number, error: string }): void => {
    summary.failed++
    if (summary.results.length < FAILURES_KEPT) summary.results.push(result)
    tell(result)
  }
  const emit = (chunk: Chunk): void => {
    const outcomes = chunk.outcomes as Outcome[]
    let refused = 0
    let record = 0
    for (let line = chunk.first; line < chunk.first + chunk.count; line++) {
      const early = chunk.refused[refused]
      if (early?.line === line) {
        refused++
        failed(early)
        continue
      }
      const outcome = outcomes[record++] as Outcome
      if (typeof outcome === 'string') failed({ line, error: outcome })
      else {
        summary.succeeded++
        summary.partitions[outcome.partition] = (summary.partitions[outcome.partition] ?? 0) + 1
        tell({ line, partition: outcome.partition, offset: outcome.offset })
      }
    }
  }
  // Chunks sent and not yet reported, in line order; what they hold counts against the limits.
  const sent: Chunk[] = []
  const held = { count: 0, bytes: 0, wake: () => {} }
  const report = (): void => {
    while (sent[0]?.outcomes !== undefined) {
      const chunk = sent.shift() as Chunk
      emit(chunk)
      held.count -= chunk.count
      held.bytes -= chunk.bytes
    }
    held.wake()
  }
  const parse = lineParser(input)
  let open = new Chunk(1)
  /** Sends the open chunk; true when records went to the producer. */
  const flush = (): boolean => {
    if (open.count === 0) return false
    const chunk = open
    open = new Chunk(chunk.first + chunk.count)
    sent.push(chunk)
    held.count += chunk.count
    held.bytes += chunk.bytes
    if (chunk.records.length === 0) {
      chunk.outcomes = []
      report()
      return false
    }
    deliver(producer, chunk.records).then((outcomes) => {
      chunk.outcomes = outcomes
      report()
    }, (error: unknown) => {
      chunk.outcomes = chunk.records.map(() => message(error))
      report()
    })
    return true
  }
  // After a chunk went out, a microtask: a refused chunk is resent (see deliver) before the next one goes.
  const send = async (): Promise<void> => { if (flush()) await undefined }
  const wait = async (): Promise<void> => { await new Promise<void>((resolve) => { held.wake = resolve }) }
  const done = (): boolean => signal?.aborted === true || summary.lines === input.count
  for await (const group of lines) {
    for (const raw of group) {
      if (done()) break
      while (held.count + open.count >= maxPending || held.bytes + open.bytes >= maxPendingBytes) {
        if (open.count > 0) await send()
        else await wait()
      }
      const line = ++summary.lines
      open.count++
      if (!Buffer.isBuffer(raw)) {
        open.refused.push({ line, error: `line ${line} is ${raw.oversizedBytes} bytes, more than one record may hold (${raw.limitBytes} bytes); skipped` })
      } else {
        const text = input.crlf === true && raw.at(-1) === CR ? raw.subarray(0, -1) : raw
        const parsed = parse(text, line)
        if ('error' in parsed) open.refused.push({ line, error: parsed.error })
        else {
          open.records.push(parsed)
          open.bytes += text.length
          if (open.records.length >= maxChunkLines) await send()
        }
      }
    }
    await send()
    if (done()) break
  }
  while (sent.length > 0) await wait()
  if (reportFailure !== undefined) throw reportFailure
  return summary
}
