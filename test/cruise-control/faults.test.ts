/**
 * Cruise Control failures against the exact texts in the Cruise Control reference (and the
 * simulator), including the "ongoing execution" refusal, which only means "not now".
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { classifyCruiseControlResponse } from '../../src/cruise-control/faults.ts'

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
