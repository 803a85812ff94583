/**
 * TimeSlice with `performance.now` held by the test: the slice's end is read off the mocked
 * clock, never measured, and a turn is seen by what the event loop ran during it.
 */
import { afterEach, beforeEach, describe, mock, test } from 'node:test'
import assert from 'node:assert/strict'
import { TimeSlice } from '../../src/resilience/time-slice.ts'

describe('TimeSlice', () => {
  let now = 0
  beforeEach(() => { now = 1000; mock.method(performance, 'now', () => now) })
  afterEach(() => { mock.restoreAll() })

  test('a slice is due once its milliseconds have passed, not before', () => {
    const slice = new TimeSlice(20)
    assert.equal(slice.due, false)
    now = 1019.5
    assert.equal(slice.due, false)
    now = 1020
    assert.equal(slice.due, true, 'at exactly 20 ms')
    now = 1500
    assert.equal(slice.due, true)
  })

  test('without a length a slice lasts 5 ms', () => {
    const slice = new TimeSlice()
    now = 1004.9
    assert.equal(slice.due, false)
    now = 1005
    assert.equal(slice.due, true)
  })

  test('restart starts a full slice from now', () => {
    const slice = new TimeSlice(10)
    now = 1030
    assert.equal(slice.due, true)
    slice.restart()
    assert.equal(slice.due, false)
    now = 1039
    assert.equal(slice.due, false)
    now = 1040
    assert.equal(slice.due, true)
  })

  test('turn lets the event loop run what was waiting, then starts a new slice from when the turn ended', async () => {
    const slice = new TimeSlice(10)
    now = 1050
    const ran: string[] = []
    // Queued before the turn: runs during it, and moves the clock as real work would.
    setImmediate(() => { ran.push('immediate'); now = 1070 })
    const turned = slice.turn().then(() => ran.push('turned'))
    await Promise.resolve()
    assert.deepEqual(ran, [], 'a turn does not end within the microtasks of the caller')
    await turned
    assert.deepEqual(ran, ['immediate', 'turned'])
    now = 1079
    assert.equal(slice.due, false, 'the new slice runs from 1070, when the turn ended')
    now = 1080
    assert.equal(slice.due, true)
  })
})
