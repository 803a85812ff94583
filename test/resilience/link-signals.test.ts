import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import fc from 'fast-check'
import { linkSignals } from '../../src/resilience/link-signals.ts'

describe('linkSignals', () => {
  test('aborts with the reason of whichever parent aborts first', () => {
    const a = new AbortController()
    const b = new AbortController()
    const linked = linkSignals(a.signal, undefined, b.signal)
    assert.equal(linked.signal.aborted, false)
    b.abort('b went')
    assert.equal(linked.signal.aborted, true)
    assert.equal(linked.signal.reason, 'b went')
    a.abort('a went')
    assert.equal(linked.signal.reason, 'b went', 'the first reason stays')
  })

  test('a parent aborted already aborts it at once, with that reason', () => {
    const a = new AbortController()
    a.abort('early')
    const linked = linkSignals(new AbortController().signal, a.signal)
    assert.equal(linked.signal.reason, 'early')
  })

  test('its owner can abort it alone, and the parents keep no listener after', () => {
    const parent = new AbortController()
    const linked = linkSignals(parent.signal)
    assert.equal(getEventListeners(parent.signal, 'abort').length, 1)
    linked.abort('mine')
    assert.equal(linked.signal.reason, 'mine')
    assert.equal(parent.signal.aborted, false)
    assert.equal(getEventListeners(parent.signal, 'abort').length, 0)
  })

  test('unlink detaches it: a later parent abort does not reach it', () => {
    const parent = new AbortController()
    const linked = linkSignals(parent.signal)
    linked.unlink()
    assert.equal(getEventListeners(parent.signal, 'abort').length, 0)
    parent.abort('late')
    assert.equal(linked.signal.aborted, false)
  })

  test('with no parents it aborts only when told', () => {
    const linked = linkSignals()
    assert.equal(linked.signal.aborted, false)
    linked.abort()
    assert.equal(linked.signal.aborted, true)
  })

  test('property: aborted iff some parent aborted, with the first one\'s reason', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), { maxLength: 6 }), fc.array(fc.nat(5), { maxLength: 6 }), (early, order) => {
      // early[i]: parent i aborted before linking (with reason i), or not.
      const controllers = early.map(() => new AbortController())
      early.forEach((e, i) => { if (e !== undefined) controllers[i]!.abort(i) })
      const linked = linkSignals(...controllers.map((c) => c.signal))
      const firstEarly = early.findIndex((e) => e !== undefined)
      const fired = order.filter((i) => i < controllers.length && !controllers[i]!.signal.aborted)
      for (const i of order) if (i < controllers.length) controllers[i]!.abort(i)
      const expected = firstEarly >= 0 ? firstEarly : fired[0]
      assert.equal(linked.signal.aborted, expected !== undefined)
      if (expected !== undefined) assert.equal(linked.signal.reason, expected)
      linked.unlink()
      for (const c of controllers) assert.equal(getEventListeners(c.signal, 'abort').length, 0, 'no listener left on a parent')
    }))
  })
})
