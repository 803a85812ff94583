import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SingleFlight } from '../../src/resilience/single-flight.ts'

function deferred<T> (): { promise: Promise<T>, resolve: (value: T) => void, reject: (error: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((_resolve, _reject) => { resolve = _resolve; reject = _reject })
  return { promise, resolve, reject }
}

describe('SingleFlight', () => {
  test('concurrent callers of one key share one run and its value', async () => {
    const flight = new SingleFlight<string, number>()
    const gate = deferred<number>()
    let runs = 0
    const fn = async (): Promise<number> => { runs++; return await gate.promise }
    const a = flight.run('k', fn)
    const b = flight.run('k', fn)
    assert.equal(a, b)
    assert.equal(flight.size, 1)
    gate.resolve(7)
    assert.deepEqual(await Promise.all([a, b]), [7, 7])
    assert.equal(runs, 1)
  })

  test('different keys run separately', async () => {
    const flight = new SingleFlight<string, string>()
    const values = await Promise.all([flight.run('a', async () => 'A'), flight.run('b', async () => 'B')])
    assert.deepEqual(values, ['A', 'B'])
  })

  test('a settled run frees the key: a failure is not cached, the next call runs again', async () => {
    const flight = new SingleFlight<string, number>()
    const boom = new Error('boom')
    await assert.rejects(flight.run('k', async () => { throw boom }), (e: unknown) => e === boom)
    assert.equal(flight.size, 0)
    assert.equal(await flight.run('k', async () => 2), 2)
    assert.equal(flight.size, 0)
  })

  test('a function that throws synchronously rejects the shared promise', async () => {
    const flight = new SingleFlight<string, number>()
    await assert.rejects(flight.run('k', () => { throw new Error('sync') }), /sync/)
    assert.equal(flight.size, 0)
  })

  test('property: each key runs once per batch of concurrent calls, and every caller gets that run\'s value', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 30 }), async (keys) => {
      const flight = new SingleFlight<string, string>()
      const runs = new Map<string, number>()
      const results = await Promise.all(keys.map(async (key) => await flight.run(key, async () => {
        const n = (runs.get(key) ?? 0) + 1
        runs.set(key, n)
        await new Promise((resolve) => setImmediate(resolve))
        return `${key}#${n}`
      })))
      assert.deepEqual(results, keys.map((k) => `${k}#1`))
      assert.deepEqual([...runs.keys()].sort(), [...new Set(keys)].sort())
      assert.equal(flight.size, 0)
    }))
  })
})
