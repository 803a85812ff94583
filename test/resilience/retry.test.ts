import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { getEventListeners } from 'node:events'
import { Writable } from 'node:stream'
import fc from 'fast-check'
import { retry, type RetryEvent } from '../../src/resilience/retry.ts'
import { sleep } from '../../src/resilience/clock.ts'
import {
  AbortedError, DeadlineExceededError, RetriesExhaustedError, SteadfastError, type RecoveryAction,
} from '../../src/resilience/errors.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Metrics, registry, retryDurationSeconds } from '../../src/observability/metrics.ts'
import { Registry } from 'prom-client'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import { wakeOn, type WakeSource } from '../../src/resilience/wake.ts'

const silent = createLogger({ level: 'silent' })

function failure (action: RecoveryAction, reason: string = action, retryAfterMs?: number): SteadfastError {
  return new SteadfastError(`failed: ${reason}`, { action, reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })
}

/** steadfast_retry_duration_seconds for one operation and outcome: how many observed, and their sum. */
async function retryDuration (operation: string, outcome: string): Promise<{ count: number, sum: number }> {
  const metric = await retryDurationSeconds.get()
  const value = (suffix: string): number => metric.values.find((v) => v.metricName === `steadfast_retry_duration_seconds${suffix}` &&
    v.labels.operation === operation && v.labels.outcome === outcome)?.value ?? 0
  return { count: value('_count'), sum: value('_sum') }
}

async function retriesCounted (component: string, operation: string, reason: string): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_retries_total')?.get()
  return metric?.values.find((v) => v.labels.component === component && v.labels.operation === operation && v.labels.reason === reason)?.value ?? 0
}

