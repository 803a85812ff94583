/** The producer's instruments, made in the producer's registry with its client_id. Retries are counted by the retry loop. */
import { defineCounter, defineGauge, defineHistogram } from '../observability/metrics.ts'

export const RECORDS_SENT = defineCounter('steadfast_producer_records_sent_total',
  'Records acknowledged by the broker (or written, with acks=0), by topic.', ['topic'] as const)

export const RECORD_ERRORS = defineCounter('steadfast_producer_record_errors_total',
  'Records whose send failed, by topic and reason.', ['topic', 'reason'] as const)

export const ORDERING_VIOLATIONS = defineCounter('steadfast_producer_ordering_violations_total',
  'Records a broker wrote after records sent later to the same partition (only possible when it does not check producer sequences), by topic.', ['topic'] as const)

export const BATCH_SIZE_BYTES = defineHistogram('steadfast_producer_batch_size_bytes',
  'Encoded (compressed) size of the record batches sent.', ['topic'] as const, [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576])

export const BATCH_RECORDS = defineHistogram('steadfast_producer_batch_records',
  'Records per batch sent.', ['topic'] as const, [1, 10, 100, 1000, 10_000])

export const BUFFERED_BYTES = defineGauge('steadfast_producer_buffered_bytes',
  'Bytes of records accepted and not yet acknowledged, per producer (client_id).', [] as const)
