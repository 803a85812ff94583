/**
 * Cruise Control failures against the exact texts in the Cruise Control reference (and the
 * simulator), including the "ongoing execution" refusal, which only means "not now".
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  classifyAttempt, classifyCruiseControlResponse, classifyTaskError, cruiseControlFaults, failureReason, isProposalPending, isTransientFailure,
  isUnknownTask, transientReason,
} from '../../src/cruise-control/faults.ts'
import { AbortedError, CapacityError, DeadlineExceededError, HttpResponseError, RetriesExhaustedError, TransportError } from '../../src/resilience/errors.ts'

const PATHS = ['/kafkacruisecontrol/user_tasks', '/kafkacruisecontrol/state', '/kafkacruisecontrol/rebalance', '/kafkacruisecontrol/add_broker', '/kafkacruisecontrol/remove_broker', '/kafkacruisecontrol/remove_disks']

describe('classifyCruiseControlResponse against the reference texts', () => {
  test('the capacity 500 is transient for any N, method and endpoint (JSON errorMessage or plain text)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('GET', 'POST'), fc.constantFrom(...PATHS), fc.boolean(), (n, method, path, json) => {
      const inner = `There are already ${n} active user tasks, which has reached the servlet capacity.`
      const message = json ? `Error processing ${method} request '${path.replace('/kafkacruisecontrol', '')}' due to: '${inner}'.` : `${inner}\n\tat com.linkedin.kafka.cruisecontrol.servlet.UserTaskManager`
      assert.deepEqual(classifyCruiseControlResponse({ method, path, status: 500, message }), { action: 'retry', reason: 'user-task-capacity' })
    }))
  })

  test('an ongoing execution is transient (another execution must finish first)', () => {
    const message = "Error processing POST request '/rebalance' due to: 'java.lang.IllegalStateException: Cannot start a new execution while there is an ongoing execution. Please use stop_ongoing_execution=true to stop ongoing execution and start a new one.'."
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/kafkacruisecontrol/rebalance', status: 500, message }), { action: 'retry', reason: 'ongoing-execution' })
  })

  test('NotEnoughValidWindows, unknown User-Task-ID and unknown broker as the simulator words them', () => {
    const windows = "Error processing POST request '/rebalance' due to: 'com.linkedin.kafka.cruisecontrol.exception.NotEnoughValidWindowsException: There is no window available in range [-1, 1] (index [1, -1]). Window index (current: 0, oldest: 0).'."
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/kafkacruisecontrol/rebalance', status: 500, message: windows }).reason, 'not-enough-valid-windows')
    const header = "Error processing POST request '/rebalance' due to: 'Unexpected header 5d3c-aa (value: User-Task-ID) in the request.'."
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/kafkacruisecontrol/rebalance', status: 500, message: header }), { action: 'fatal', reason: 'unknown-user-task' })
    const broker = "Error processing POST request '/add_broker' due to: 'java.lang.IllegalArgumentException: Broker 9 does not exist.'."
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/kafkacruisecontrol/add_broker', status: 500, message: broker }), { action: 'fatal', reason: 'unknown-broker' })
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

/** An error answer as the REST transport builds it: the policy's verdict on it is its action and reason. */
function answered (status: number, method: string, message: string | undefined): HttpResponseError {
  const verdict = classifyCruiseControlResponse({ method, path: '/kafkacruisecontrol/rebalance', status, message })
  return new HttpResponseError(`cruise-control ${method} answered ${status}`, { status, method, url: 'http://cc/kafkacruisecontrol/rebalance', serverMessage: message, ...verdict })
}

const CAPACITY = 'There are already 5 active user tasks, which has reached the servlet capacity.'
const WINDOWS = 'com.linkedin.kafka.cruisecontrol.exception.NotEnoughValidWindowsException: There is no window'
const ONGOING = 'java.lang.IllegalStateException: Cannot start a new execution while there is an ongoing execution.'
const UNKNOWN_TASK = 'Unexpected header 1b2c (value: User-Task-ID) in the request.'

