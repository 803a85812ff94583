import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { KeyedSerial } from '../../src/resilience/keyed-serial.ts'

function deferred (): { promise: Promise<void>, resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((_resolve) => { resolve = _resolve })
  return { promise, resolve }
}

const turn = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

describe('KeyedSerial', () => {
  test('runs of one key start one after another, in call order, each after the previous settled', async () => {
    const serial = new KeyedSerial<string>()
    const gate = deferred()
    const log: string[] = []
    const first = serial.run('k', async () => { log.push('1 start'); await gate.promise; log.push('1 end'); return 1 })
    const second = serial.run('k', async () => { log.push('2 start'); return 2 })
    await turn()
    assert.deepEqual(log, ['1 start'])
    assert.ok(serial.has('k'))
    gate.resolve()
    assert.deepEqual(await Promise.all([first, second]), [1, 2])
    assert.deepEqual(log, ['1 start', '1 end', '2 start'])
  })

  test('a failed run does not stop the queue, and its caller gets its error', async () => {
    const serial = new KeyedSerial<string>()
    const boom = new Error('boom')
    const failed = serial.run('k', async () => { throw boom })
    const next = serial.run('k', async () => 'after')
    await assert.rejects(failed, (e: unknown) => e === boom)
    assert.equal(await next, 'after')
  })

  test('other keys do not wait, and a drained key leaves no entry', async () => {
    const serial = new KeyedSerial<string>()
    const gate = deferred()
    const blocked = serial.run('a', async () => { await gate.promise })
    assert.equal(await serial.run('b', async () => 'b'), 'b')
    await turn()
    assert.equal(serial.has('b'), false)
    assert.equal(serial.has('a'), true)
    gate.resolve()
    await blocked
    await turn()
    assert.equal(serial.has('a'), false)
  })

  test('idle waits for every run queued so far', async () => {
    const serial = new KeyedSerial<string>()
    const gate = deferred()
    const done: string[] = []
    serial.run('a', async () => { await gate.promise; done.push('a') })
    serial.run('b', async () => { done.push('b') })
    const idle = serial.idle().then(() => [...done])
    gate.resolve()
    assert.deepEqual((await idle).sort(), ['a', 'b'])
  })

  test('a run that settles while a later one of its key is under way leaves the key busy: a new run waits for the later one', async () => {
    const serial = new KeyedSerial<string>()
    const second = deferred()
    const log: string[] = []
    await serial.run('k', async () => { log.push('1') })
    const running = serial.run('k', async () => { log.push('2 start'); await second.promise; log.push('2 end') })
    // The first run's clean-up has had its turns; the second is under way.
    for (let i = 0; i < 3; i++) await turn()
    assert.equal(serial.has('k'), true)
    const third = serial.run('k', async () => { log.push('3') })
    await turn()
    assert.deepEqual(log, ['1', '2 start'], 'the third run waits')
    second.resolve()
    await Promise.all([running, third])
    assert.deepEqual(log, ['1', '2 start', '2 end', '3'])
  })

  test('idle does not settle while a run is still under way', async () => {
    const serial = new KeyedSerial<string>()
    const gate = deferred()
    serial.run('a', async () => { await gate.promise })
    let idle = false
    const waiting = serial.idle().then(() => { idle = true })
    for (let i = 0; i < 3; i++) await turn()
    assert.equal(idle, false)
    gate.resolve()
    await waiting
    assert.equal(idle, true)
  })

  test('property: per key, runs never overlap and start in call order', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ key: fc.constantFrom('a', 'b'), fails: fc.boolean(), turns: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 25 }),
      async (calls) => {
        const serial = new KeyedSerial<string>()
        const active = new Map<string, number>()
        const started: Array<{ key: string, index: number }> = []
        await Promise.allSettled(calls.map(async (call, index) => await serial.run(call.key, async () => {
          assert.equal(active.get(call.key) ?? 0, 0, `a second run of ${call.key} started while one was under way`)
          active.set(call.key, 1)
          started.push({ key: call.key, index })
          for (let i = 0; i < call.turns; i++) await turn()
          active.set(call.key, 0)
          if (call.fails) throw new Error(`run ${index}`)
        })))
        for (const key of ['a', 'b']) {
          assert.deepEqual(started.filter((s) => s.key === key).map((s) => s.index), calls.flatMap((c, i) => c.key === key ? [i] : []))
        }
        await turn()
        assert.equal(serial.has('a') || serial.has('b'), false)
      }))
  })
})
