/** The fault rules the sessions consult: which requests a rule matches, and how rules combine and end. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Faults } from '../../../src/testkit/chaos-proxy/faults.ts'

describe('Faults', () => {
  test('a black hole matches its broker and API key; a missing one matches all; heal removes every rule', () => {
    const faults = new Faults()
    faults.blackhole({ brokerId: 2, apiKey: 0 })
    assert.equal(faults.isBlackholed(2, 0), true)
    assert.equal(faults.isBlackholed(2, 3), false)
    assert.equal(faults.isBlackholed(1, 0), false)
    faults.blackhole({ apiKey: 3 })
    assert.equal(faults.isBlackholed(1, 3), true)
    faults.blackhole({ brokerId: 5 })
    assert.equal(faults.isBlackholed(5, 18), true)
    faults.heal()
    for (const [broker, key] of [[2, 0], [1, 3], [5, 18]] as const) assert.equal(faults.isBlackholed(broker, key), false)
  })

  test('a broker latency wins over the all-broker one; setting it for all replaces per-broker values; 0 removes it', () => {
    const faults = new Faults()
    faults.setLatency(100)
    faults.setLatency(300, 2)
    assert.deepEqual([faults.latencyOf(1), faults.latencyOf(2)], [100, 300])
    faults.setLatency(50)
    assert.deepEqual([faults.latencyOf(1), faults.latencyOf(2)], [50, 50])
    faults.setLatency(0)
    assert.equal(faults.latencyOf(2), 0)
  })

  test('each armed drop is used by exactly one matching request', () => {
    const faults = new Faults()
    faults.armDrop({ apiKey: 0, brokerId: 3 })
    faults.armDrop({ apiKey: 0 })
    assert.equal(faults.takeDrop(3, 1), false)
    assert.equal(faults.takeDrop(3, 0), true)
    assert.equal(faults.takeDrop(1, 0), true)
    assert.equal(faults.takeDrop(3, 0), false)
    assert.equal(faults.armedDrops, 0)
  })
})
