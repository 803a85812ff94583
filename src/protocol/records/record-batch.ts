/**
 * Record batches, magic v2: encoding (with any codec) and decoding with CRC32C verification.
 * Layout: baseOffset int64, batchLength int32, partitionLeaderEpoch int32, magic int8, crc uint32
 * (CRC32C of everything after it), attributes int16, lastOffsetDelta int32, baseTimestamp int64,
 * maxTimestamp int64, producerId int64, producerEpoch int16, baseSequence int32, count int32, records.
 */
import { CorruptRecordError, InvalidArgumentError, ProtocolDecodeError } from '../../resilience/errors.ts'
import type { CompressionName } from '../compression/index.ts'
import { codecById, codecByName, DEFAULT_MAX_DECOMPRESSED_BYTES } from '../compression/index.ts'
import { Reader } from '../primitives/reader.ts'
import { Writer } from '../primitives/writer.ts'
import { crc32c } from './crc.ts'
import type { ControlType, KafkaRecord, RecordBatch, RecordHeader } from './types.ts'

/** Bytes from the start of a batch to the end of its batchLength field. */
export const BATCH_LOG_OVERHEAD = 12
/** Size of the fixed v2 batch header. */
export const BATCH_HEADER_SIZE = 61
const CRC_OFFSET = 17
const ATTRIBUTES_OFFSET = 21

const ATTR_COMPRESSION = 0x07
const ATTR_LOG_APPEND_TIME = 0x08
const ATTR_TRANSACTIONAL = 0x10
const ATTR_CONTROL = 0x20

export interface RecordInput {
  key?: Buffer | string | null
  value?: Buffer | string | null
  headers?: Array<{ key: string, value: Buffer | string | null }>
  /** Milliseconds since the epoch; defaults to the batch's base timestamp. */
  timestamp?: number
}

export interface BatchInput {
  records: RecordInput[]
  baseOffset?: bigint
  partitionLeaderEpoch?: number
  compression?: CompressionName
  timestampType?: 'create-time' | 'log-append-time'
  /** Defaults to the first record's timestamp, else Date.now(). */
  baseTimestamp?: number
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
  /** A control batch (transaction marker); its records are the control records. */
  isControl?: boolean
}

function toBytes (value: Buffer | string | null | undefined, where: string): Buffer | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return Buffer.from(value)
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new InvalidArgumentError(`${where}: expected a Buffer, a string or null`)
}

function checkTimestamp (value: number, where: string): number {
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`${where}: expected an integer timestamp in milliseconds, got ${value}`)
  return value
}

function writeRecords (input: RecordInput[], baseTimestamp: number): { bytes: Buffer, maxTimestamp: number } {
  const w = new Writer(input.length * 64 + 64)
  const body = new Writer(256)
  let maxTimestamp = baseTimestamp
  for (let i = 0; i < input.length; i++) {
    const record = input[i]
    const where = `records[${i}]`
    const timestamp = record.timestamp === undefined ? baseTimestamp : checkTimestamp(record.timestamp, `${where}.timestamp`)
    if (timestamp > maxTimestamp) maxTimestamp = timestamp
    const key = toBytes(record.key, `${where}.key`)
    const value = toBytes(record.value, `${where}.value`)
    const headers = record.headers ?? []
    body.reset()
    body.int8(0).varlong(BigInt(timestamp - baseTimestamp)).varint(i)
    if (key === null) body.varint(-1)
    else body.varint(key.length).raw(key)
    if (value === null) body.varint(-1)
    else body.varint(value.length).raw(value)
    body.varint(headers.length)
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]
      if (typeof header?.key !== 'string') throw new InvalidArgumentError(`${where}.headers[${h}].key: expected a string`)
      const headerKey = Buffer.from(header.key)
      body.varint(headerKey.length).raw(headerKey)
      const headerValue = toBytes(header.value, `${where}.headers[${h}].value`)
      if (headerValue === null) body.varint(-1)
      else body.varint(headerValue.length).raw(headerValue)
    }
    w.varint(body.length).raw(body.view())
  }
  return { bytes: w.view(), maxTimestamp }
}

/** Encodes one v2 record batch. Offsets in the batch are baseOffset + index. */
export async function encodeRecordBatch (input: BatchInput): Promise<Buffer> {
  if (!Array.isArray(input?.records)) throw new InvalidArgumentError('batch.records: expected an array')
  const compression = input.compression ?? 'none'
  const codec = codecByName(compression)
  const first = input.records[0]?.timestamp
  const baseTimestamp = checkTimestamp(input.baseTimestamp ?? first ?? Date.now(), 'batch.baseTimestamp')
  const { bytes, maxTimestamp } = writeRecords(input.records, baseTimestamp)
  const payload = compression === 'none' ? bytes : await codec.compress(Buffer.from(bytes))
  let attributes = codec.id
  if (input.timestampType === 'log-append-time') attributes |= ATTR_LOG_APPEND_TIME
  if (input.isTransactional === true) attributes |= ATTR_TRANSACTIONAL
  if (input.isControl === true) attributes |= ATTR_CONTROL
  const w = new Writer(BATCH_HEADER_SIZE + payload.length)
  w.int64(input.baseOffset ?? 0n)
  w.int32(BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD + payload.length)
  w.int32(input.partitionLeaderEpoch ?? -1)
  w.int8(2)
  w.uint32(0)
  w.int16(attributes)
  w.int32(Math.max(0, input.records.length - 1))
  w.int64(BigInt(baseTimestamp))
  w.int64(BigInt(maxTimestamp))
  w.int64(input.producerId ?? -1n)
  w.int16(input.producerEpoch ?? -1)
  w.int32(input.baseSequence ?? -1)
  w.int32(input.records.length)
  w.raw(payload)
  const out = w.toBuffer()
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET), CRC_OFFSET)
  return out
}

