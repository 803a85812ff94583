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
import { putUvarint, SHARE_MIN_BYTES, uvarintSize, zigzag } from '../primitives/writer.ts'
import { crc32c, crc32cOfPieces } from './crc.ts'
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
  if (Buffer.isBuffer(value)) return value
  // Typed as Buffer, but JavaScript callers may pass any Uint8Array: viewed as a Buffer, not copied.
  const bytes: unknown = value
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  throw new InvalidArgumentError(`${where}: expected a Buffer, a string or null`)
}

/** Timestamps up to 2^50 ms (some 35 000 years) either side of the epoch keep varint maths exact. */
const MAX_TIMESTAMP = 2 ** 50

function checkTimestamp (value: number, where: string): number {
  if (!Number.isInteger(value) || Math.abs(value) > MAX_TIMESTAMP) throw new InvalidArgumentError(`${where}: expected an integer timestamp in milliseconds, got ${value}`)
  return value
}

/** Bytes a zig-zag varint of `value` takes. */
function varintSize (value: number): number {
  return uvarintSize(zigzag(value))
}

function nullableSize (bytes: Buffer | null): number {
  return bytes === null ? 1 : varintSize(bytes.length) + bytes.length
}

function shareableSize (bytes: Buffer | null): number {
  return bytes !== null && bytes.length >= SHARE_MIN_BYTES ? bytes.length : 0
}

/**
 * The input records validated and measured, so the batch is written in one pass. Kept as columns
 * (one array per field, index = record) rather than an object per record: a batch of thousands of
 * small records would otherwise allocate thousands of short-lived objects for the GC to trace.
 */
interface PreparedRecords {
  count: number
  timestampDeltas: number[]
  keys: Array<Buffer | null>
  values: Array<Buffer | null>
  /** NO_HEADERS for a record without headers. */
  headers: Array<Array<[key: Buffer, value: Buffer | null]>>
  bodySizes: number[]
  /** Bytes of all records, length prefixes included. */
  size: number
  /** Bytes of the keys and values (header ones too) long enough for Writer.share. */
  shareable: number
  maxTimestamp: number
}

const NO_HEADERS: Array<[key: Buffer, value: Buffer | null]> = []
const NO_INPUT_HEADERS: NonNullable<RecordInput['headers']> = []

function prepareRecords (input: RecordInput[], baseTimestamp: number): PreparedRecords {
  const count = input.length
  const prepared: PreparedRecords = {
    count,
    timestampDeltas: new Array(count),
    keys: new Array(count),
    values: new Array(count),
    headers: new Array(count),
    bodySizes: new Array(count),
    size: 0,
    shareable: 0,
    maxTimestamp: baseTimestamp,
  }
  // Records of a batch usually carry the same header keys: header h's key bytes are reused from the
  // previous record when its key is the same string.
  const keyStrings: string[] = []
  const keyBytes: Buffer[] = []
  let size = 0
  let shareable = 0
  for (let i = 0; i < count; i++) {
    const record = input[i]
    const where = `records[${i}]`
    if (record === null || typeof record !== 'object') throw new InvalidArgumentError(`${where}: expected an object`)
    const timestamp = record.timestamp === undefined ? baseTimestamp : checkTimestamp(record.timestamp, `${where}.timestamp`)
    if (timestamp > prepared.maxTimestamp) prepared.maxTimestamp = timestamp
    const timestampDelta = timestamp - baseTimestamp
    const key = toBytes(record.key, `${where}.key`)
    const value = toBytes(record.value, `${where}.value`)
    const headerInput = record.headers ?? NO_INPUT_HEADERS
    if (!Array.isArray(headerInput)) throw new InvalidArgumentError(`${where}.headers: expected an array`)
    let bodySize = 1 + varintSize(timestampDelta) + varintSize(i) + nullableSize(key) + nullableSize(value) + varintSize(headerInput.length)
    let headers = NO_HEADERS
    if (headerInput.length > 0) {
      headers = new Array(headerInput.length)
      for (let h = 0; h < headerInput.length; h++) {
        const header = headerInput[h]
        if (typeof header?.key !== 'string') throw new InvalidArgumentError(`${where}.headers[${h}].key: expected a string`)
        if (keyStrings[h] !== header.key) {
          keyStrings[h] = header.key
          keyBytes[h] = Buffer.from(header.key)
        }
        const headerKey = keyBytes[h] as Buffer
        const headerValue = toBytes(header.value, `${where}.headers[${h}].value`)
        headers[h] = [headerKey, headerValue]
        bodySize += nullableSize(headerKey) + nullableSize(headerValue)
        shareable += shareableSize(headerValue)
      }
    }
    prepared.timestampDeltas[i] = timestampDelta
    prepared.keys[i] = key
    prepared.values[i] = value
    prepared.headers[i] = headers
    prepared.bodySizes[i] = bodySize
    size += varintSize(bodySize) + bodySize
    shareable += shareableSize(key) + shareableSize(value)
  }
  prepared.size = size
  prepared.shareable = shareable
  return prepared
}

