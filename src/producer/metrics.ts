/** The producer's instruments in the shared registry. Retries are counted by the retry loop. */
import { counter, gauge, histogram } from '../observability/metrics.ts'

export const recordsSent = counter({
  name: 'steadfast_producer_records_sent_total',
  help: 'Records acknowledged by the broker (or written, with acks=0), by topic.',
  labelNames: ['topic'] as const,
})

export const recordErrors = counter({
  name: 'steadfast_producer_record_errors_total',
  help: 'Records whose send failed, by topic and reason.',
  labelNames: ['topic', 'reason'] as const,
})

export const orderingViolations = counter({
  name: 'steadfast_producer_ordering_violations_total',
  help: 'Records a broker wrote after records sent later to the same partition (only possible when it does not check producer sequences), by topic.',
  labelNames: ['topic'] as const,
})

export const batchSizeBytes = histogram({
  name: 'steadfast_producer_batch_size_bytes',
  help: 'Encoded (compressed) size of the record batches sent.',
  labelNames: ['topic'] as const,
  buckets: [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576],
})

export const batchRecords = histogram({
  name: 'steadfast_producer_batch_records',
  help: 'Records per batch sent.',
  labelNames: ['topic'] as const,
  buckets: [1, 10, 100, 1000, 10_000],
})

export const bufferedBytes = gauge({
  name: 'steadfast_producer_buffered_bytes',
  help: 'Bytes of records accepted and not yet acknowledged, over every producer of the process.',
})
