import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import fc from 'fast-check'
import { Bulkhead } from '../../src/resilience/bulkhead.ts'
import { AbortedError, CapacityError, InvalidArgumentError } from '../../src/resilience/errors.ts'
import { bulkheadWaitSeconds, registry } from '../../src/observability/metrics.ts'

function deferred (): { promise: Promise<void>, resolve: () => void } {
  let release!: () => void
  const promise = new Promise<void>((resolve) => { release = resolve })
  return { promise, resolve: release }
}

async function gaugeValue (name: string, limiter: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get()
  return metric?.values.find((v) => v.labels.limiter === limiter)?.value
}

async function histogramValue (sample: string, limiter: string): Promise<number | undefined> {
  const metric = await bulkheadWaitSeconds.get()
  return metric.values.find((v) => v.metricName === sample && v.labels.limiter === limiter)?.value
}

describe('Bulkhead', () => {
  test('validates its options', () => {
    assert.throws(() => new Bulkhead({ name: 'x', maxConcurrent: 0 }), (e: unknown) => e instanceof InvalidArgumentError && /maxConcurrent must be an integer >= 1, got 0/.test(e.message))
    assert.throws(() => new Bulkhead({ name: 'x', maxConcurrent: 1, maxQueue: -1 }), /maxQueue must be an integer >= 0/)
  })

  test('runs at most maxConcurrent at once and starts waiters in FIFO order', async () => {
    const bulkhead = new Bulkhead({ name: 'fifo', maxConcurrent: 2 })
    const gates = Array.from({ length: 5 }, deferred)
    const started: number[] = []
    const runs = gates.map((gate, i) => bulkhead.run(async () => { started.push(i); await gate.promise; return i }))
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(started, [0, 1])
    assert.equal(bulkhead.queued, 3)
    assert.equal(await gaugeValue('steadfast_bulkhead_queue_length', 'fifo'), 3)
    gates[1]!.resolve()
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(started, [0, 1, 2])
    for (const g of gates) g.resolve()
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4])
    assert.equal(bulkhead.active, 0)
    assert.equal(await gaugeValue('steadfast_bulkhead_active', 'fifo'), 0)
  })

  test('with maxQueue 0 a call finding every slot busy is refused at once; a live signal does not stop a free slot', async () => {
    const bulkhead = new Bulkhead({ name: 'no-queue', maxConcurrent: 1, maxQueue: 0 })
    const gate = deferred()
    const first = bulkhead.run(() => gate.promise, { signal: new AbortController().signal })
    await assert.rejects(bulkhead.run(async () => 'second'), CapacityError)
    assert.equal(bulkhead.queued, 0)
    gate.resolve()
    await first
    assert.equal(await bulkhead.run(async () => 'after'), 'after')
  })

  test('a full queue answers CapacityError, which is retriable', async () => {
    const bulkhead = new Bulkhead({ name: 'full', maxConcurrent: 1, maxQueue: 1 })
    const gate = deferred()
    const first = bulkhead.run(() => gate.promise)
    const second = bulkhead.run(async () => 'second')
    await assert.rejects(bulkhead.run(async () => 'third'), (e) => e instanceof CapacityError && e.action === 'retry')
    gate.resolve()
    await first
    assert.equal(await second, 'second')
  })

  test('an aborted waiter leaves the queue at once and others keep their turn', async () => {
    const bulkhead = new Bulkhead({ name: 'abort', maxConcurrent: 1 })
    const gate = deferred()
    const controller = new AbortController()
    const first = bulkhead.run(() => gate.promise)
    const aborted = bulkhead.run(async () => 'never', { signal: controller.signal })
    const third = bulkhead.run(async () => 'third')
    controller.abort()
    await assert.rejects(aborted, AbortedError)
    assert.equal(bulkhead.queued, 1)
    gate.resolve()
    await first
    assert.equal(await third, 'third')
  })

  test('an abort before a slot is free, or while waiting, rejects with the signal\'s reason as the cause and leaves no listener behind', async () => {
    const bulkhead = new Bulkhead({ name: 'abort-cause', maxConcurrent: 1 })
    const early = new AbortController()
    early.abort(new Error('shutting down'))
    await assert.rejects(bulkhead.run(async () => 'never', { signal: early.signal }),
      (e) => e instanceof AbortedError && e.cause === early.signal.reason)

    const gate = deferred()
    const first = bulkhead.run(() => gate.promise)
    const controller = new AbortController()
    const waiting = bulkhead.run(async () => 'never', { signal: controller.signal })
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
    const reason = new Error('caller gave up')
    controller.abort(reason)
    await assert.rejects(waiting, (e) => e instanceof AbortedError && e.cause === reason)
    // A caller's signal often outlives the call (a client's shutdown signal): its listener must go.
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
    gate.resolve()
    await first
  })

  test('a granted waiter takes its listener off the signal', async () => {
    const bulkhead = new Bulkhead({ name: 'granted', maxConcurrent: 1 })
    const gate = deferred()
    const first = bulkhead.run(() => gate.promise)
    const controller = new AbortController()
    const second = bulkhead.run(async () => getEventListeners(controller.signal, 'abort').length, { signal: controller.signal })
    gate.resolve()
    await first
    assert.equal(await second, 0)
  })

  test('the wait histogram is labelled with the limiter and observes seconds, from enqueue to grant', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
    const bulkhead = new Bulkhead({ name: 'waited', maxConcurrent: 1 })
    const gate = deferred()
    const first = bulkhead.run(() => gate.promise)
    const second = bulkhead.run(async () => 'second')
    t.mock.timers.tick(2_500)
    gate.resolve()
    await first
    await second
    // Two observations: 0 s for the call that found a free slot, 2.5 s for the one that queued.
    assert.equal(await histogramValue('steadfast_bulkhead_wait_seconds_count', 'waited'), 2)
    assert.equal(await histogramValue('steadfast_bulkhead_wait_seconds_sum', 'waited'), 2.5)
  })

  test('a failing call releases its slot', async () => {
    const bulkhead = new Bulkhead({ name: 'fail', maxConcurrent: 1 })
    await assert.rejects(bulkhead.run(async () => { throw new Error('boom') }), /boom/)
    assert.equal(await bulkhead.run(async () => 'next'), 'next')
  })

  test('property: concurrency never exceeds the limit and every call completes', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), async (limit, turns) => {
      const bulkhead = new Bulkhead({ name: 'prop', maxConcurrent: limit })
      let running = 0
      let peak = 0
      const results = await Promise.all(turns.map((t, i) => bulkhead.run(async () => {
        running++
        peak = Math.max(peak, running)
        for (let k = 0; k < t; k++) await new Promise((resolve) => setImmediate(resolve))
        running--
        return i
      })))
      assert.ok(peak <= limit)
      assert.deepEqual(results, turns.map((_, i) => i))
    }), { numRuns: 60 })
  })
})
