/**
 * What callers pass to `send`, and its checked, normalised form: an AcceptedRecord, the one object
 * per record the producer keeps (its batch holds it until the broker's answer). Each way in gives
 * the outcome its own home (a promise per `send`, a shared tally per `sendBatch`) by subclassing.
 */
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { RecordHeader } from '../protocol/records/types.ts'
import { estimateRecordSize, type PendingRecord, type RecordMetadata } from './batch.ts'

export type Bytes = Buffer | Uint8Array | string

export interface ProducerRecord {
  topic: string
  value: Bytes | null
  key?: Bytes | null
  /** An object (one header per entry) or a list, which may repeat keys. */
  headers?: Record<string, Bytes | null> | Array<{ key: string, value: Bytes | null }>
  /** Create time in milliseconds since the epoch (or a Date); default: now. */
  timestamp?: number | Date
  /** Bypasses the partitioner. */
  partition?: number
}

function bytes (value: unknown, where: string): Buffer | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return Buffer.from(value)
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new InvalidArgumentError(`send: ${where} must be a Buffer, a Uint8Array, a string or null, got ${typeof value}`)
}

/** Shared by every record without headers (nothing appends to a record's headers). */
const NO_HEADERS: RecordHeader[] = []

function headerList (headers: ProducerRecord['headers']): RecordHeader[] {
  if (headers === undefined || headers === null) return NO_HEADERS
  if (Array.isArray(headers)) {
    return headers.map((h, i) => {
      if (typeof h?.key !== 'string') throw new InvalidArgumentError(`send: headers[${i}].key must be a string`)
      return { key: h.key, value: bytes(h.value, `headers[${i}].value`) }
    })
  }
  if (typeof headers !== 'object') throw new InvalidArgumentError(`send: headers must be an object or a list of { key, value }, got ${typeof headers}`)
  return Object.entries(headers).map(([key, value]) => ({ key, value: bytes(value, `headers.${key}`) }))
}

function timestampOf (value: ProducerRecord['timestamp'], now: number): number {
  if (value === undefined) return now
  const ms = value instanceof Date ? value.getTime() : value
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    throw new InvalidArgumentError(`send: timestamp must be a Date or an integer number of milliseconds >= 0, got ${String(value)}`)
  }
  return ms
}

/** A record checked and normalised; the constructor throws what `send` rejects with at once. */
export abstract class AcceptedRecord implements PendingRecord {
  readonly topic: string
  readonly partition: number | undefined
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: RecordHeader[]
  readonly timestamp: number
  readonly size: number

  constructor (record: ProducerRecord, now: number) {
    if (record === null || typeof record !== 'object') throw new InvalidArgumentError('send: the record must be an object with topic and value')
    if (typeof record.topic !== 'string' || record.topic === '') throw new InvalidArgumentError(`send: topic must be a non-empty string, got ${JSON.stringify(record.topic)}`)
    const topic = record.topic
    if (!('value' in record)) throw new InvalidArgumentError(`send: record for topic ${topic} has no value (use null for a tombstone)`)
    const partition = record.partition
    if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) {
      throw new InvalidArgumentError(`send: partition must be an integer >= 0, got ${String(partition)}`)
    }
    this.topic = topic
    this.partition = partition
    this.key = bytes(record.key, 'key')
    this.value = bytes(record.value, 'value')
    this.headers = headerList(record.headers)
    this.timestamp = timestampOf(record.timestamp, now)
    this.size = estimateRecordSize(this.key, this.value, this.headers)
  }

  abstract resolve (metadata: RecordMetadata): void
  abstract reject (error: unknown): void
}

/** A record of one `send` call: its outcome settles that call's promise. */
export class SentRecord extends AcceptedRecord {
  readonly #resolve: (metadata: RecordMetadata) => void
  readonly #reject: (error: unknown) => void

  constructor (record: ProducerRecord, now: number, resolve: (metadata: RecordMetadata) => void, reject: (error: unknown) => void) {
    super(record, now)
    this.#resolve = resolve
    this.#reject = reject
  }

  resolve (metadata: RecordMetadata): void {
    this.#resolve(metadata)
  }

  reject (error: unknown): void {
    this.#reject(error)
  }
}
