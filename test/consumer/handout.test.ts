/**
 * The hand-out watchdog: one timer for all hand-outs, reporting a hand-out held past the limit
 * exactly once, never one that ended in time, however many came before. Timers and clock are
 * node:test's mock timers.
 */
import { afterEach, beforeEach, mock, test } from 'node:test'
import assert from 'node:assert/strict'
import { Handout } from '../../src/consumer/handout.ts'

beforeEach(() => { mock.timers.enable({ apis: ['setTimeout', 'Date'] }) })
afterEach(() => { mock.timers.reset() })

function watch (maxMs: number): { handout: Handout, reports: Array<Promise<void>> } {
  const reports: Array<Promise<void>> = []
  return { handout: new Handout(maxMs, (done) => { reports.push(done) }, () => Date.now()), reports }
}

test('hand-outs that each end in time are never reported, however long they go on', () => {
  const { handout, reports } = watch(100)
  for (let i = 0; i < 50; i++) {
    handout.begin()
    mock.timers.tick(60)
    handout.end()
  }
  assert.equal(reports.length, 0)
})

test('a hand-out held past the limit is reported once, when its own limit is reached', () => {
  const { handout, reports } = watch(100)
  handout.begin()
  mock.timers.tick(70)
  handout.end()
  handout.begin()
  // The timer armed by the first hand-out fires at 100: the second has 70 ms left.
  mock.timers.tick(99)
  assert.equal(reports.length, 0, 'not reported at 169, before the second has been held 100 ms')
  mock.timers.tick(1)
  assert.equal(reports.length, 1)
  mock.timers.tick(1_000)
  assert.equal(reports.length, 1, 'reported once')
  handout.end()
  handout.begin()
  mock.timers.tick(101)
  assert.equal(reports.length, 2, 'the next hand-out is watched again')
})

test('done resolves when the hand-out ends, at once when nothing is handed out', async () => {
  const { handout, reports } = watch(100)
  await handout.done()
  handout.begin()
  let ended = false
  const done = handout.done().then(() => { ended = true })
  assert.equal(handout.active, true)
  mock.timers.tick(150)
  assert.equal(reports.length, 1)
  await Promise.resolve()
  assert.equal(ended, false, 'still held')
  handout.end()
  await done
  await reports[0]
  assert.equal(ended, true)
  assert.equal(handout.active, false)
})

test('after stop nothing is reported, and done still resolves at end', async () => {
  const { handout, reports } = watch(100)
  handout.begin()
  handout.stop()
  mock.timers.tick(500)
  handout.end()
  handout.begin()
  mock.timers.tick(500)
  assert.equal(reports.length, 0)
  const done = handout.done()
  handout.end()
  await done
})
