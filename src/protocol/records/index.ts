/**
 * Reading the `records` field of a fetch (or produce) message: a sequence of v2 batches and/or
 * legacy v0/v1 messages. The last entry may be cut short by the broker's size limit; complete
 * entries before it are returned and the partial one is reported, not treated as an error.
 */
import { ProtocolDecodeError } from '../../resilience/errors.ts'
import { decodeLegacyEntry } from './legacy.ts'
import type { DecodeOptions } from './record-batch.ts'
import { BATCH_LOG_OVERHEAD, decodeRecordBatch } from './record-batch.ts'
import type { KafkaRecord, RecordBatch } from './types.ts'

export * from './types.ts'
export { crc32, crc32c, crc32cOfPieces } from './crc.ts'
export { BATCH_HEADER_SIZE, decodeRecordBatch, encodeRecordBatch, encodeRecordBatchPieces } from './record-batch.ts'
export type { BatchInput, DecodeOptions, RecordInput } from './record-batch.ts'
export { decodeLegacyEntry } from './legacy.ts'

const MAGIC_OFFSET = 16

export interface RecordSet {
  /** Every complete batch, control batches included (marked isControl). */
  batches: RecordBatch[]
  /** The data records of the non-control batches, in offset order. */
  records: KafkaRecord[]
  /** Bytes of a partial trailing entry that were not decoded (0 when none). */
  truncatedBytes: number
}

/** Decodes every complete batch in a records field; Buffer/null/undefined all accepted. */
export async function decodeRecordSet (bytes: Buffer | null | undefined, options: DecodeOptions = {}): Promise<RecordSet> {
  const batches: RecordBatch[] = []
  const records: KafkaRecord[] = []
  let at = 0
  const input = bytes ?? Buffer.alloc(0)
  while (at < input.length) {
    const left = input.length - at
    if (left < MAGIC_OFFSET + 1) break
    const length = input.readInt32BE(at + 8)
    if (length < 0) throw new ProtocolDecodeError(`record batch at byte ${at} has negative length ${length}`, { reason: 'bad-length' })
    if (length + BATCH_LOG_OVERHEAD > left) break
    const entry = input.subarray(at, at + BATCH_LOG_OVERHEAD + length)
    const magic = input.readInt8(at + MAGIC_OFFSET)
    const batch = magic === 2 ? await decodeRecordBatch(entry, options) : await decodeLegacyEntry(entry, options)
    batches.push(batch)
    if (!batch.isControl) for (const record of batch.records) records.push(record)
    at += entry.length
  }
  return { batches, records, truncatedBytes: input.length - at }
}
