/** What callers pass to `send`, and its checked, normalised form. */
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { RecordHeader } from '../protocol/records/types.ts'
import { estimateRecordSize } from './batch.ts'

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

export interface NormalizedRecord {
  topic: string
  partition: number | undefined
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
  timestamp: number
  size: number
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

export function normalizeRecord (record: ProducerRecord, now: number): NormalizedRecord {
  if (record === null || typeof record !== 'object') throw new InvalidArgumentError('send: the record must be an object with topic and value')
  if (typeof record.topic !== 'string' || record.topic === '') throw new InvalidArgumentError(`send: topic must be a non-empty string, got ${JSON.stringify(record.topic)}`)
  const topic = record.topic
  if (!('value' in record)) throw new InvalidArgumentError(`send: record for topic ${topic} has no value (use null for a tombstone)`)
  const partition = record.partition
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) {
    throw new InvalidArgumentError(`send: partition must be an integer >= 0, got ${String(partition)}`)
  }
  const key = bytes(record.key, 'key')
  const value = bytes(record.value, 'value')
  const headers = headerList(record.headers)
  return { topic, partition, key, value, headers, timestamp: timestampOf(record.timestamp, now), size: estimateRecordSize(key, value, headers) }
}
