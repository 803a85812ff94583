import { test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { sleep, systemClock } from '../../src/resilience/clock.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import type { WakeSource } from '../../src/resilience/wake.ts'

test('systemClock.schedule fires after its delay, and its cancel stops the timer', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const fired: string[] = []
  systemClock.schedule(1_000, () => fired.push('kept'))
  const cancel = systemClock.schedule(1_000, () => fired.push('cancelled'))
  cancel()
  t.mock.timers.tick(1_000)
  assert.deepEqual(fired, ['kept'])
})

test('sleep on an already aborted signal rejects with its reason and schedules nothing', async () => {
  const clock = new FakeClock()
  const controller = new AbortController()
  const reason = new Error('stopped')
  controller.abort(reason)
  const slept = sleep(clock, 1_000, controller.signal)
  assert.equal(clock.pending, 0)
  await assert.rejects(slept, (e) => e === reason)
})

test('sleep aborted midway rejects with the reason, clears its timer and leaves no listener', async () => {
  const clock = new FakeClock()
  const controller = new AbortController()
  const slept = sleep(clock, 1_000, controller.signal)
  assert.equal(clock.pending, 1)
  const reason = new Error('caller gave up')
  controller.abort(reason)
  await assert.rejects(slept, (e) => e === reason)
  assert.equal(clock.pending, 0)
  // The signal may outlive the sleep (a client's shutdown signal): nothing of it stays attached.
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
})

test('sleep that runs its course resolves at its delay and takes its listener off the signal', async () => {
  const clock = new FakeClock(0)
  const controller = new AbortController()
  let done = false
  const slept = sleep(clock, 1_000, controller.signal).then(() => { done = true })
  await clock.advance(999)
  assert.equal(done, false)
  await clock.advance(1)
  await slept
  assert.equal(done, true)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
})

/** A wake source the test fires by hand, counting who listens. */
function manualWake (): { source: WakeSource, fire: () => void, listening: () => number } {
  const listeners = new Set<() => void>()
  return {
    source: { subscribe: (listener) => { listeners.add(listener); return () => { listeners.delete(listener) } } },
    fire: () => { const now = [...listeners]; listeners.clear(); for (const l of now) l() },
    listening: () => listeners.size,
  }
}

test('sleep with a wake source ends when it fires, clears its timer and stops listening; one that runs its course stops listening too', async () => {
  const clock = new FakeClock(0)
  const controller = new AbortController()
  const wake = manualWake()
  let done = false
  const slept = sleep(clock, 60_000, controller.signal, wake.source).then(() => { done = true })
  await clock.advance(10)
  assert.equal(done, false)
  assert.equal(wake.listening(), 1)
  wake.fire()
  await slept
  assert.equal(clock.now(), 10, 'woken, not at its delay')
  assert.equal(clock.pending, 0)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  const quiet = manualWake()
  await clock.run(sleep(clock, 1_000, undefined, quiet.source))
  assert.equal(clock.now(), 1_010)
  assert.equal(quiet.listening(), 0, 'nothing of the sleep stays on the source')
  const aborted = new AbortController()
  const stopped = sleep(clock, 1_000, aborted.signal, quiet.source)
  aborted.abort(new Error('stop'))
  await assert.rejects(stopped, /stop/)
  assert.equal(quiet.listening(), 0)
})
