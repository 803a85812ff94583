import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { classify, classifyKafkaErrorCode, classifySystemCode, parseRetryAfter } from '../../src/resilience/classify.ts'
import { HttpResponseError, InvalidArgumentError, TransportError } from '../../src/resilience/errors.ts'
import { kafkaError } from '../../src/resilience/kafka-errors.ts'

function systemError (code: string): Error {
  return Object.assign(new Error(`socket failed: ${code}`), { code })
}

describe('classify', () => {
  test('steadfast errors carry their own action', () => {
    assert.deepEqual(classify(kafkaError(15, 'x')), { action: 'refresh-coordinator', reason: 'COORDINATOR_NOT_AVAILABLE' })
    assert.deepEqual(classify(new TransportError('reset', 'ECONNRESET')), { action: 'reconnect', reason: 'econnreset' })
    assert.deepEqual(classify(new InvalidArgumentError('bad')), { action: 'fatal', reason: 'invalid-argument' })
    assert.equal(new InvalidArgumentError('bad').retriable, false)
    assert.equal(kafkaError(15, 'x').retriable, true, 'a coordinator error is retried after the refresh')
    const http = new HttpResponseError('busy', { status: 500, method: 'GET', url: 'u', action: 'retry', reason: 'x', retryAfterMs: 300 })
    assert.deepEqual(classify(http), { action: 'retry', reason: 'x', retryAfterMs: 300 })
  })

  test('socket errors mean reconnect', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'EOF', 'ENOTFOUND', 'UND_ERR_SOCKET']) {
      assert.deepEqual(classify(systemError(code)), { action: 'reconnect', reason: code.toLowerCase() })
    }
  })

  test('certificate errors are fatal: retrying cannot fix a configuration', () => {
    assert.deepEqual(classify(systemError('CERT_HAS_EXPIRED')), { action: 'fatal', reason: 'tls' })
    assert.deepEqual(classify(systemError('DEPTH_ZERO_SELF_SIGNED_CERT')), { action: 'fatal', reason: 'tls' })
  })

  test('TLS codes are fatal only when the code starts with a TLS prefix; a wrong TLS version is a transport failure', () => {
    assert.deepEqual(classify(systemError('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE')), { action: 'fatal', reason: 'tls' })
    assert.deepEqual(classify(systemError('UNABLE_TO_VERIFY_LEAF_SIGNATURE')), { action: 'fatal', reason: 'tls' })
    // The one ERR_SSL_ code in the transport list: retried on a new connection, not fatal.
    assert.deepEqual(classify(systemError('ERR_SSL_WRONG_VERSION_NUMBER')), { action: 'reconnect', reason: 'err_ssl_wrong_version_number' })
    // A code that only contains a TLS or HPE_ prefix somewhere is not one of them.
    assert.equal(classifySystemCode('E_PROXY_CERT_X'), undefined)
    assert.equal(classifySystemCode('E_UPSTREAM_HPE_X'), undefined)
  })

  test('an HTTP parser error (HPE_) is fatal: the URL names the wrong port or protocol', () => {
    assert.deepEqual(classify(systemError('HPE_INVALID_CONSTANT')), { action: 'fatal', reason: 'not-http' })
    assert.deepEqual(classifySystemCode('HPE_PARSE_ERROR'), { action: 'fatal', reason: 'not-http' })
  })

  test('a system code outside the transport list is not a transport verdict', () => {
    assert.equal(classifySystemCode('ENOENT'), undefined)
    assert.deepEqual(classify(systemError('EACCES')), { action: 'fatal', reason: 'unexpected' })
  })

  test('a wrapped transport error is found through cause; an error that is its own cause ends the search', () => {
    assert.equal(classify(new Error('fetch failed', { cause: systemError('ECONNREFUSED') })).action, 'reconnect')
    const loop = new Error('wraps itself')
    loop.cause = loop
    assert.deepEqual(classify(loop), { action: 'fatal', reason: 'unexpected' })
  })

  test('unknown failures are fatal, never retried blindly', () => {
    assert.deepEqual(classify(new TypeError('x is undefined')), { action: 'fatal', reason: 'unexpected' })
    assert.deepEqual(classify('a string'), { action: 'fatal', reason: 'unexpected' })
    assert.deepEqual(classify(Object.assign(new Error('aborted'), { name: 'AbortError' })), { action: 'fatal', reason: 'aborted' })
  })

  test('Kafka codes by number', () => {
    assert.deepEqual(classifyKafkaErrorCode(6), { action: 'refresh-metadata', reason: 'NOT_LEADER_OR_FOLLOWER' })
    assert.deepEqual(classifyKafkaErrorCode(29), { action: 'fatal', reason: 'TOPIC_AUTHORIZATION_FAILED' })
  })
})

test('parseRetryAfter reads seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('3'), 3000)
  assert.equal(parseRetryAfter('0.5'), 500)
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000)
  assert.equal(parseRetryAfter('soon'), undefined)
  assert.equal(parseRetryAfter('Infinity'), undefined, 'not a number of seconds, not a date')
  assert.ok((parseRetryAfter('-1') ?? 0) >= 0, 'never a negative delay')
  assert.equal(parseRetryAfter(undefined), undefined)
  // 0 means "at once" whatever the clock says (Date.parse('0') is a date in 2000, so a
  // seconds check that refused 0 would turn it into a wait of years on a clock at 0).
  assert.equal(parseRetryAfter('0', 0), 0)
  assert.equal(parseRetryAfter('', 0), undefined, 'an empty header asks for nothing')
  assert.equal(parseRetryAfter('  ', 0), undefined, 'nor does one of blanks (Number(\' \') is 0)')
})
