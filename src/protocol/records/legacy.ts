/**
 * Legacy message sets, magic v0 and v1 (read only): [offset int64][size int32] then crc uint32
 * (CRC32 of the rest), magic int8, attributes int8, timestamp int64 (v1 only), key and value as
 * int32-length bytes. A compressed message wraps an inner message set in its value; in v1 the inner
 * offsets are relative to the wrapper's, which carries the offset of the last inner message.
 */
import { CorruptRecordError, ProtocolDecodeError } from '../../resilience/errors.ts'
import { codecById, DEFAULT_MAX_DECOMPRESSED_BYTES } from '../compression/index.ts'
import { Reader } from '../primitives/reader.ts'
import { crc32 } from './crc.ts'
import type { DecodeOptions } from './record-batch.ts'
import type { KafkaRecord, RecordBatch } from './types.ts'

const ATTR_COMPRESSION = 0x07
const ATTR_LOG_APPEND_TIME = 0x08
/** offset, size, crc, magic, attributes, key length, value length. */
const MIN_MESSAGE_SIZE = 8 + 4 + 4 + 1 + 1 + 4 + 4

interface LegacyMessage {
  offset: bigint
  magic: number
  attributes: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
}

function readMessage (r: Reader): LegacyMessage {
  const offset = r.int64()
  const size = r.int32()
  if (size < 14 || size > r.remaining) throw new ProtocolDecodeError(`legacy message size ${size} is invalid or exceeds the ${r.remaining} bytes left`, { reason: 'bad-length' })
  const start = r.offset
  const sub = new Reader(r.buffer, start, start + size)
  r.offset = start + size
  const crc = sub.uint32()
  const actual = crc32(r.buffer, start + 4, start + size)
  if (crc !== actual) throw new CorruptRecordError(`legacy message at offset ${offset}: CRC32 ${actual.toString(16)} does not match the stored ${crc.toString(16)}`)
  const magic = sub.int8()
  if (magic !== 0 && magic !== 1) throw new ProtocolDecodeError(`legacy message magic ${magic} is not 0 or 1`, { reason: 'bad-magic' })
  const attributes = sub.int8()
  const timestamp = magic === 1 ? Number(sub.int64()) : -1
  const key = sub.nullableBytes(false)
  const value = sub.nullableBytes(false)
  return { offset, magic, attributes, timestamp, key, value }
}

function toRecord (message: LegacyMessage, offset: bigint, timestamp: number): KafkaRecord {
  return { offset, timestamp, key: message.key, value: message.value, headers: [] }
}

async function expand (message: LegacyMessage, options: DecodeOptions): Promise<KafkaRecord[]> {
  const codecId = message.attributes & ATTR_COMPRESSION
  if (codecId === 0) return [toRecord(message, message.offset, message.timestamp)]
  if (message.value === null) throw new ProtocolDecodeError(`compressed legacy message at offset ${message.offset} has no value`, { reason: 'unexpected-null' })
  const codec = codecById(codecId)
  const inner = new Reader(await codec.decompress(message.value, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES))
  const messages: LegacyMessage[] = []
  while (inner.remaining > 0) {
    const innerMessage = readMessage(inner)
    if ((innerMessage.attributes & ATTR_COMPRESSION) !== 0) throw new ProtocolDecodeError('nested compressed legacy message', { reason: 'bad-compression' })
    messages.push(innerMessage)
  }
  const logAppendTime = (message.attributes & ATTR_LOG_APPEND_TIME) !== 0
  const lastInner = messages.length > 0 ? messages[messages.length - 1].offset : 0n
  return messages.map(m => toRecord(
    m,
    message.magic === 1 ? message.offset - lastInner + m.offset : m.offset,
    logAppendTime ? message.timestamp : m.timestamp
  ))
}

/** Decodes one legacy message entry (exactly `bytes`) into a batch-shaped result. */
export async function decodeLegacyEntry (bytes: Buffer, options: DecodeOptions = {}): Promise<RecordBatch> {
  if (bytes.length < MIN_MESSAGE_SIZE) throw new ProtocolDecodeError(`legacy message of ${bytes.length} bytes is too short`, { reason: 'truncated' })
  const r = new Reader(bytes)
  const message = readMessage(r)
  if (r.remaining !== 0) throw new ProtocolDecodeError('legacy message entry has trailing bytes', { reason: 'trailing-bytes' })
  const records = await expand(message, options)
  const codec = codecById(message.attributes & ATTR_COMPRESSION)
  const last = records.length > 0 ? records[records.length - 1] : undefined
  return {
    baseOffset: records[0]?.offset ?? message.offset,
    magic: message.magic,
    partitionLeaderEpoch: -1,
    compression: codec.name,
    timestampType: (message.attributes & ATTR_LOG_APPEND_TIME) !== 0 ? 'log-append-time' : 'create-time',
    isTransactional: false,
    isControl: false,
    lastOffsetDelta: last === undefined ? 0 : Number(last.offset - (records[0]?.offset ?? 0n)),
    baseTimestamp: records[0]?.timestamp ?? message.timestamp,
    maxTimestamp: records.reduce((max, record) => Math.max(max, record.timestamp), message.timestamp),
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records,
  }
}
