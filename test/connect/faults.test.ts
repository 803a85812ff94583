/** Kafka Connect answers against the texts of the Connect reference: the policy in src/connect/faults.ts. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { classifyConnectResponse, classifyForMethod, isAlreadyGone, isConnectRestart, isRefusedCreate, isSupersededRestart } from '../../src/connect/faults.ts'
import { HttpResponseError, TransportError } from '../../src/resilience/errors.ts'

function answered (status: number, reason: string): HttpResponseError {
  return new HttpResponseError(`Connect answered ${status}`, { status, method: 'POST', url: 'http://worker:8083/connectors', action: 'fatal', reason })
}

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

  test('a 500 from a worker that could not connect to the leader is transient, even for a create; any other forwarding error is not', () => {
    // As a real worker answers while the group's leader has just left (seen on the real rig).
    const refused = 'IO Error trying to forward REST request: java.net.ConnectException: Connection refused'
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 500, message: refused }), { action: 'retry', reason: 'rebalance' })
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors/a/restart', status: 500, message: refused }), { action: 'fatal', reason: 'rebalance-restart' })
    // A forward that may have reached the leader could have been applied: not re-sent.
    const timedOut = 'IO Error trying to forward REST request: java.net.SocketTimeoutException: Read timed out'
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 500, message: timedOut }), { action: 'fatal', reason: 'http-500' })
  })

  test('a 404 for the /connectors collection comes from a worker not serving Connect yet (or any more): transient; a 404 for a connector is not', () => {
    // As a real worker answered while it was stopped during a worker-group storm (seen on the real rig).
    for (const method of ['GET', 'POST']) {
      assert.deepEqual(classifyConnectResponse({ method, path: '/connectors?expand=status&expand=info', status: 404, message: 'Not Found' }), { action: 'retry', reason: 'worker-not-serving' })
    }
    assert.deepEqual(classifyConnectResponse({ method: 'GET', path: '/connectors/a/status', status: 404, message: 'No status found for connector a' }), { action: 'fatal', reason: 'http-404' })
    assert.deepEqual(classifyConnectResponse({ method: 'GET', path: '/connectors/connectors', status: 404, message: 'Connector connectors not found' }), { action: 'fatal', reason: 'http-404' })
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

describe('the rebalance texts count only with their own status', () => {
  const stale = 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)'
  test('a rebalance 409 text in a 400 or a 500 is that status', () => {
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 400, message: stale }), { action: 'fatal', reason: 'http-400' })
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 500, message: stale }), { action: 'fatal', reason: 'http-500' })
  })

  test('"a rebalance is expected" outside a 500 is that status', () => {
    const message = 'Request cannot be completed because a rebalance is expected'
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 400, message }), { action: 'fatal', reason: 'http-400' })
    assert.deepEqual(classifyConnectResponse({ method: 'POST', path: '/connectors', status: 409, message }), { action: 'fatal', reason: 'http-409' })
  })
})

test('isConnectRestart: POST (any case) to a path ending in /restart, query aside', () => {
  assert.equal(isConnectRestart('post', '/connectors/a/restart?includeTasks=true'), true)
  assert.equal(isConnectRestart('POST', '/connectors/a/tasks/0/restart'), true)
  assert.equal(isConnectRestart('GET', '/connectors/a/restart'), false)
  assert.equal(isConnectRestart('POST', '/connectors/restart-audit/offsets'), false, 'a connector named restart-… is not a restart')
  // A restart met by a rebalance is superseded; any other method there is retried like every write.
  assert.deepEqual(classifyConnectResponse({ method: 'PUT', path: '/connectors/a/restart', status: 409, message: 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)' }),
    { action: 'retry', reason: 'rebalance' })
})

test('classifyForMethod: a broken connection is fatal for a write, except a refused one (never reached the worker)', () => {
  const reset = new TransportError('Connect POST: socket hang up', 'ECONNRESET')
  const refused = new TransportError('Connect POST: connect ECONNREFUSED', 'ECONNREFUSED')
  assert.deepEqual(classifyForMethod(reset, 'POST'), { action: 'fatal', reason: 'econnreset' })
  assert.deepEqual(classifyForMethod(reset, 'GET'), { action: 'reconnect', reason: 'econnreset' })
  assert.deepEqual(classifyForMethod(refused, 'POST'), { action: 'reconnect', reason: 'econnrefused' })
})

test('isSupersededRestart: only an HTTP answer classified rebalance-restart', () => {
  assert.equal(isSupersededRestart(answered(409, 'rebalance-restart')), true)
  assert.equal(isSupersededRestart(answered(409, 'rebalance')), false)
  assert.equal(isSupersededRestart(Object.assign(new Error('not an answer'), { reason: 'rebalance-restart' })), false)
})

test('isRefusedCreate: a 4xx other than "already exists"; isAlreadyGone: a 404', () => {
  assert.equal(isRefusedCreate(answered(400, 'http-400')), true)
  assert.equal(isRefusedCreate(answered(499, 'http-499')), true)
  assert.equal(isRefusedCreate(answered(409, 'already-exists')), false, 'maybe our own earlier create')
  assert.equal(isRefusedCreate(answered(399, 'http-399')), false)
  assert.equal(isRefusedCreate(answered(500, 'http-500')), false, 'a 5xx may have created it')
  assert.equal(isRefusedCreate(Object.assign(new Error('x'), { status: 400 })), false)
  assert.equal(isAlreadyGone(answered(404, 'http-404')), true)
  assert.equal(isAlreadyGone(answered(410, 'http-410')), false)
  assert.equal(isAlreadyGone(Object.assign(new Error('x'), { status: 404 })), false)
})