describe('retry', () => {
  test('retries transient failures with growing delays, then returns the result', async () => {
    const clock = new FakeClock()
    const events: RetryEvent[] = []
    let calls = 0
    const result = await clock.run(retry(async () => {
      calls++
      if (calls < 4) throw failure('retry', 'busy')
      return 'done'
    }, { component: 'test', operation: 'grow', clock, logger: silent, policy: { jitter: 'none', initialDelayMs: 100 }, onRetry: (e) => events.push(e) }))
    assert.equal(result, 'done')
    assert.equal(calls, 4)
    assert.deepEqual(events.map((e) => e.delayMs), [100, 200, 400])
    assert.deepEqual(events.map((e) => e.attempt), [1, 2, 3])
    assert.equal(await retriesCounted('test', 'grow', 'busy'), 3)
  })

  test('the time from the first failure to the outcome is observed once per retried call, by outcome', async () => {
    const clock = new FakeClock()
    const policy = { jitter: 'none' as const, initialDelayMs: 100, maxAttempts: 3 }
    let calls = 0
    await clock.run(retry(async () => { if (calls++ < 2) throw failure('retry') }, { component: 'test', operation: 'duration', clock, logger: silent, policy }))
    assert.deepEqual(await retryDuration('duration', 'success'), { count: 1, sum: 0.3 }, 'failed at 0, retried after 100 and 200 ms')
    await clock.run(retry(async () => 'at once', { component: 'test', operation: 'duration', clock, logger: silent, policy }))
    assert.equal((await retryDuration('duration', 'success')).count, 1, 'a call that never failed was not retried')
    await assert.rejects(clock.run(retry(async () => { throw failure('retry') }, { component: 'test', operation: 'duration', clock, logger: silent, policy })), RetriesExhaustedError)
    assert.deepEqual(await retryDuration('duration', 'failure'), { count: 1, sum: 0.3 })
  })

  test('a fatal failure is thrown as is, after one attempt', async () => {
    const clock = new FakeClock()
    const fatal = failure('fatal', 'already-exists')
    let calls = 0
    await assert.rejects(clock.run(retry(async () => { calls++; throw fatal }, { component: 'test', operation: 'fatal', clock, logger: silent })), (e) => e === fatal)
    assert.equal(calls, 1)
  })

  test('a fatal failure after retried ones is thrown as is, and nothing runs after it', async () => {
    const clock = new FakeClock()
    const fatal = failure('fatal', 'invalid-config')
    const script: RecoveryAction[] = ['retry', 'reconnect', 'fatal', 'retry']
    let calls = 0
    const error = await clock.run(retry(async () => {
      const action = script[calls++] ?? 'retry'
      throw action === 'fatal' ? fatal : failure(action)
    }, {
      component: 'test', operation: 'late-fatal', clock, logger: silent, hooks: { reconnect: () => {} },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.equal(error, fatal)
    assert.equal(calls, 3)
  })

  test('runs the hook of each failure\'s action between attempts, in order', async () => {
    const clock = new FakeClock()
    const log: string[] = []
    const script: RecoveryAction[] = ['refresh-metadata', 'refresh-coordinator', 'reconnect', 'retry']
    let calls = 0
    await clock.run(retry(async (ctx) => {
      log.push(`attempt ${ctx.attempt}`)
      const action = script[calls++]
      if (action !== undefined) throw failure(action)
    }, {
      component: 'test',
      operation: 'hooks',
      clock,
      logger: silent,
      hooks: {
        'refresh-metadata': () => { log.push('refresh-metadata') },
        'refresh-coordinator': async () => { await sleep(clock, 5); log.push('refresh-coordinator') },
        reconnect: () => { log.push('reconnect') },
      },
    }))
    assert.deepEqual(log, ['attempt 1', 'refresh-metadata', 'attempt 2', 'refresh-coordinator', 'attempt 3', 'reconnect', 'attempt 4', 'attempt 5'])
  })

  test('the first failure a hook recovers from is retried at once; repeated ones back off', async () => {
    const clock = new FakeClock()
    const events: RetryEvent[] = []
    let calls = 0
    await clock.run(retry(async () => { if (calls++ < 3) throw failure('refresh-coordinator') }, {
      component: 'test', operation: 'immediate', clock, logger: silent, policy: { jitter: 'none' }, hooks: { 'refresh-coordinator': () => {} }, onRetry: (e) => events.push(e),
    }))
    assert.deepEqual(events.map((e) => e.delayMs), [0, 200, 400])
    const plain: RetryEvent[] = []
    calls = 0
    await clock.run(retry(async () => { if (calls++ < 1) throw failure('refresh-coordinator') }, {
      component: 'test', operation: 'immediate', clock, logger: silent, policy: { jitter: 'none' }, onRetry: (e) => plain.push(e),
    }))
    assert.deepEqual(plain.map((e) => e.delayMs), [100], 'without a hook nothing changes, so it waits')
  })

  test('rejoin is not retried without a hook, and is with one', async () => {
    const clock = new FakeClock()
    const rejoin = failure('rejoin')
    await assert.rejects(clock.run(retry(async () => { throw rejoin }, { component: 'test', operation: 'rejoin', clock, logger: silent })), (e) => e === rejoin)
    let calls = 0
    let rejoined = 0
    await clock.run(retry(async () => { if (calls++ === 0) throw rejoin }, { component: 'test', operation: 'rejoin', clock, logger: silent, hooks: { rejoin: () => { rejoined++ } } }))
    assert.equal(rejoined, 1)
  })

  test('a persistent failure stops at the deadline with the last cause attached', async () => {
    const clock = new FakeClock()
    const start = clock.now()
    let calls = 0
    const error = await clock.run(retry(async () => { throw failure('retry', `busy-${++calls}`) }, {
      component: 'test', operation: 'deadline', clock, logger: silent, policy: { deadlineMs: 5_000, maxAttempts: Infinity, initialDelayMs: 100, maxDelayMs: 1_000 },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof DeadlineExceededError)
    assert.equal(error.attempts, calls)
    assert.ok(error.cause instanceof SteadfastError)
    assert.equal(error.cause.reason, `busy-${calls}`)
    assert.match(error.message, /did not succeed within 5000 ms .*failed: busy-/)
    assert.ok(clock.now() - start <= 5_000)
  })

  test('the loop stops as soon as the next delay would reach the deadline, without sleeping into it', async () => {
    const clock = new FakeClock()
    const start = clock.now()
    let calls = 0
    // Fails at 0 (next delay 500: retried at 500) and at 500 (next delay 1000 would end exactly at the 1500 ms deadline).
    const error = await clock.run(retry(async () => { calls++; throw failure('retry', 'busy') }, {
      component: 'test', operation: 'stop-early', clock, logger: silent, policy: { deadlineMs: 1_500, initialDelayMs: 500, multiplier: 2, maxDelayMs: 5_000, jitter: 'none' },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof DeadlineExceededError)
    assert.equal(calls, 2)
    assert.equal(clock.now() - start, 500, 'gave up at the second failure, on the virtual clock')
  })

  test('an attempt that hangs is cut off exactly at the deadline', async () => {
    const clock = new FakeClock()
    const start = clock.now()
    let sawAbort = false
    const error = await clock.run(retry(async (ctx) => {
      ctx.signal.addEventListener('abort', () => { sawAbort = true })
      await new Promise(() => {})
    }, { component: 'test', operation: 'hang', clock, logger: silent, policy: { deadlineMs: 2_000 } })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof DeadlineExceededError)
    assert.equal(clock.now() - start, 2_000)
    assert.ok(sawAbort, 'the attempt was told through its signal')
  })

  test('attempts run out: RetriesExhaustedError with the count and the last cause', async () => {
    const clock = new FakeClock()
    const last = failure('reconnect', 'econnreset')
    const error = await clock.run(retry(async () => { throw last }, { component: 'test', operation: 'exhaust', clock, logger: silent, policy: { maxAttempts: 3 } }))
      .then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof RetriesExhaustedError)
    assert.equal(error.attempts, 3)
    assert.equal(error.cause, last)
  })

  test('abort stops a backoff wait at once', async () => {
    const clock = new FakeClock()
    const controller = new AbortController()
    const start = clock.now()
    const running = retry(async () => { throw failure('retry') }, {
      component: 'test', operation: 'abort', clock, logger: silent, signal: controller.signal, policy: { initialDelayMs: 10_000, maxDelayMs: 10_000, jitter: 'none' },
    })
    running.catch(() => {})
    await clock.advance(1)
    controller.abort(new Error('user gave up'))
    const error = await running.then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof AbortedError)
    assert.equal((error.cause as Error).message, 'user gave up')
    assert.ok(clock.now() - start < 10_000, 'did not wait out the delay')
  })

  test('an already aborted signal runs nothing', async () => {
    let calls = 0
    await assert.rejects(retry(async () => { calls++ }, { component: 'test', operation: 'pre-abort', logger: silent, signal: AbortSignal.abort() }), AbortedError)
    assert.equal(calls, 0)
  })

  test('a server hint (Retry-After, throttle) lengthens the delay', async () => {
    const clock = new FakeClock()
    const events: RetryEvent[] = []
    let calls = 0
    await clock.run(retry(async () => { if (calls++ === 0) throw failure('retry', 'throttled', 3_000) }, {
      component: 'test', operation: 'hint', clock, logger: silent, policy: { jitter: 'none' }, onRetry: (e) => events.push(e),
    }))
    assert.equal(events[0]?.delayMs, 3_000)
  })

  test('capDelay shortens the delays after the failures the caller\'s policy names; a server hint still wins; other failures keep the backoff', async () => {
    const clock = new FakeClock()
    const events: RetryEvent[] = []
    const failures = [failure('refresh-coordinator', 'moving'), failure('retry', 'busy'), failure('refresh-coordinator', 'moving', 700), failure('refresh-coordinator', 'moving')]
    let calls = 0
    const result = await clock.run(retry(async () => {
      const next = failures[calls++]
      if (next !== undefined) throw next
      return 'done'
    }, {
      component: 'test',
      operation: 'capped',
      clock,
      logger: silent,
      onRetry: (e) => events.push(e),
      policy: { jitter: 'none', initialDelayMs: 1_000, maxDelayMs: 8_000 },
      capDelay: (verdict) => verdict.reason === 'moving' ? 50 : undefined,
    }))
    assert.equal(result, 'done')
    assert.deepEqual(events.map((e) => e.delayMs), [50, 2_000, 700, 50])
  })

  test('a failure that carries a wake source ends its delay when the source fires; one firing wakes one delay', async () => {
    const clock = new FakeClock(0)
    const listeners = new Set<() => void>()
    const source: WakeSource = { subscribe: (listener) => { listeners.add(listener); return () => { listeners.delete(listener) } } }
    const fire = (): void => { const now = [...listeners]; listeners.clear(); for (const l of now) l() }
    const attemptsAt: number[] = []
    const done = retry(async () => {
      attemptsAt.push(clock.now())
      if (attemptsAt.length < 3) throw wakeOn(failure('retry', 'unreachable'), source)
      return 'answered'
    }, { component: 'test', operation: 'woken', clock, logger: silent, policy: { jitter: 'none', initialDelayMs: 60_000, maxDelayMs: 60_000, deadlineMs: 600_000 } })
    await clock.advance(5)
    assert.deepEqual(attemptsAt, [0])
    fire()
    await clock.advance(0)
    assert.deepEqual(attemptsAt, [0, 5], 'the second attempt went when the source fired, not after 60 s')
    assert.equal(listeners.size, 1, 'the second failure waits on the source again')
    await clock.advance(59_999)
    assert.deepEqual(attemptsAt, [0, 5], 'without another firing it waits out its delay')
    await clock.advance(1)
    assert.equal(await done, 'answered')
    assert.deepEqual(attemptsAt, [0, 5, 60_005])
    assert.equal(listeners.size, 0)
  })

  test('a failing hook does not end the loop; its error becomes the last cause', async () => {
    const clock = new FakeClock()
    const hookError = failure('reconnect', 'hook-failed')
    const error = await clock.run(retry(async () => { throw failure('refresh-metadata') }, {
      component: 'test', operation: 'hookfail', clock, logger: silent, policy: { maxAttempts: 2 }, hooks: { 'refresh-metadata': () => { throw hookError } },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof RetriesExhaustedError)
    assert.equal(error.attempts, 2)
  })

  test('logs every retry at warn with operation, attempt, delay and reason', async () => {
    const lines: Array<Record<string, unknown>> = []
    const destination = new Writable({ write (chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done() } })
    const logger = createLogger({ level: 'info', destination })
    const clock = new FakeClock()
    let calls = 0
    await clock.run(retry(async () => { if (calls++ < 2) throw failure('retry', 'rebalance') }, { component: 'connect', operation: 'createConnector', clock, logger, policy: { jitter: 'none' } }))
    assert.equal(lines.length, 2)
    for (const [i, line] of lines.entries()) {
      assert.equal(line.level, 40)
      assert.equal(line.operation, 'createConnector')
      assert.equal(line.component, 'connect')
      assert.equal(line.attempt, i + 1)
      assert.equal(line.delayMs, 100 * 2 ** i)
      assert.equal(line.reason, 'rebalance')
    }
  })

  test('property: deadline never exceeded, fatal never retried, attempts and delays within the policy', async () => {
    const actions: RecoveryAction[] = ['retry', 'refresh-metadata', 'refresh-coordinator', 'reconnect', 'rejoin', 'fatal']
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ action: fc.constantFrom(...actions), durationMs: fc.integer({ min: 0, max: 3_000 }) }), { minLength: 1, maxLength: 30 }),
      fc.record({
        initialDelayMs: fc.integer({ min: 0, max: 1_000 }),
        maxDelayMs: fc.integer({ min: 1_000, max: 5_000 }),
        maxAttempts: fc.integer({ min: 1, max: 20 }),
        deadlineMs: fc.integer({ min: 1, max: 20_000 }),
        jitter: fc.constantFrom('full' as const, 'equal' as const, 'none' as const),
      }),
      async (outcomes, policy) => {
        const clock = new FakeClock()
        const start = clock.now()
        const events: RetryEvent[] = []
        let calls = 0
        // The first fatal failure thrown: which call, when, and the error itself. Assertions run
        // after the loop, never inside the operation, whose failures the loop would swallow.
        let fatal: { call: number, atMs: number, error: SteadfastError } | undefined
        const run = retry(async () => {
          const step = outcomes[calls++]
          if (step === undefined) return 'ok'
          await sleep(clock, step.durationMs)
          const error = failure(step.action)
          if (step.action === 'fatal') fatal ??= { call: calls, atMs: clock.now(), error }
          throw error
        }, { component: 'prop', operation: 'prop', clock, logger: silent, policy, onRetry: (e) => events.push(e), hooks: { rejoin: () => {} } })
        const outcome = await clock.run(run).then(() => undefined, (e: unknown) => e)
        assert.ok(clock.now() - start <= policy.deadlineMs, `ran ${clock.now() - start} ms past a ${policy.deadlineMs} ms deadline`)
        assert.ok(calls <= policy.maxAttempts)
        for (const e of events) assert.ok(e.delayMs <= policy.maxDelayMs)
        if (fatal !== undefined) {
          assert.equal(calls, fatal.call, `called again after the fatal failure of call ${fatal.call}`)
          // The fatal error is what the caller gets, unless the deadline had already passed when it came.
          const cutOff = outcome instanceof DeadlineExceededError && fatal.atMs >= start + policy.deadlineMs
          assert.ok(outcome === fatal.error || cutOff, `call ${fatal.call} failed fatally, but the loop ended with ${String(outcome)}`)
        }
      }), { numRuns: 150 })
  })

  test('a client\'s retries are counted in its own registry under its client_id, and published on steadfast:retry', async () => {
    const own = new Registry()
    const metrics = new Metrics({ registry: own, clientId: 'orders-service' })
    const published: unknown[] = []
    const listener = (message: unknown): void => { published.push(message) }
    subscribe('steadfast:retry', listener)
    const clock = new FakeClock()
    const flaky = failure('retry', 'rebalance')
    let calls = 0
    try {
      await clock.run(retry(async () => { if (calls++ === 0) throw flaky }, {
        component: 'connect', operation: 'own-registry', clock, logger: silent, metrics, policy: { jitter: 'none', initialDelayMs: 250 },
      }))
    } finally {
      unsubscribe('steadfast:retry', listener)
    }
    const counted = await own.getSingleMetric('steadfast_retries_total')?.get()
    assert.deepEqual(counted?.values.map((v) => [v.labels, v.value]), [
      [{ client_id: 'orders-service', component: 'connect', operation: 'own-registry', reason: 'rebalance' }, 1],
    ])
    const durations = await own.getSingleMetric('steadfast_retry_duration_seconds')?.get()
    const sum = durations?.values.find((v) => (v as { metricName?: string }).metricName === 'steadfast_retry_duration_seconds_sum')
    assert.deepEqual([sum?.labels, sum?.value], [{ client_id: 'orders-service', component: 'connect', operation: 'own-registry', outcome: 'success' }, 0.25])
    assert.equal(await retriesCounted('connect', 'own-registry', 'rebalance'), 0, 'nothing in the shared registry')
    assert.deepEqual(published, [{
      component: 'connect', operation: 'own-registry', attempt: 1, delayMs: 250, action: 'retry', reason: 'rebalance', error: flaky, clientId: 'orders-service',
    }])
  })

  test('jitter draws from the random source given', async () => {
    const clock = new FakeClock()
    const events: RetryEvent[] = []
    let calls = 0
    await clock.run(retry(async () => { if (calls++ === 0) throw failure('retry') }, {
      component: 'test', operation: 'random', clock, logger: silent, random: () => 0.25, policy: { jitter: 'full', initialDelayMs: 1_000 }, onRetry: (e) => events.push(e),
    }))
    assert.deepEqual(events.map((e) => e.delayMs), [250], 'full jitter: 0.25 of the 1000 ms base')
  })

  test('an already aborted signal: the AbortedError carries its reason', async () => {
    const reason = new Error('shutting down')
    await assert.rejects(retry(async () => 'never', { component: 'test', operation: 'pre-abort-reason', logger: silent, signal: AbortSignal.abort(reason) }),
      (error: unknown) => error instanceof AbortedError && error.cause === reason)
  })

  test('the errors carry the time spent on the loop\'s clock, and no cause text when there was no failure', async () => {
    const clock = new FakeClock()
    const exhausted = await clock.run(retry(async () => { throw failure('retry') }, {
      component: 'test', operation: 'elapsed', clock, logger: silent, policy: { maxAttempts: 3, initialDelayMs: 100, multiplier: 2, jitter: 'none' },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(exhausted instanceof RetriesExhaustedError)
    assert.equal(exhausted.elapsedMs, 300, 'waits of 100 and 200 ms')
    const stopped = await clock.run(retry(async () => { throw failure('retry') }, {
      component: 'test', operation: 'elapsed', clock, logger: silent, policy: { deadlineMs: 1_500, initialDelayMs: 500, multiplier: 2, jitter: 'none' },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(stopped instanceof DeadlineExceededError)
    assert.equal(stopped.elapsedMs, 500)
    const hung = await clock.run(retry(async () => await new Promise(() => {}), {
      component: 'test', operation: 'elapsed', clock, logger: silent, policy: { deadlineMs: 1_000 },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(hung instanceof DeadlineExceededError)
    assert.match(hung.message, /\(1 attempt\(s\)\)$/)
  })

  test('once done, the loop leaves no listener on the caller\'s signal and no deadline timer', async () => {
    const clock = new FakeClock()
    const caller = new AbortController()
    let calls = 0
    await clock.run(retry(async () => { if (calls++ === 0) throw failure('retry') }, {
      component: 'test', operation: 'cleanup', clock, logger: silent, signal: caller.signal, policy: { deadlineMs: 60_000 },
    }))
    assert.equal(getEventListeners(caller.signal, 'abort').length, 0)
    assert.equal(clock.pending, 0)
  })

  test('a hook that fails is the failure the loop reports if nothing later replaces it', async () => {
    const clock = new FakeClock()
    const hookFailure = new Error('metadata refresh failed: no broker answers')
    let calls = 0
    const error = await clock.run(retry(async (ctx) => {
      if (calls++ === 0) throw failure('reconnect', 'econnreset')
      await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))
    }, { component: 'test', operation: 'hook-fails', clock, logger: silent, policy: { deadlineMs: 1_000 }, hooks: { reconnect: () => { throw hookFailure } } }))
      .then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof DeadlineExceededError)
    assert.equal(error.cause, hookFailure)
    assert.equal(calls, 2)
  })

  test('a hook still running at the deadline stops the loop there: no further attempt', async () => {
    const clock = new FakeClock()
    let calls = 0
    const error = await clock.run(retry(async () => { calls++; throw failure('reconnect', 'econnreset') }, {
      component: 'test', operation: 'hook-hangs', clock, logger: silent, policy: { deadlineMs: 1_000 }, hooks: { reconnect: async () => await new Promise(() => {}) },
    })).then(() => assert.fail('should have failed'), (e: unknown) => e)
    assert.ok(error instanceof DeadlineExceededError)
    assert.deepEqual([calls, error.attempts], [1, 1])
  })

  test('a hook for plain retries does not make the first retry immediate', async () => {
    const clock = new FakeClock()
    const events: RetryEvent[] = []
    let calls = 0
    await clock.run(retry(async () => { if (calls++ === 0) throw failure('retry') }, {
      component: 'test', operation: 'retry-hook', clock, logger: silent, policy: { jitter: 'none' }, hooks: { retry: () => {} }, onRetry: (e) => events.push(e),
    }))
    assert.deepEqual(events.map((e) => e.delayMs), [100])
  })

  describe('at the deadline, the cause is what a stalled attempt in flight says, unless it says only that it was aborted', () => {
    const earlier = failure('retry', 'busy')
    /**
     * Attempt 1 fails with `first` (if given) after `firstTakesMs`, attempt 2 (or 1) answers the
     * deadline's abort with `onAbort(reason)`.
     */
    async function causeAtDeadline (first: SteadfastError | undefined, onAbort: (reason: unknown) => unknown, firstTakesMs = 0): Promise<unknown> {
      const clock = new FakeClock()
      let calls = 0
      const error = await clock.run(retry(async (ctx) => {
        if (calls++ === 0 && first !== undefined) {
          await sleep(clock, firstTakesMs)
          throw first
        }
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(onAbort(ctx.signal.reason))))
      }, { component: 'test', operation: 'cause', clock, logger: silent, policy: { deadlineMs: 1_000, jitter: 'none' } }))
        .then(() => assert.fail('should have failed'), (e: unknown) => e)
      assert.ok(error instanceof DeadlineExceededError)
      return error.cause
    }

    test('its own error naming the stall replaces the earlier failure', async () => {
      const stall = new Error('broker 1 never answered ApiVersions')
      assert.equal(await causeAtDeadline(earlier, () => stall), stall)
    })

    test('an attempt cut soon after it began does not: the earlier failure says why the time ran out', async () => {
      // Attempt 1 fails at 850 ms, attempt 2 starts at 950 ms and is cut at 1000 ms (50 of 1000 ms).
      const cut = new Error('connecting to broker 1 did not complete within 50 ms (stopped by the caller)')
      assert.equal(await causeAtDeadline(earlier, () => cut, 850), earlier)
    })

    test('the bare abort reason does not', async () => {
      assert.equal(await causeAtDeadline(earlier, (reason) => reason), earlier)
    })

    test('an AbortedError does not replace a real failure, but is kept when there was none', async () => {
      const aborted = new AbortedError('request aborted')
      assert.equal(await causeAtDeadline(earlier, () => aborted), earlier)
      assert.equal(await causeAtDeadline(undefined, () => aborted), aborted)
    })
  })
})