describe('classifyCruiseControlResponse: only a 500 carries the service\'s texts; only capacity keeps the server\'s hint', () => {
  test('the capacity text in another status is that status, by the shared HTTP rules', () => {
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 400, message: CAPACITY }), { action: 'fatal', reason: 'http-400' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 503, message: CAPACITY }), { action: 'fatal', reason: 'http-503' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 503, message: ONGOING }), { action: 'retry', reason: 'http-503' })
  })

  test('a 500 without a message is a plain 500', () => {
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 500 }), { action: 'retry', reason: 'http-500' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500 }), { action: 'fatal', reason: 'http-500' })
  })

  test('Retry-After is kept for the capacity 500 and for the shared rules, dropped for the answers about the cluster', () => {
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 500, message: CAPACITY, retryAfterMs: 3000 }), { action: 'retry', reason: 'user-task-capacity', retryAfterMs: 3000 })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: ONGOING, retryAfterMs: 3000 }), { action: 'retry', reason: 'ongoing-execution' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: WINDOWS, retryAfterMs: 3000 }), { action: 'retry', reason: 'not-enough-valid-windows' })
    assert.deepEqual(classifyCruiseControlResponse({ method: 'GET', path: '/r', status: 429, retryAfterMs: 2000 }), { action: 'retry', reason: 'throttled', retryAfterMs: 2000 })
  })

  test('an unknown broker is recognised with or without the exception name, with or without the closing full stop', () => {
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: 'java.lang.IllegalArgumentException: Broker 9 does not exist' }).reason, 'unknown-broker')
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: 'Broker 9 does not exist.' }).reason, 'unknown-broker')
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: 'Broker 9 does not exist' }).reason, 'http-500')
  })

  test('"ongoing execution" is matched in any case; "User-Task-ID" only after "Unexpected header"', () => {
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: 'There is an Ongoing Execution' }).reason, 'ongoing-execution')
    assert.equal(classifyCruiseControlResponse({ method: 'POST', path: '/r', status: 500, message: 'header User-Task-ID missing' }).reason, 'http-500')
  })
})

describe('classifyAttempt: what one failed request may retry', () => {
  const none = new Set<string>()
  const plain = { polling: false, executing: false, stopOn: none }
  const poll = { polling: true, executing: false, stopOn: none }
  const executing = { polling: false, executing: true, stopOn: none }
  const reset = new TransportError('reset', 'ECONNRESET')

  test('a fatal answer stays fatal whatever the request', () => {
    for (const context of [plain, poll, executing]) {
      assert.deepEqual(classifyAttempt(answered(400, 'GET', 'bad'), context), { action: 'fatal', reason: 'http-400' })
      assert.deepEqual(classifyAttempt(new Error('a bug'), context), { action: 'fatal', reason: 'unexpected' })
    }
  })

  test('a lost connection is retried, except for an executing request, which goes to the caller with the reason', () => {
    assert.deepEqual(classifyAttempt(reset, plain), { action: 'reconnect', reason: 'econnreset' })
    assert.deepEqual(classifyAttempt(reset, poll), { action: 'reconnect', reason: 'econnreset' })
    assert.deepEqual(classifyAttempt(reset, executing), { action: 'fatal', reason: 'econnreset' })
    assert.deepEqual(classifyAttempt(answered(500, 'POST', CAPACITY), executing), { action: 'retry', reason: 'user-task-capacity' })
  })

  test('a poll retries capacity, throttling and lost connections only: the task\'s own outcome is final', () => {
    assert.deepEqual(classifyAttempt(answered(500, 'GET', CAPACITY), poll), { action: 'retry', reason: 'user-task-capacity' })
    assert.deepEqual(classifyAttempt(answered(429, 'GET', undefined), poll), { action: 'retry', reason: 'throttled' })
    assert.deepEqual(classifyAttempt(answered(500, 'GET', WINDOWS), poll), { action: 'fatal', reason: 'not-enough-valid-windows' })
    assert.deepEqual(classifyAttempt(answered(500, 'GET', ONGOING), poll), { action: 'fatal', reason: 'ongoing-execution' })
    assert.deepEqual(classifyAttempt(answered(503, 'GET', undefined), poll), { action: 'fatal', reason: 'http-503' })
    assert.deepEqual(classifyAttempt(answered(500, 'GET', WINDOWS), plain), { action: 'retry', reason: 'not-enough-valid-windows' })
    assert.deepEqual(classifyAttempt(answered(503, 'GET', undefined), plain), { action: 'retry', reason: 'http-503' })
  })

  test('a reason in stopOn goes to the caller at once; a poll ignores stopOn', () => {
    const stopOn = new Set(['not-enough-valid-windows'])
    assert.deepEqual(classifyAttempt(answered(500, 'POST', WINDOWS), { ...plain, stopOn }), { action: 'fatal', reason: 'not-enough-valid-windows' })
    assert.deepEqual(classifyAttempt(answered(500, 'POST', CAPACITY), { ...plain, stopOn }), { action: 'retry', reason: 'user-task-capacity' })
    assert.deepEqual(classifyAttempt(answered(500, 'GET', CAPACITY), { ...poll, stopOn: new Set(['user-task-capacity']) }), { action: 'retry', reason: 'user-task-capacity' })
  })

  test('the policy reads a request without context as a plain request, neither a poll nor an execution', () => {
    const request = { operation: 'state', method: 'GET' as const, path: '/state' }
    assert.deepEqual(cruiseControlFaults.attempt(reset, request), { action: 'reconnect', reason: 'econnreset' })
    assert.deepEqual(cruiseControlFaults.attempt(answered(500, 'GET', WINDOWS), request), { action: 'retry', reason: 'not-enough-valid-windows' })
    assert.deepEqual(cruiseControlFaults.attempt(answered(500, 'GET', WINDOWS), { ...request, context: poll }), { action: 'fatal', reason: 'not-enough-valid-windows' })
  })

  test('a POST goes on to another URL only when it never left; a GET after any lost connection', () => {
    const post = { operation: 'rebalance', method: 'POST' as const, path: '/rebalance' }
    assert.equal(cruiseControlFaults.failOver(reset, post), false)
    assert.equal(cruiseControlFaults.failOver(new TransportError('refused', 'ECONNREFUSED'), post), true)
    assert.equal(cruiseControlFaults.failOver(reset, { ...post, method: 'GET' }), true)
  })
})

