/** What the application receives: one record, or one partition's chunk of records. */
import type { RecordHeader } from '../protocol/records/types.ts'

export interface TopicPartition {
  topic: string
  partition: number
}

export interface ConsumerMessage<K = Buffer | null, V = Buffer | null> {
  topic: string
  partition: number
  offset: bigint
  key: K
  value: V
  headers: RecordHeader[]
  /** Milliseconds since the epoch (create time or log-append time, as the topic keeps it). */
  timestamp: number
}

export interface ConsumerBatch<K = Buffer | null, V = Buffer | null> {
  topic: string
  partition: number
  /** In offset order; never empty. */
  messages: Array<ConsumerMessage<K, V>>
  /** The partition's high watermark when the records were fetched. */
  highWatermark: bigint
}
