import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SteadfastError } from '../../src/resilience/errors.ts'
import { wakeOf, wakeOn, type WakeSource } from '../../src/resilience/wake.ts'

const source: WakeSource = { subscribe: () => () => {} }

test('wakeOn attaches a source that wakeOf finds on the error and through wrappers that keep it as cause', () => {
  const inner = wakeOn(new Error('connect ECONNREFUSED'), source)
  assert.equal(wakeOf(inner), source)
  const wrapped = new SteadfastError('listOffsets failed', { action: 'reconnect', reason: 'econnrefused', cause: new Error('attempt 2', { cause: inner }) })
  assert.equal(wakeOf(wrapped), source)
  assert.equal(wakeOf(new Error('no source', { cause: new Error('none either') })), undefined)
  assert.equal(wakeOf(undefined), undefined)
  assert.equal(wakeOf('a string'), undefined)
  assert.equal(wakeOn('a string', source), 'a string', 'a thrown non-object is returned as it is')
  const frozen = Object.freeze(new Error('frozen'))
  assert.equal(wakeOn(frozen, source), frozen, 'a frozen error is returned as it is, not replaced by a TypeError')
  assert.equal(wakeOf(frozen), undefined)
})

test('the source is not enumerable: errors that carry one serialize as before', () => {
  const error = wakeOn(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), source)
  assert.deepEqual(Object.keys(error), ['code'])
})