function readNullableVarBytes (r: Reader, what: string): Buffer | null {
  const length = r.varint()
  if (length < -1) throw new ProtocolDecodeError(`negative ${what} length ${length}`, { reason: 'bad-length' })
  return length === -1 ? null : r.raw(length, what)
}

function readRecord (r: Reader, baseOffset: bigint, baseTimestamp: number, logAppendTime: number | undefined): KafkaRecord {
  const length = r.varint()
  if (length < 0 || length > r.remaining) throw new ProtocolDecodeError(`record length ${length} exceeds the ${r.remaining} bytes left`, { reason: 'bad-length' })
  const end = r.offset + length
  const sub = new Reader(r.buffer, r.offset, end)
  sub.int8()
  const timestampDelta = sub.varlongNumber()
  const offsetDelta = sub.varint()
  const key = readNullableVarBytes(sub, 'record key')
  const value = readNullableVarBytes(sub, 'record value')
  const headerCount = sub.varint()
  if (headerCount < 0 || headerCount * 2 > sub.remaining) throw new ProtocolDecodeError(`record header count ${headerCount} cannot fit in ${sub.remaining} bytes`, { reason: 'bad-length' })
  const headers: RecordHeader[] = new Array(headerCount)
  for (let h = 0; h < headerCount; h++) {
    const headerKey = readNullableVarBytes(sub, 'header key')
    if (headerKey === null) throw new ProtocolDecodeError('record header with a null key', { reason: 'unexpected-null' })
    headers[h] = { key: headerKey.toString('utf8'), value: readNullableVarBytes(sub, 'header value') }
  }
  if (sub.remaining !== 0) throw new ProtocolDecodeError(`record has ${sub.remaining} unexpected trailing bytes`, { reason: 'trailing-bytes' })
  r.offset = end
  return {
    offset: baseOffset + BigInt(offsetDelta),
    timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  }
}

function controlType (record: KafkaRecord | undefined): ControlType {
  if (record?.key === null || record === undefined || record.key.length < 4) return 'unknown'
  const type = record.key.readInt16BE(2)
  return type === 0 ? 'abort' : type === 1 ? 'commit' : 'unknown'
}

export interface DecodeOptions {
  /** Cap on the decompressed size of one batch (default 64 MiB). */
  maxDecompressedBytes?: number
}

/** Decodes one complete v2 batch (exactly `bytes`), verifying its CRC32C. */
export async function decodeRecordBatch (bytes: Buffer, options: DecodeOptions = {}): Promise<RecordBatch> {
  const r = new Reader(bytes)
  const baseOffset = r.int64()
  const batchLength = r.int32()
  if (batchLength !== bytes.length - BATCH_LOG_OVERHEAD) throw new ProtocolDecodeError(`batch length ${batchLength} does not match the ${bytes.length - BATCH_LOG_OVERHEAD} bytes given`, { reason: 'bad-length' })
  const partitionLeaderEpoch = r.int32()
  const magic = r.int8()
  if (magic !== 2) throw new ProtocolDecodeError(`record batch magic ${magic} is not 2`, { reason: 'bad-magic' })
  const crc = r.uint32()
  const actual = crc32c(bytes, ATTRIBUTES_OFFSET)
  if (crc !== actual) {
    throw new CorruptRecordError(`record batch at offset ${baseOffset}: CRC32C ${actual.toString(16)} does not match the stored ${crc.toString(16)}`)
  }
  const attributes = r.int16()
  const lastOffsetDelta = r.int32()
  const baseTimestamp = Number(r.int64())
  const maxTimestamp = Number(r.int64())
  const producerId = r.int64()
  const producerEpoch = r.int16()
  const baseSequence = r.int32()
  const count = r.int32()
  if (count < 0) throw new ProtocolDecodeError(`negative record count ${count}`, { reason: 'bad-length' })
  const codec = codecById(attributes & ATTR_COMPRESSION)
  const payload = codec.id === 0
    ? r.raw(r.remaining)
    : await codec.decompress(r.raw(r.remaining), options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  const records = new Reader(payload)
  if (count > records.remaining / 7) throw new ProtocolDecodeError(`${count} records cannot fit in ${records.remaining} bytes`, { reason: 'bad-length' })
  const logAppendTime = (attributes & ATTR_LOG_APPEND_TIME) !== 0 ? maxTimestamp : undefined
  const list: KafkaRecord[] = new Array(count)
  for (let i = 0; i < count; i++) list[i] = readRecord(records, baseOffset, baseTimestamp, logAppendTime)
  if (records.remaining !== 0) throw new ProtocolDecodeError(`record batch has ${records.remaining} bytes after its ${count} records`, { reason: 'trailing-bytes' })
  const isControl = (attributes & ATTR_CONTROL) !== 0
  const batch: RecordBatch = {
    baseOffset,
    magic,
    partitionLeaderEpoch,
    compression: codec.name,
    timestampType: logAppendTime === undefined ? 'create-time' : 'log-append-time',
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
    records: list,
  }
  if (isControl) batch.controlType = controlType(list[0])
  return batch
}
