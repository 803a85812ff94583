/** Consumer options: defaults filled in, and every bad value refused with its name, value and rule. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveConsumerOptions } from '../../src/consumer/options.ts'
import { Consumer } from '../../src/consumer/consumer.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'

const base = { bootstrap: '127.0.0.1:9' }

describe('consumer options', () => {
  test('defaults follow the Java client where it has one', () => {
    const o = resolveConsumerOptions(base)
    assert.equal(o.autoOffsetReset, 'latest')
    assert.equal(o.isolationLevel, 0)
    assert.equal(o.sessionTimeoutMs, 45_000)
    assert.equal(o.heartbeatIntervalMs, 3_000)
    assert.equal(o.maxPollIntervalMs, 300_000)
    assert.deepEqual(o.endpointCheck, { intervalMs: 300_000 })
    assert.equal(resolveConsumerOptions({ ...base, endpointCheck: false }).endpointCheck, false)
    assert.equal(o.maxPartitionFetchBytes, 1024 * 1024)
    assert.equal(o.maxBufferedBytesPerPartition, 2 * 1024 * 1024)
    assert.deepEqual(o.assignors.map((a) => a.name), ['range', 'roundrobin'])
    assert.equal(resolveConsumerOptions({ ...base, isolationLevel: 'read_committed' }).isolationLevel, 1)
    assert.equal(resolveConsumerOptions({ ...base, sessionTimeoutMs: 6_000 }).heartbeatIntervalMs, 2_000)
    assert.equal(o.groupProtocol, 'classic')
    assert.equal(o.serverAssignor, undefined)
    const kip848 = resolveConsumerOptions({ ...base, groupProtocol: 'consumer', serverAssignor: 'range' })
    assert.equal(kip848.groupProtocol, 'consumer')
    assert.equal(kip848.serverAssignor, 'range')
  })

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['unknown option', { fetchSize: 1 }, /consumer option fetchSize is not known/],
    ['no bootstrap', { bootstrap: undefined }, /need bootstrap/],
    ['negative wait', { fetchMaxWaitMs: -1 }, /consumer option fetchMaxWaitMs must be an integer from 0 to 2147483647, got -1/],
    ['bad reset', { autoOffsetReset: 'smallest' }, /autoOffsetReset must be one of earliest, latest, none, got "smallest"/],
    ['bad isolation', { isolationLevel: 'committed' }, /isolationLevel must be one of read_uncommitted, read_committed/],
    ['instance id without group', { groupInstanceId: 'i-1' }, /groupInstanceId must be given together with groupId/],
    ['heartbeat too slow for the session', { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 1_500 }, /heartbeatIntervalMs must be an integer from 1 to 1000, got 1500/],
    ['empty group id', { groupId: '' }, /groupId must be a non-empty string/],
    ['no assignors', { assignors: [] }, /assignors must be a non-empty array/],
    ['unknown group protocol', { groupProtocol: 'eager' }, /groupProtocol must be one of classic, consumer, got "eager"/],
    ['client assignors with the consumer protocol', { groupProtocol: 'consumer', assignors: [{ name: 'range', assign: () => new Map() }] }, /assignors must be left out with groupProtocol 'consumer' \(the coordinator assigns: use serverAssignor\)/],
    ['a server assignor with the classic protocol', { serverAssignor: 'uniform' }, /serverAssignor must be given with groupProtocol 'consumer', got "uniform"/],
    ['deserializer not a function', { valueDeserializer: 'json' }, /valueDeserializer must be a function/],
    ['empty rack', { clientRack: '' }, /consumer option clientRack must be a non-empty string/],
    ['an endpoint check that is not one', { endpointCheck: { intervalMs: 0 } }, /consumer option endpointCheck must be false or \{ intervalMs, rebuildShare\?, minRebuildIntervalMs\? \}, got \{"intervalMs":0\}/],
    ['an endpoint check beside a given cluster', { bootstrap: undefined, cluster: {}, endpointCheck: { intervalMs: 1_000 } }, /endpointCheck must be left out when cluster is given \(set it on that cluster\)/],
    ['no poll interval', { maxPollIntervalMs: 0 }, /consumer option maxPollIntervalMs must be an integer from 1 to 2147483647, got 0/],
    ['no metadata age', { metadataMaxAgeMs: 0 }, /consumer option metadataMaxAgeMs must be an integer from 1 to 2147483647, got 0/],
  ]
  for (const [name, options, message] of refused) {
    test(`refused: ${name}`, () => {
      assert.throws(() => resolveConsumerOptions({ ...base, ...options }), (error: unknown) => error instanceof InvalidArgumentError && message.test(error.message))
    })
  }

  test('subscribe needs a group; commit needs a group; seek needs an assigned partition', async () => {
    const c = new Consumer(base)
    try {
      assert.throws(() => c.subscribe(['t']), /subscribe: the consumer needs the groupId option/)
      await assert.rejects(c.commit(), /commit: the consumer needs the groupId option/)
      assert.throws(() => c.seek({ topic: 't', partition: 0 }, 0n), /seek: t-0 is not assigned/)
      assert.throws(() => c.seek({ topic: 't', partition: -1 }, 0n), /partition >= 0/)
    } finally {
      await c.close()
    }
    assert.throws(() => c.seek({ topic: 't', partition: 0 }, 0n), /the consumer is closing or closed/)
  })

  test('subscribe takes topic names and RegExp patterns, nothing else', async () => {
    const c = new Consumer({ ...base, groupId: 'g' })
    try {
      assert.throws(() => c.subscribe(['orders', '', /^x/]), /subscribe: topics must be a non-empty array of topic names and RegExp patterns, got \["orders", "", \/\^x\/\]/)
      assert.throws(() => c.subscribe([]), /subscribe: topics must be a non-empty array/)
    } finally {
      await c.close()
    }
  })
})
