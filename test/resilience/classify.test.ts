import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  classify, classifyConnectResponse, classifyCruiseControlResponse, classifyKafkaErrorCode, parseRetryAfter,
} from '../../src/resilience/classify.ts'
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

describe('classifyConnectResponse (I1)', () => {
  const rebalance409 = [
    'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)',
    'Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.',
    'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
  ]

  test('the three rebalance 409s are transient on writes', () => {
    for (const message of rebalance409) {
      for (const [method, path] of [['POST', '/connectors'], ['PUT', '/connectors/a/config'], ['DELETE', '/connectors/a'], ['PATCH', '/connectors/a/offsets']]) {
        assert.deepEqual(classifyConnectResponse({ method: method!, path: path!, status: 409, message }), { action: 'retry', reason: 'rebalance' })
      }
    }
  })

  test('"already exists" is never retried; the words in another status are that status', () => {
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 409, message: 'Connector a already exists' }), { action: 'fatal', reason: 'already-exists' })
    assert.deepEqual(classifyConnectResponse({ method: 'GET', path: '/connectors/a', status: 500, message: 'Topic already exists' }), { action: 'retry', reason: 'http-500' })
  })

  test('the 500 "a rebalance is expected" is transient', () => {
    const message = 'Request cannot be completed because a rebalance is expected'
    assert.deepEqual(classifyConnectResponse({ method: 'GET', path: '/connectors/a/tasks', status: 500, message }), { action: 'retry', reason: 'rebalance' })
  })

  test('a restart that meets a rebalance is superseded, not retried', () => {
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors/a/restart', status: 409, message: rebalance409[0] }), { action: 'fatal', reason: 'rebalance-restart' })
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors/a/tasks/0/restart?x=1', status: 409, message: rebalance409[1] }), { action: 'fatal', reason: 'rebalance-restart' })
  })

  test('4xx are fatal; 5xx retried only for idempotent methods', () => {
    assert.equal(classifyConnectResponse({ method: 'GET', path: '/connectors/a', status: 404, message: 'Connector a not found' }).action, 'fatal')
    assert.equal(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 400, message: 'Connector configuration is invalid' }).action, 'fatal')
    assert.deepEqual(classifyConnectResponse({ method: 'GET', path: '/connectors', status: 500, message: 'Request timed out.' }), { action: 'retry', reason: 'http-500' })
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 500, message: 'Request timed out.' }), { action: 'fatal', reason: 'http-500' })
    assert.deepEqual(classifyConnectResponse({ method: 'PUT', path: '/connectors/a/config', status: 503, retryAfterMs: 2000 }), { action: 'retry', reason: 'http-503', retryAfterMs: 2000 })
  })
})

describe('classifyCruiseControlResponse (I2)', () => {
  const capacity = "Error processing GET request '/user_tasks' due to: 'There are already 5 active user tasks, which has reached the servlet capacity.'."

  test('the capacity 500 is transient on every endpoint and method', () => {
    for (const method of ['GET', 'POST']) {
      for (const path of ['/kafkacruisecontrol/user_tasks', '/kafkacruisecontrol/rebalance', '/kafkacruisecontrol/add_broker', '/kafkacruisecontrol/state']) {
        assert.deepEqual(classifyCruiseControlResponse({ method, path, status: 500, message: capacity }), { action: 'retry', reason: 'user-task-capacity' })
      }
    }
  })

  test('plain-text capacity bodies are recognised too', () => {
    const text = 'java.lang.RuntimeException: There are already 7 active user tasks, which has reached the servlet capacity.'
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/kafkacruisecontrol/rebalance', status: 500, message: text }).reason, 'user-task-capacity')
  })

  test('NotEnoughValidWindows is pending, unknown task id means request again, unknown broker is fatal', () => {
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: 'com.linkedin...NotEnoughValidWindowsException: There is no window' }), { action: 'retry', reason: 'not-enough-valid-windows' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 500, message: 'Unexpected header 1b2c (value: User-Task-ID) in the request.' }), { action: 'fatal', reason: 'unknown-user-task' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: 'java.lang.IllegalArgumentException: Broker 7 does not exist.' }), { action: 'fatal', reason: 'unknown-broker' })
  })

  test('400 is fatal', () => {
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 400, message: "Bad POST request '/rebalance' due to 'x'" }).action, 'fatal')
  })

  test('other 5xx and 408 are retried for reads only; other 4xx are fatal for every method', () => {
    const other = 'java.lang.NullPointerException'
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 500, message: other }), { action: 'retry', reason: 'http-500' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: other }), { action: 'fatal', reason: 'http-500' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 503 }), { action: 'retry', reason: 'http-503' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 408 }), { action: 'retry', reason: 'http-408' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 404 }), { action: 'fatal', reason: 'http-404' })
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
})
