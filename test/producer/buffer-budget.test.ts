import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { BufferBudget } from '../../src/producer/buffer-budget.ts'
import { BufferFullError } from '../../src/producer/errors.ts'

describe('BufferBudget', () => {
  test('takes space while it fits, refuses beyond the limit', () => {
    const deltas: number[] = []
    const b = new BufferBudget(100, (d) => deltas.push(d))
    assert.equal(b.tryReserve(60), true)
    assert.equal(b.tryReserve(50), false)
    assert.equal(b.tryReserve(40), true)
    b.release(100)
    assert.equal(b.used, 0)
    assert.deepEqual(deltas, [60, 40, -100])
  })

  test('waiters get space in FIFO order as it is released', async () => {
    const b = new BufferBudget(100)
    b.tryReserve(100)
    const order: string[] = []
    const big = b.reserve(80, 10_000).then(() => order.push('big'))
    const small = b.reserve(10, 10_000).then(() => order.push('small'))
    assert.equal(b.tryReserve(1), false, 'no jumping the queue')
    b.release(50)
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(order, [], '80 bytes do not fit in 50')
    b.release(50)
    await Promise.all([big, small])
    assert.deepEqual(order, ['big', 'small'])
    assert.equal(b.used, 90)
  })

  test('a waiter that runs out of time gets BufferFullError naming the limit, and the next waiter moves up', async () => {
    const b = new BufferBudget(100)
    b.tryReserve(95)
    const error = await b.reserve(50, 20).catch((e: unknown) => e)
    assert.ok(error instanceof BufferFullError)
    assert.match(error.message, /95 of 100 bytes \(maxBufferedBytes\).*50 bytes found no space within 20 ms \(maxBlockMs\)/)
    assert.equal(error.action, 'retry')
    assert.equal(b.waiting, 0)
    await b.reserve(5, 0)
    assert.equal(b.used, 100)
  })

  test('property: used never exceeds the limit and returns to 0 after every release', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 40 }), (sizes) => {
      const b = new BufferBudget(100)
      const taken: number[] = []
      for (const s of sizes) {
        if (b.tryReserve(s)) taken.push(s)
        assert.ok(b.used <= 100)
      }
      for (const s of taken) b.release(s)
      assert.equal(b.used, 0)
    }))
  })
})