/**
 * Where the records are written: `out`, sized exactly from the measured records, and (when
 * sharing) the finished pieces, views of `out` between the shared buffers.
 */
interface Target {
  out: Buffer
  pos: number
  /** Undefined when nothing is shared: everything is copied into `out`. */
  pieces: Buffer[] | undefined
  /** Where `out`'s bytes after the last shared buffer begin. */
  pieceStart: number
}

/** A nullable byte field: its zig-zag length, then the bytes, copied, or shared when long enough and sharing. */
function putNullable (t: Target, bytes: Buffer | null, shareable: boolean): void {
  if (bytes === null) {
    t.out[t.pos++] = 1 // zigzag(-1)
    return
  }
  const length = bytes.length
  t.pos = putUvarint(t.out, t.pos, length * 2)
  if (shareable && t.pieces !== undefined && length >= SHARE_MIN_BYTES) {
    t.pieces.push(t.out.subarray(t.pieceStart, t.pos), bytes)
    t.pieceStart = t.pos
    return
  }
  t.out.set(bytes, t.pos)
  t.pos += length
}

/** Writes the records straight into the measured buffer: no bounds checks or growth per field. */
function writeRecords (t: Target, records: PreparedRecords): void {
  const { timestampDeltas, keys, values, headers, bodySizes } = records
  const out = t.out
  for (let i = 0; i < records.count; i++) {
    let pos = putUvarint(out, t.pos, (bodySizes[i] as number) * 2)
    out[pos++] = 0
    pos = putUvarint(out, pos, zigzag(timestampDeltas[i] as number))
    t.pos = putUvarint(out, pos, i * 2)
    putNullable(t, keys[i] as Buffer | null, true)
    putNullable(t, values[i] as Buffer | null, true)
    const list = headers[i] as Array<[Buffer, Buffer | null]>
    t.pos = putUvarint(out, t.pos, list.length * 2)
    for (let h = 0; h < list.length; h++) {
      const [key, value] = list[h] as [Buffer, Buffer | null]
      putNullable(t, key, false)
      putNullable(t, value, true)
    }
  }
}

/** Encodes one v2 record batch into one buffer. Offsets in the batch are baseOffset + index. */
export async function encodeRecordBatch (input: BatchInput): Promise<Buffer> {
  const pieces = await encodeRecordBatchPieces(input, false)
  return pieces.length === 1 ? pieces[0] as Buffer : Buffer.concat(pieces)
}

/**
 * Encodes one v2 record batch as pieces, in order, for a vectored write (a Produce request's
 * records field takes them as they are). With `share` (the default), uncompressed keys and values
 * of SHARE_MIN_BYTES and more are pieces of their own, the caller's buffers themselves: a large
 * value goes to the socket without being copied, and the CRC32C runs over the pieces. Those
 * buffers must then not change until the batch has been written for the last time.
 */
