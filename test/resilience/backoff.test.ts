import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { backoffDelay, baseDelay, DEFAULT_BACKOFF, resolveBackoff, type BackoffPolicy } from '../../src/resilience/backoff.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'

const policyArb = fc.record({
  initialDelayMs: fc.integer({ min: 0, max: 5_000 }),
  multiplier: fc.double({ min: 1, max: 5, noNaN: true }),
  extraCap: fc.integer({ min: 0, max: 60_000 }),
  maxAttempts: fc.integer({ min: 1, max: 50 }),
  jitter: fc.constantFrom('full' as const, 'equal' as const, 'none' as const),
}).map(({ extraCap, ...p }): BackoffPolicy => ({ ...p, maxDelayMs: p.initialDelayMs + extraCap, deadlineMs: 60_000 }))

describe('resolveBackoff', () => {
  test('fills defaults', () => {
    assert.deepEqual(resolveBackoff(), { ...DEFAULT_BACKOFF })
    assert.equal(resolveBackoff({ maxAttempts: 3 }).maxAttempts, 3)
  })

  test('an explicit undefined deadline removes it, if attempts are bounded', () => {
    assert.equal(resolveBackoff({ deadlineMs: undefined, maxAttempts: 4 }).deadlineMs, undefined)
    assert.throws(() => resolveBackoff({ deadlineMs: undefined, maxAttempts: Infinity }), /maxAttempts must be finite when there is no deadline/)
  })

  test('the edges of each range are accepted: no delay, no growth, a single attempt', () => {
    const p = resolveBackoff({ initialDelayMs: 0, multiplier: 1, maxAttempts: 1, maxDelayMs: 0 })
    assert.deepEqual([p.initialDelayMs, p.multiplier, p.maxAttempts, p.maxDelayMs], [0, 1, 1, 0])
  })

  test('names the bad field and value', () => {
    const cases: Array<[Partial<BackoffPolicy>, RegExp]> = [
      [{ initialDelayMs: -1 }, /initialDelayMs must be a finite number >= 0, got -1/],
      [{ multiplier: 0.5 }, /multiplier must be a finite number >= 1, got 0.5/],
      [{ maxDelayMs: 10, initialDelayMs: 100 }, /maxDelayMs must be a finite number >= initialDelayMs, got 10/],
      [{ maxAttempts: 0 }, /maxAttempts must be an integer >= 1 or Infinity, got 0/],
      [{ maxAttempts: 2.5 }, /maxAttempts/],
      [{ deadlineMs: 0 }, /deadlineMs must be a finite number > 0/],
      [{ jitter: 'sometimes' as 'full' }, /jitter must be one of full, equal, none, got sometimes/],
    ]
    for (const [partial, message] of cases) {
      assert.throws(() => resolveBackoff(partial), (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message))
    }
  })
})

describe('backoffDelay', () => {
  test('grows exponentially up to the cap without jitter', () => {
    const p = resolveBackoff({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: 'none' })
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n)), [100, 200, 400, 800, 1000, 1000])
  })

  test('jitter scales the base delay by the random draw, clamped to [0, 1]', () => {
    const full = resolveBackoff({ initialDelayMs: 1000, maxDelayMs: 1000, jitter: 'full' })
    const equal = resolveBackoff({ initialDelayMs: 1000, maxDelayMs: 1000, jitter: 'equal' })
    assert.deepEqual([0.5, 0.25, 1.5, -1].map((r) => backoffDelay(full, 1, () => r)), [500, 250, 1000, 0])
    assert.deepEqual([0.5, 0.25, 1.5, -1].map((r) => backoffDelay(equal, 1, () => r)), [750, 625, 1000, 500])
  })

  test('property: every delay lies within its jitter bounds and never above the cap', () => {
    fc.assert(fc.property(policyArb, fc.integer({ min: 1, max: 80 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (policy, retry, r) => {
      const base = baseDelay(policy, retry)
      const delay = backoffDelay(policy, retry, () => r)
      assert.ok(base <= policy.maxDelayMs)
      assert.ok(delay >= 0 && delay <= base, `delay ${delay} outside [0, ${base}]`)
      if (policy.jitter === 'equal') assert.ok(delay >= Math.floor(base / 2))
      if (policy.jitter === 'none') assert.equal(delay, base)
    }))
  })

  test('property: the base delay never shrinks from one retry to the next', () => {
    fc.assert(fc.property(policyArb, fc.integer({ min: 1, max: 80 }), (policy, retry) => {
      assert.ok(baseDelay(policy, retry + 1) >= baseDelay(policy, retry))
    }))
  })
})
