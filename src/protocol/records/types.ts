import type { CompressionName } from '../compression/codec.ts'

export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** One record as read from a batch (v2) or a legacy message (v0/v1). */
export interface KafkaRecord {
  offset: bigint
  /** Milliseconds since the epoch; -1 when the producer gave none (magic 0). */
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export type TimestampType = 'create-time' | 'log-append-time'

export type ControlType = 'abort' | 'commit' | 'unknown'

export interface RecordBatch {
  baseOffset: bigint
  /** 0 or 1 for a legacy message (set), 2 for a record batch. */
  magic: number
  partitionLeaderEpoch: number
  compression: CompressionName
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  /** For control batches: the transaction marker it carries. */
  controlType?: ControlType
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  records: KafkaRecord[]
}
