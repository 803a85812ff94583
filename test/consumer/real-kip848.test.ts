/**
 * The KIP-848 consumer group protocol (`groupProtocol: 'consumer'`) on real Apache Kafka 4.x:
 * under a steady stream, a second and a third member join, the coordinator's broker is killed and
 * comes back, and the members leave again. The coordinator assigns (uniform); a member is never
 * given a partition that another member still holds (the coordinator waits for the revocation to
 * be reported), every record sent is read once, in order per partition, and the group's committed
 * offsets (OffsetCommit v9 with the member epoch) end at each partition's end.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { TopicPartition } from '../../src/consumer/message.ts'
import { Producer } from '../../src/producer/producer.ts'
import { RealCluster } from '../../src/testkit/index.ts'
import { assertSameAsKcat, Collector, consumer, kcatPartitions, testLogger } from './helpers.ts'

const TOPIC = 'kip848'
const PARTITIONS = 6
const GROUP = 'kip848-group'

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({ brokers: 3, kafkaVersion: '4', topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

describe('KIP-848 consumer group under load (real Kafka 4)', { timeout: 600_000 }, () => {
  test('members join and leave and the coordinator\'s broker dies: no partition held twice, every record once and in order, committed to the end', async (t) => {
    const collector = new Collector()
    const holdings = new Map<string, Set<number>>()
    const problems: string[] = []

    const join = (name: string): { close: () => Promise<void> } => {
      const c = consumer(t, cluster.bootstrap, { groupId: GROUP, groupProtocol: 'consumer', serverAssignor: 'uniform', autoOffsetReset: 'earliest', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 20_000 })
      const mine = new Set<number>()
      holdings.set(name, mine)
      c.subscribe([TOPIC], {
        onAssigned: (tps: TopicPartition[]) => {
          for (const tp of tps) {
            for (const [other, theirs] of holdings) if (theirs.has(tp.partition)) problems.push(`${name} was given partition ${tp.partition} while ${other} held it`)
            mine.add(tp.partition)
          }
          collector.changed()
        },
        onRevoked: (tps: TopicPartition[]) => {
          for (const tp of tps) mine.delete(tp.partition)
          collector.changed()
        },
      })
      collector.drain(c, name)
      return { close: async () => { await c.close(); holdings.delete(name); collector.changed() } }
    }
    const split = (...sizes: number[]): boolean => {
      const held = [...holdings.values()].map((s) => s.size).sort()
      const all = [...holdings.values()].flatMap((s) => [...s])
      return JSON.stringify(held) === JSON.stringify([...sizes].sort()) && new Set(all).size === PARTITIONS
    }

    const producer = new Producer({ bootstrap: cluster.bootstrap, logger: testLogger, lingerMs: 5 })
    t.after(() => producer.close())
    const sending = { on: true }
    let sent = 0
    const stream = (async () => {
      for (let i = 0; sending.on; i++) {
        await Promise.all(Array.from({ length: PARTITIONS }, async (_, p) => await producer.send({ topic: TOPIC, partition: p, key: `k${i}`, value: `p${p}-${i}` })))
        sent += PARTITIONS
      }
    })()

    const a = join('a')
    await collector.until(() => split(PARTITIONS) && collector.distinct >= 60)
    const b = join('b')
    await collector.until(() => split(3, 3))
    const c = join('c')
    await collector.until(() => split(2, 2, 2))

    const coordinator = await cluster.coordinatorOf(GROUP)
    await cluster.kill(coordinator)
    const readAtKill = collector.distinct
    await collector.until(() => collector.distinct >= readAtKill + 120)
    await cluster.startNode(coordinator)

    await c.close()
    await collector.until(() => split(3, 3))
    await b.close()
    await collector.until(() => split(PARTITIONS))
    sending.on = false
    await stream
    await collector.until(() => collector.distinct === sent)
    await a.close()

    assert.deepEqual(problems, [])
    const expected = await kcatPartitions(cluster.bootstrap, TOPIC, Array.from({ length: PARTITIONS }, (_, p) => p))
    assert.equal([...expected.values()].reduce((n, l) => n + l.length, 0), sent)
    assertSameAsKcat(collector.merged(), expected)
    for (const p of expected.keys()) {
      const offsets = collector.reads.filter((r) => r.partition === p).map((r) => r.offset)
      assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `partition ${p} read in order`)
    }
    assert.equal(collector.duplicates, 0)
    const committed = (await cluster.groupOffsets(GROUP)).filter((o) => o.topic === TOPIC).sort((x, y) => x.partition - y.partition)
    assert.deepEqual(committed.map((o) => [o.partition, o.offset]), [...expected].sort(([x], [y]) => x - y).map(([p, list]) => [p, list.length]))
    t.diagnostic(`${sent} records sent and read, ${collector.duplicates} duplicates; coordinator ${coordinator} killed with ${readAtKill} read`)
  })
})
