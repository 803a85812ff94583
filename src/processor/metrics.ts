/** The processor's instruments in the shared registry (per-partition figures are in `Processor.status()`). */
import { counter } from '../observability/metrics.ts'

export const processedRecords = counter({
  name: 'steadfast_processor_records_processed_total',
  help: 'Input records whose callback finished, by group and topic.',
  labelNames: ['group', 'topic'] as const,
})

export const recoveredRecords = counter({
  name: 'steadfast_processor_records_recovered_total',
  help: 'Table records read into local stores while recovering or following, by topic.',
  labelNames: ['topic'] as const,
})

export const partitionRestarts = counter({
  name: 'steadfast_processor_partition_restarts_total',
  help: 'Partitions restarted after a transient failure, by group.',
  labelNames: ['group'] as const,
})