describe('what the rebalance lifecycle reads from a failure', () => {
  test('an unknown task and a pending proposal are named by their reason', () => {
    assert.equal(isUnknownTask(answered(500, 'GET', UNKNOWN_TASK)), true)
    assert.equal(isUnknownTask(answered(500, 'GET', WINDOWS)), false)
    assert.equal(isProposalPending(answered(500, 'GET', WINDOWS)), true)
    assert.equal(isProposalPending(answered(500, 'GET', UNKNOWN_TASK)), false)
    assert.equal(failureReason(new TransportError('reset', 'ECONNRESET')), 'econnreset')
  })

  test('"not now" failures never change a rebalance: capacity, pending windows, an ongoing execution, throttling, gateway errors, deadlines, aborts', () => {
    const notNow = [
      answered(500, 'POST', CAPACITY), answered(500, 'POST', WINDOWS), answered(500, 'POST', ONGOING), answered(429, 'POST', undefined),
      answered(502, 'POST', undefined), answered(503, 'POST', undefined), answered(504, 'POST', undefined), answered(503, 'GET', undefined),
      new CapacityError('queue full'), new TransportError('reset', 'ECONNRESET'),
      new DeadlineExceededError('late', { attempts: 3, elapsedMs: 10 }), new RetriesExhaustedError('tired', { attempts: 3, elapsedMs: 10 }), new AbortedError('stopped'),
    ]
    for (const error of notNow) assert.equal(isTransientFailure(error), true, `${error.constructor.name} ${error.reason}`)
  })

  test('failures of the request or the cluster are the rebalance\'s: 400, 401, a POST\'s 500, an unknown broker, an unknown task, a bug', () => {
    const failures = [
      answered(400, 'POST', 'bad'), answered(401, 'GET', undefined), answered(500, 'POST', 'java.lang.NullPointerException'),
      answered(500, 'POST', 'Broker 9 does not exist.'), answered(500, 'GET', UNKNOWN_TASK), new TransportError('bad cert', 'CERT_HAS_EXPIRED', { action: 'fatal' }),
    ]
    for (const error of failures) assert.equal(isTransientFailure(error), false, `${error.constructor.name} ${error.reason}`)
    assert.equal(isTransientFailure(new Error('a bug')), false)
  })

  test('the reason of a deadline or exhausted retries is the failure behind it; without one, its own', () => {
    const capacity = answered(500, 'GET', CAPACITY)
    assert.equal(transientReason(new DeadlineExceededError('late', { attempts: 3, elapsedMs: 10, cause: capacity })), 'user-task-capacity')
    assert.equal(transientReason(new RetriesExhaustedError('tired', { attempts: 3, elapsedMs: 10, cause: capacity })), 'user-task-capacity')
    assert.equal(transientReason(new DeadlineExceededError('late', { attempts: 0, elapsedMs: 10 })), 'deadline')
    assert.equal(transientReason(new AbortedError('stopped', { cause: capacity })), 'aborted')
    assert.equal(transientReason(capacity), 'user-task-capacity')
  })

  test('a finished task\'s error: "not now" asks for the execution again, anything else fails the rebalance', () => {
    assert.deepEqual(classifyTaskError(ONGOING), { action: 'retry', reason: 'ongoing-execution', transient: true })
    assert.deepEqual(classifyTaskError(CAPACITY), { action: 'retry', reason: 'user-task-capacity', transient: true })
    assert.deepEqual(classifyTaskError(WINDOWS), { action: 'retry', reason: 'not-enough-valid-windows', transient: true })
    assert.deepEqual(classifyTaskError('java.lang.IllegalArgumentException: Broker 9 does not exist.'), { action: 'fatal', reason: 'unknown-broker', transient: false })
    assert.deepEqual(classifyTaskError(UNKNOWN_TASK), { action: 'fatal', reason: 'unknown-user-task', transient: false })
    assert.deepEqual(classifyTaskError('java.lang.NullPointerException'), { action: 'fatal', reason: 'task-failed', transient: false })
  })
})
