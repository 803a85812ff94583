/** The consumer's instruments, made in the consumer's registry with its client_id. Retries are counted by the retry loop. */
import { defineCounter } from '../observability/metrics.ts'

export const FETCHED_RECORDS = defineCounter('steadfast_consumer_records_fetched_total',
  'Records fetched (after dropping control records, aborted transactions and records before the fetch offset), by topic.', ['topic'] as const)

export const DELIVERED_RECORDS = defineCounter('steadfast_consumer_records_delivered_total',
  'Records handed to the application, by topic.', ['topic'] as const)

export const REBALANCES = defineCounter('steadfast_consumer_rebalances_total',
  'Group generations this process joined, by group.', ['group'] as const)

export const COMMITS = defineCounter('steadfast_consumer_commits_total',
  'Offset commits, by group and outcome (ok, failed).', ['group', 'outcome'] as const)

export const POLL_TIMEOUTS = defineCounter('steadfast_consumer_poll_timeouts_total',
  'Times the application held a record or batch past maxPollIntervalMs and the member left its group, by group.', ['group'] as const)
