/**
 * The HTTP rules every REST service shares (RFC 9110 idempotence, 429, 408, 5xx) and when a
 * transport failure may go on to the next base URL, as pure functions: the statuses at the edges
 * of each rule, every method, and the server's Retry-After hint.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { TransportError } from '../../src/resilience/errors.ts'
import { classifyHttpStatus, isIdempotent, mayFailOver, withHint } from '../../src/rest/faults.ts'

const answer = (status: number, method = 'GET', retryAfterMs?: number): ReturnType<typeof classifyHttpStatus> =>
  classifyHttpStatus({ method, path: '/x', status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })

describe('isIdempotent', () => {
  test('GET, HEAD, OPTIONS, PUT and DELETE in any case; POST and PATCH are not', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'get', 'Put', 'delete']) assert.equal(isIdempotent(method), true, method)
    for (const method of ['POST', 'PATCH', 'post', 'CONNECT']) assert.equal(isIdempotent(method), false, method)
  })
})

describe('classifyHttpStatus', () => {
  test('429 is throttling for every method, with the server\'s hint', () => {
    assert.deepEqual(answer(429, 'POST'), { action: 'retry', reason: 'throttled' })
    assert.deepEqual(answer(429, 'GET', 1500), { action: 'retry', reason: 'throttled', retryAfterMs: 1500 })
  })

  test('5xx and 408 are retried for idempotent methods, with the hint; fatal for the others, without it', () => {
    for (const status of [500, 502, 503, 504, 599, 408]) {
      assert.deepEqual(answer(status, 'GET'), { action: 'retry', reason: `http-${status}` })
      assert.deepEqual(answer(status, 'PUT', 2000), { action: 'retry', reason: `http-${status}`, retryAfterMs: 2000 })
      assert.deepEqual(answer(status, 'POST', 2000), { action: 'fatal', reason: `http-${status}` })
    }
  })

  test('every other status is fatal, whatever the method: 499, 409, 404, 407, 400, 300', () => {
    for (const status of [499, 409, 404, 407, 400, 300]) {
      assert.deepEqual(answer(status, 'GET', 1000), { action: 'fatal', reason: `http-${status}` })
    }
  })
})

describe('withHint', () => {
  test('adds the delay the server asked for, and nothing when it asked for none (0 is a hint)', () => {
    assert.deepEqual(withHint({ action: 'retry', reason: 'r' }, undefined), { action: 'retry', reason: 'r' })
    assert.deepEqual(withHint({ action: 'retry', reason: 'r' }, 0), { action: 'retry', reason: 'r', retryAfterMs: 0 })
  })
})

describe('mayFailOver', () => {
  test('a refused connection never left, so any method goes on; after another lost connection only an idempotent one does', () => {
    const refused = new TransportError('refused', 'ECONNREFUSED')
    const reset = new TransportError('reset', 'ECONNRESET')
    assert.equal(mayFailOver(refused, 'POST'), true)
    assert.equal(mayFailOver(reset, 'POST'), false)
    assert.equal(mayFailOver(reset, 'GET'), true)
    assert.equal(mayFailOver(new TransportError('bad certificate', 'CERT_HAS_EXPIRED', { action: 'fatal' }), 'GET'), false, 'a fatal transport failure is the same on every URL')
  })
})
