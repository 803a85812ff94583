/**
 * A producer batch: the records of one partition that travel in one record batch, the callers
 * waiting for them, and the idempotence state it was sent with (producer id, epoch, base
 * sequence). The encoded bytes are cached per identity and sequence, so a retry resends exactly
 * the same batch while a renumbered one is encoded again. They are pieces (encodeRecordBatchPieces):
 * values of 4 KiB and more are the caller's own buffers, written to the socket without a copy, so
 * a value must not change until its send has settled.
 */
import type { CompressionName } from '../protocol/compression/codec.ts'
import { encodeRecordBatchPieces } from '../protocol/records/record-batch.ts'
import type { RecordHeader } from '../protocol/records/types.ts'

export interface RecordMetadata {
  topic: string
  partition: number
  /** The record's offset; -1n when acks is 0 or the broker reported a duplicate of an earlier write. */
  offset: bigint
  /** The record's timestamp: its create time, or the broker's log-append time when the topic uses that. */
  timestamp: number
}

export interface PendingRecord {
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
  timestamp: number
  /** Estimated encoded size, for batch limits and the buffer budget. */
  size: number
  resolve: (metadata: RecordMetadata) => void
  reject: (error: unknown) => void
}

/** An encoded record batch: its pieces in order (see encodeRecordBatchPieces) and their total length. */
export interface EncodedBatch {
  pieces: readonly Buffer[]
  length: number
}

export interface ProducerIdentity {
  producerId: bigint
  producerEpoch: number
}

/** Bytes a record adds to a batch besides its key, value and headers (length, attributes, deltas). */
const RECORD_OVERHEAD = 22

export function estimateRecordSize (key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[]): number {
  let size = RECORD_OVERHEAD + (key?.length ?? 0) + (value?.length ?? 0)
  for (const h of headers) size += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0)
  return size
}

export class ProducerBatch {
  readonly topic: string
  readonly partition: number
  readonly createdAt: number
  /** When the first record's delivery timeout runs out. */
  readonly deadline: number
  readonly records: PendingRecord[] = []
  sizeBytes = 0
  /** -1 until a sequence is assigned at first send (idempotent producers only). */
  baseSequence = -1
  identity: ProducerIdentity | undefined
  /** Produce requests made for this batch. */
  attempts = 0
  /** A request carrying this batch failed without an answer: the broker may have written it. */
  ambiguous = false
  #settled = false
  #encoded: { key: string, batch: EncodedBatch } | undefined
  readonly #done: Promise<void>
  #markDone!: () => void

  constructor (topic: string, partition: number, createdAt: number, deliveryTimeoutMs: number) {
    this.topic = topic
    this.partition = partition
    this.createdAt = createdAt
    this.deadline = createdAt + deliveryTimeoutMs
    this.#done = new Promise((resolve) => { this.#markDone = resolve })
  }

  get settled (): boolean {
    return this.#settled
  }

  /** Resolves when every record of the batch has its outcome (never rejects). */
  get done (): Promise<void> {
    return this.#done
  }

  get label (): string {
    return `${this.topic}-${this.partition}`
  }

  add (record: PendingRecord): void {
    this.records.push(record)
    this.sizeBytes += record.size
  }

  /** The v2 record batch for the current identity and sequence. */
  async encode (compression: CompressionName): Promise<EncodedBatch> {
    const key = `${this.identity?.producerId ?? -1n}:${this.identity?.producerEpoch ?? -1}:${this.baseSequence}`
    if (this.#encoded?.key === key) return this.#encoded.batch
    const pieces = await encodeRecordBatchPieces({
      records: this.records,
      compression,
      baseTimestamp: this.records[0]?.timestamp,
      producerId: this.identity?.producerId ?? -1n,
      producerEpoch: this.identity?.producerEpoch ?? -1,
      baseSequence: this.baseSequence,
    })
    let length = 0
    for (const piece of pieces) length += piece.length
    const batch = { pieces, length }
    this.#encoded = { key, batch }
    return batch
  }

  /** Resolves every record: offsets follow the base offset in record order. */
  complete (baseOffset: bigint, logAppendTimeMs: number): void {
    if (this.#settled) return
    this.#settled = true
    // One BigInt a record: the offset counts up from the base (BigInt(i) + base would make two).
    const known = baseOffset >= 0n
    let offset = known ? baseOffset : -1n
    for (let i = 0; i < this.records.length; i++) {
      const record = this.records[i] as PendingRecord
      record.resolve({
        topic: this.topic,
        partition: this.partition,
        offset,
        timestamp: logAppendTimeMs >= 0 ? logAppendTimeMs : record.timestamp,
      })
      if (known) offset += 1n
    }
    this.#finish()
  }

  fail (error: unknown): void {
    if (this.#settled) return
    this.#settled = true
    for (const record of this.records) record.reject(error)
    this.#finish()
  }

  #finish (): void {
    this.#encoded = undefined
    this.#markDone()
  }
}
