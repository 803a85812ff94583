/**
 * `groupProtocol: 'consumer'` against Kafka 3.9, which has no KIP-848 consumer group protocol
 * for clients: the member stops with GroupProtocolUnavailableError, whose message names the
 * protocol, the Kafka version it needs and the way out (groupProtocol 'classic'), and the
 * iterator throws it instead of waiting for partitions forever.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { GroupProtocolUnavailableError } from '../../src/consumer/errors.ts'
import { RealCluster } from '../../src/testkit/index.ts'
import { consumer } from './helpers.ts'

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({ brokers: 1, kafkaVersion: '3.9', topics: [{ name: 'old', partitions: 1, replicationFactor: 1 }] })
})
after(async () => { await cluster?.stop() })

describe('KIP-848 on Kafka 3.9', { timeout: 300_000 }, () => {
  test('subscribe with groupProtocol consumer fails with a clear error naming the protocol and the fix', async (t) => {
    assert.match(cluster.kafkaVersion, /^3\.9\./)
    const c = consumer(t, cluster.bootstrap, { groupId: 'old-group', groupProtocol: 'consumer' })
    c.subscribe(['old'])
    await assert.rejects(async () => { await c.messages().next() }, (error: unknown) => {
      assert.ok(error instanceof GroupProtocolUnavailableError, `got ${String(error)}`)
      assert.match(error.message, /groupProtocol 'consumer' \(KIP-848, ConsumerGroupHeartbeat\) needs Kafka 4\.0 or later/)
      assert.match(error.message, /Use groupProtocol 'classic'/)
      assert.equal(error.action, 'fatal')
      return true
    })
  })
})
