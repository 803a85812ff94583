/**
 * KIP-392 on librdkafka's mock: a consumer with clientRack reads from the replica its leader
 * names (the mock's `setPartitionFollower`), counted by the brokers' request record; when that
 * replica goes down, or answers out of range (it lags the leader), the partition goes back to its
 * leader and nothing is lost, reset or read twice (kcat's records, in order).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'
import { kcatProduce } from '../producer/helpers.ts'
import { assertSameAsKcat, consumer, kcatPartitions, keyed, readCount } from './helpers.ts'

let mock: MockCluster
before(async () => { mock = await MockCluster.start({ brokers: 3 }) })
after(async () => { await mock?.stop() })

async function fetchesAt (broker: number): Promise<number> {
  return (await mock.getRequests()).filter((r) => r.brokerId === broker && r.apiKey === ApiKey.Fetch).length
}

describe('consumer, follower fetching (KIP-392, mock cluster)', { timeout: 20_000 }, () => {
  test('reads from the named replica; back to the leader when the replica goes down: every record once, in order', async (t) => {
    await mock.createTopic({ name: 'rr-down', partitions: 1, replicationFactor: 3 })
    await mock.setPartitionLeader('rr-down', 0, 1)
    await mock.setPartitionFollower('rr-down', 0, 2)
    await kcatProduce(mock.bootstrap, 'rr-down', keyed('a', 200))
    await mock.startRequestTracking()
    const c = consumer(t, mock.bootstrap, { clientRack: 'rack-2' })
    await c.assign([{ topic: 'rr-down', partition: 0 }])
    await c.seek({ topic: 'rr-down', partition: 0 }, 'earliest')
    const first = await readCount(c, 200)
    assert.ok(await fetchesAt(2) > 0, 'the records came from broker 2, the replica the leader named')
    await mock.brokerDown(2)
    // A real leader stops naming a replica whose broker is gone once the controller fences it;
    // the mock's leader answers every Fetch with the follower it was given, and no records.
    await mock.setPartitionFollower('rr-down', 0, -1)
    try {
      // Cleared before the new records exist: the fetch that brings them may be answered before
      // kcat returns (a CI run saw it), and it must be counted.
      await mock.clearRequests()
      await kcatProduce(mock.bootstrap, 'rr-down', keyed('b', 200))
      // Completes only if the partition left the replica that is down.
      const second = await readCount(c, 200)
      assert.ok(await fetchesAt(1) > 0, 'read from the leader while the replica is down')
      assertSameAsKcat([...first, ...second], await kcatPartitions(mock.bootstrap, 'rr-down', [0]))
    } finally {
      await mock.brokerUp(2)
      await mock.stopRequestTracking()
    }
  })

  test('a replica answering out of range sends the partition to its leader, not to the reset policy', async (t) => {
    await mock.createTopic({ name: 'rr-lag', partitions: 1, replicationFactor: 3 })
    await mock.setPartitionLeader('rr-lag', 0, 1)
    await mock.setPartitionFollower('rr-lag', 0, 3)
    await kcatProduce(mock.bootstrap, 'rr-lag', keyed('a', 40))
    await kcatProduce(mock.bootstrap, 'rr-lag', keyed('b', 60))
    // The replica's log ends at 20: it serves the first batch (offsets 0-39), and a fetch at 40 is out of range there.
    await mock.setFollowerWatermarks('rr-lag', 0, 0, 20)
    await mock.startRequestTracking()
    // 'latest' would skip to the end if the out-of-range answer reached the reset policy.
    const c = consumer(t, mock.bootstrap, { clientRack: 'rack-3', autoOffsetReset: 'latest', maxPartitionFetchBytes: 256 })
    try {
      await c.assign([{ topic: 'rr-lag', partition: 0 }])
      await c.seek({ topic: 'rr-lag', partition: 0 }, 'earliest')
      let handed = 0
      const read = await readCount(c, 100, async () => {
        if (++handed !== 40) return
        // The replica's second Fetch (at 40) is the one answered out of range. Then the mock's
        // leader is made to serve (it answers every Fetch with its follower, and no records).
        while (await fetchesAt(3) < 2) await new Promise((resolve) => setTimeout(resolve, 10))
        await mock.setPartitionFollower('rr-lag', 0, -1)
      })
      assertSameAsKcat(read, await kcatPartitions(mock.bootstrap, 'rr-lag', [0]))
    } finally {
      await mock.stopRequestTracking()
    }
  })
})
