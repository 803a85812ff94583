/**
 * The notices of long waits (src/cli/retry-notices.ts), on the retry loop's diagnostics channel
 * with a clock the test moves: nothing before the threshold, then one line per reason, again only
 * after the repeat interval, and a new run of retries (attempt 1) starts the threshold over.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLogger } from '../../src/observability/logger.ts'
import { retryChannel, type RetryDiagnostic } from '../../src/observability/tracing.ts'
import { NOTICE_AFTER_MS, REPEAT_MS, noticeRetries } from '../../src/cli/retry-notices.ts'

interface Line { level: number, component: string, operation: string, attempt: number, reason: string, msg: string }

test('a long wait: one warn line per reason after the threshold, rate-limited, restarted by attempt 1', () => {
  const lines: Line[] = []
  let clock = 0
  const stop = noticeRetries(createLogger({ level: 'warn', destination: { write: (l: string) => { lines.push(JSON.parse(l) as Line) } } }), () => clock)
  const retry = (at: number, attempt: number, reason: string, operation = 'listTopics'): void => {
    clock = at
    const diagnostic: RetryDiagnostic = { component: 'admin', operation, attempt, delayMs: 100, action: 'reconnect', reason, error: new Error(`no broker reachable; tried 127.0.0.1:1 (${reason})`), clientId: 'c' }
    retryChannel.publish(diagnostic)
  }
  try {
    retry(1000, 1, 'enobroker')
    retry(1000 + NOTICE_AFTER_MS - 1, 2, 'enobroker')
    assert.equal(lines.length, 0, 'nothing before the threshold')
    retry(1000 + NOTICE_AFTER_MS, 3, 'enobroker')
    retry(1000 + NOTICE_AFTER_MS + 10, 4, 'enobroker')
    retry(1000 + NOTICE_AFTER_MS + 20, 5, 'timeout')
    retry(1000 + NOTICE_AFTER_MS + REPEAT_MS - 1, 6, 'enobroker')
    retry(1000 + NOTICE_AFTER_MS + REPEAT_MS, 7, 'enobroker')
    // Another operation keeps its own count: its first retries are not long yet.
    retry(1000 + NOTICE_AFTER_MS + REPEAT_MS, 2, 'enobroker', 'describeTopics')
    // A new run of retries of the same operation: the threshold starts over.
    retry(100_000, 1, 'enobroker')
    retry(100_000 + NOTICE_AFTER_MS - 1, 2, 'enobroker')
    assert.deepEqual(lines.map((l) => [l.level, l.component, l.operation, l.attempt, l.reason, l.msg]), [
      [40, 'admin', 'listTopics', 3, 'enobroker', 'still retrying listTopics: attempt 3 failed (enobroker): no broker reachable; tried 127.0.0.1:1 (enobroker)'],
      [40, 'admin', 'listTopics', 5, 'timeout', 'still retrying listTopics: attempt 5 failed (timeout): no broker reachable; tried 127.0.0.1:1 (timeout)'],
      [40, 'admin', 'listTopics', 7, 'enobroker', 'still retrying listTopics: attempt 7 failed (enobroker): no broker reachable; tried 127.0.0.1:1 (enobroker)'],
    ])
  } finally {
    stop()
  }
  retry(200_000, 9, 'enobroker')
  assert.equal(lines.length, 3, 'nothing once stopped')
})
