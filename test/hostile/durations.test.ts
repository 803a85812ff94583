/**
 * Durations past Node's timer limit (2^31-1 ms, ~596 h) used to become 1 ms timers: every command
 * failed at once with a TimeoutOverflowWarning. Each duration option now refuses them by name.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_DURATION_MS, parseDuration } from '../../src/cli/options.ts'
import { runCli } from '../support/run-cli.ts'

describe('durations need a unit', () => {
  test('a bare number is refused with the expected forms; 0 is 0 in any unit', () => {
    assert.throws(() => parseDuration('30', '--timeout'), (e: unknown) => e instanceof Error && e.message === '--timeout: "30" needs a unit: 30ms or 30s (examples: 500ms, 30s, 2m, 1h, 1m30s)')
    assert.equal(parseDuration('0', '--interval'), 0)
    assert.equal(parseDuration('1.5s', '--interval'), 1500)
  })
})

describe('durations longer than a Node timer can hold', () => {
  test('the limit itself is accepted; one millisecond more is refused, naming the option', () => {
    assert.equal(parseDuration(`${MAX_DURATION_MS}ms`, '--timeout'), MAX_DURATION_MS)
    assert.equal(parseDuration('596h', '--timeout'), 596 * 3_600_000)
    assert.throws(() => parseDuration(`${MAX_DURATION_MS + 1}ms`, '--timeout'), /--timeout: "2147483648ms" is longer than the longest timer/)
    assert.throws(() => parseDuration('597h', '--interval'), /--interval: "597h" is longer than the longest timer/)
  })

  for (const command of [
    ['topics', 'list', '--bootstrap', '127.0.0.1:1'],
    ['connect', 'get', '--url', 'http://127.0.0.1:1'],
    ['cc', 'state', '--url', 'http://127.0.0.1:1'],
    ['rebalance', 'status', 'x', '--url', 'http://127.0.0.1:1'],
  ]) {
    test(`${command.slice(0, 2).join(' ')} --timeout 600h is refused with a clear message, not a timer overflow`, async () => {
      const { code, stderr } = await runCli([...command, '--timeout', '600h'])
      assert.equal(code, 2)
      assert.match(stderr, /^steadfast: --timeout: "600h" is longer than the longest timer Node.js can hold .*\[STEADFAST_ERR_INVALID_ARGUMENT\]\n$/)
      assert.doesNotMatch(stderr, /TimeoutOverflowWarning/)
    })
  }

  test('produce --timeout 600h is refused before reading stdin', async () => {
    const { code, stderr } = await runCli(['produce', '--topic', 't', '--bootstrap', '127.0.0.1:1', '--timeout', '600h'], { stdin: 'a\n' })
    assert.equal(code, 2)
    assert.match(stderr, /--timeout: "600h" is longer than the longest timer/)
  })
})
