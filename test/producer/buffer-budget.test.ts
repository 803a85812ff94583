import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { BufferBudget } from '../../src/producer/buffer-budget.ts'
import { BufferFullError } from '../../src/producer/errors.ts'

const tick = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

describe('BufferBudget', () => {
  test('takes space while it fits, refuses beyond the limit', () => {
    const deltas: number[] = []
    const b = new BufferBudget({ total: 100, perPartition: 100 }, (d) => deltas.push(d))
    assert.equal(b.tryReserve(60, 't-0'), true)
    assert.equal(b.tryReserve(50, 't-1'), false)
    assert.equal(b.tryReserve(40, 't-1'), true)
    b.release(60, 't-0')
    b.release(40, 't-1')
    assert.equal(b.used, 0)
    assert.deepEqual(deltas, [60, 40, -60, -40])
  })

  test('waiters for shared space get it in FIFO order as it is released', async () => {
    const b = new BufferBudget({ total: 100, perPartition: 100 })
    b.tryReserve(100, 't-0')
    const order: string[] = []
    const big = b.reserve(80, 't-1', 10_000).then(() => order.push('big'))
    const small = b.reserve(10, 't-2', 10_000).then(() => order.push('small'))
    assert.equal(b.tryReserve(1, 't-3'), false, 'no jumping the queue')
    b.release(50, 't-0')
    await tick()
    assert.deepEqual(order, [], '80 bytes do not fit in 50')
    b.release(50, 't-0')
    await Promise.all([big, small])
    assert.deepEqual(order, ['big', 'small'])
    assert.equal(b.used, 90)
  })

  test('a partition at its cap waits alone: other partitions take space past it, its own later records queue behind it', async () => {
    const b = new BufferBudget({ total: 100, perPartition: 40 })
    assert.equal(b.tryReserve(40, 'stuck-0'), true)
    assert.equal(b.tryReserve(1, 'stuck-0'), false, 'the partition is at its cap')
    let granted = false
    const waiting = b.reserve(10, 'stuck-0', 10_000).then(() => { granted = true })
    assert.equal(b.tryReserve(30, 'ok-1'), true, 'a waiter held back by its own cap does not hold back others')
    assert.equal(b.tryReserve(30, 'ok-2'), true)
    assert.equal(b.tryReserve(5, 'stuck-0'), false, 'no overtaking within the partition')
    assert.equal(b.usedBy('stuck-0'), 40)
    b.release(30, 'ok-1')
    await tick()
    assert.equal(granted, false, 'space elsewhere does not lift the partition cap')
    b.release(20, 'stuck-0')
    await waiting
    assert.equal(b.usedBy('stuck-0'), 30)
  })

  test('a waiter that runs out of time gets BufferFullError naming the limit it hit, and the next waiter moves up', async () => {
    const b = new BufferBudget({ total: 100, perPartition: 100 })
    b.tryReserve(95, 't-0')
    const error = await b.reserve(50, 't-1', 20).catch((e: unknown) => e)
    assert.ok(error instanceof BufferFullError)
    assert.match(error.message, /95 of 100 bytes \(maxBufferedBytes\).*50 bytes found no space within 20 ms \(maxBlockMs\)/)
    assert.equal(error.action, 'retry')
    assert.equal(b.waiting, 0)
    await b.reserve(5, 't-1', 0)
    assert.equal(b.used, 100)
    const capped = new BufferBudget({ total: 100, perPartition: 30 })
    capped.tryReserve(30, 't-7')
    const perPartition = await capped.reserve(10, 't-7', 10, 500).catch((e: unknown) => e)
    assert.match((perPartition as Error).message, /partition t-7 holds 30 of 30 bytes \(maxBufferedBytesPerPartition\).*within 500 ms \(maxBlockMs\)/)
  })

  test('property: neither limit is ever exceeded and use returns to 0 after every release', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.constantFrom('a-0', 'a-1', 'b-0')), { maxLength: 40 }), (requests) => {
      const b = new BufferBudget({ total: 100, perPartition: 60 })
      const taken: Array<[number, string]> = []
      for (const [size, key] of requests) {
        if (b.tryReserve(size, key)) taken.push([size, key])
        assert.ok(b.used <= 100)
        assert.ok(['a-0', 'a-1', 'b-0'].every((k) => b.usedBy(k) <= 60))
      }
      for (const [size, key] of taken) b.release(size, key)
      assert.equal(b.used, 0)
    }))
  })
})
