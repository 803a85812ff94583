/** The consumer's instruments in the shared registry. Retries are counted by the retry loop. */
import { counter } from '../observability/metrics.ts'

export const fetchedRecords = counter({
  name: 'steadfast_consumer_records_fetched_total',
  help: 'Records fetched (after dropping control records, aborted transactions and records before the fetch offset), by topic.',
  labelNames: ['topic'] as const,
})

export const deliveredRecords = counter({
  name: 'steadfast_consumer_records_delivered_total',
  help: 'Records handed to the application, by topic.',
  labelNames: ['topic'] as const,
})

export const rebalances = counter({
  name: 'steadfast_consumer_rebalances_total',
  help: 'Group generations this process joined, by group.',
  labelNames: ['group'] as const,
})

export const commits = counter({
  name: 'steadfast_consumer_commits_total',
  help: 'Offset commits, by group and outcome (ok, failed).',
  labelNames: ['group', 'outcome'] as const,
})