export async function encodeRecordBatchPieces (input: BatchInput, share = true): Promise<Buffer[]> {
  if (!Array.isArray(input?.records)) throw new InvalidArgumentError('batch.records: expected an array')
  const compression = input.compression ?? 'none'
  const codec = codecByName(compression)
  const first = input.records[0]?.timestamp
  const baseTimestamp = checkTimestamp(input.baseTimestamp ?? first ?? Date.now(), 'batch.baseTimestamp')
  const records = prepareRecords(input.records, baseTimestamp)
  const { size, maxTimestamp } = records
  let payload: Buffer | undefined
  if (compression !== 'none') {
    const plain: Target = { out: Buffer.allocUnsafe(size), pos: 0, pieces: undefined, pieceStart: 0 }
    writeRecords(plain, records)
    payload = await codec.compress(plain.out)
  }
  let attributes = codec.id
  if (input.timestampType === 'log-append-time') attributes |= ATTR_LOG_APPEND_TIME
  if (input.isTransactional === true) attributes |= ATTR_TRANSACTIONAL
  if (input.isControl === true) attributes |= ATTR_CONTROL
  const total = BATCH_HEADER_SIZE + (payload === undefined ? size : payload.length)
  const shared = share && payload === undefined ? records.shareable : 0
  const out = Buffer.allocUnsafe(total - shared)
  out.writeBigInt64BE(input.baseOffset ?? 0n, 0)
  out.writeInt32BE(total - BATCH_LOG_OVERHEAD, 8)
  out.writeInt32BE(input.partitionLeaderEpoch ?? -1, 12)
  out.writeInt8(2, 16)
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET)
  out.writeInt32BE(Math.max(0, records.count - 1), 23)
  out.writeBigInt64BE(BigInt(baseTimestamp), 27)
  out.writeBigInt64BE(BigInt(maxTimestamp), 35)
  out.writeBigInt64BE(input.producerId ?? -1n, 43)
  out.writeInt16BE(input.producerEpoch ?? -1, 51)
  out.writeInt32BE(input.baseSequence ?? -1, 53)
  out.writeInt32BE(records.count, 57)
  let pieces: Buffer[]
  if (payload !== undefined) {
    out.set(payload, BATCH_HEADER_SIZE)
    pieces = [out]
  } else {
    const t: Target = { out, pos: BATCH_HEADER_SIZE, pieces: shared > 0 ? [] : undefined, pieceStart: 0 }
    writeRecords(t, records)
    pieces = t.pieces === undefined ? [out] : t.pieceStart === t.pos ? t.pieces : [...t.pieces, out.subarray(t.pieceStart, t.pos)]
  }
  // The header is written before anything is shared, so it is all in the first piece.
  out.writeUInt32BE(crc32cOfPieces(pieces, ATTRIBUTES_OFFSET), CRC_OFFSET)
  return pieces
}

function readNullableVarBytes (r: Reader, what: string): Buffer | null {
  const length = r.varint()
  if (length < -1) throw new ProtocolDecodeError(`negative ${what} length ${length}`, { reason: 'bad-length' })
  return length === -1 ? null : r.raw(length, what)
}

/** Keys longer than this are decoded every time: comparing them would cost about as much. */
const MAX_SHARED_KEY_BYTES = 64

/**
 * The header keys of one batch's records. Records of a batch usually carry the same headers, so
 * the key of header h is compared byte for byte with header h of the previous record, and when
 * equal its string is reused: a UTF-8 decode (and a string) saved per header.
 */
class HeaderKeys {
  readonly #starts: number[] = []
  readonly #lengths: number[] = []
  readonly #strings: string[] = []

  read (buffer: Buffer, start: number, length: number, index: number): string {
    if (index < this.#strings.length && this.#lengths[index] === length && length <= MAX_SHARED_KEY_BYTES) {
      const previous = this.#starts[index]
      let i = 0
      while (i < length && buffer[previous + i] === buffer[start + i]) i++
      if (i === length) return this.#strings[index]
    }
    const key = buffer.toString('utf8', start, start + length)
    this.#starts[index] = start
    this.#lengths[index] = length
    this.#strings[index] = key
    return key
  }
}

/** Reads one record. Its fields are read from the batch directly, then checked to end exactly at its length. */
function readRecord (r: Reader, baseOffset: bigint, baseTimestamp: number, logAppendTime: number | undefined, keys: HeaderKeys): KafkaRecord {
  const length = r.varint()
  if (length < 0 || length > r.remaining) throw new ProtocolDecodeError(`record length ${length} exceeds the ${r.remaining} bytes left`, { reason: 'bad-length' })
  const end = r.offset + length
  r.int8()
  const timestampDelta = r.varlongNumber()
  const offsetDelta = r.varint()
  const key = readNullableVarBytes(r, 'record key')
  const value = readNullableVarBytes(r, 'record value')
  const headerCount = r.varint()
  if (headerCount < 0 || headerCount * 2 > end - r.offset) throw new ProtocolDecodeError(`record header count ${headerCount} cannot fit in the record`, { reason: 'bad-length' })
  const headers: RecordHeader[] = new Array(headerCount)
  for (let h = 0; h < headerCount; h++) {
    const keyLength = r.varint()
    if (keyLength < 0 || keyLength > end - r.offset) throw new ProtocolDecodeError(`record header key length ${keyLength} is null or exceeds the record`, { reason: 'bad-length' })
    const keyStart = r.offset
    r.offset += keyLength
    headers[h] = { key: keys.read(r.buffer, keyStart, keyLength, h), value: readNullableVarBytes(r, 'header value') }
  }
  if (r.offset !== end) throw new ProtocolDecodeError(`record fields end at byte ${r.offset}, its length says ${end}`, { reason: 'bad-length' })
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
  const keys = new HeaderKeys()
  for (let i = 0; i < count; i++) list[i] = readRecord(records, baseOffset, baseTimestamp, logAppendTime, keys)
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
