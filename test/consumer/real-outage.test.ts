/**
 * Fault test 2 on real Apache Kafka: every broker down for 5 s, then up. The three nodes are also
 * the whole controller quorum, so they are killed together and started together
 * (RealCluster.killNodes / startNodes). Two group members read a steady stream through it: every
 * record the producer sent is read, in order per partition, none twice (the session timeout is
 * longer than the outage, so no member is dropped and nothing is handed over uncommitted), and the
 * group's committed offsets end at each partition's end, as Kafka's own AdminClient lists them.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Producer } from '../../src/producer/producer.ts'
import { RealCluster } from '../../src/testkit/index.ts'
import { assertSameAsKcat, Collector, consumer, kcatPartitions, testLogger } from './helpers.ts'

const TOPIC = 'outage'
const PARTITIONS = 4
const GROUP = 'outage-group'

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({ brokers: 3, topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

describe('every broker down for 5 s under a consumer group (real Kafka)', { timeout: 420_000 }, () => {
  test('two members read on after the whole cluster comes back: every record once, in order, committed to the end', async (t) => {
    const collector = new Collector()
    const held = new Map<string, number>()
    const join = (name: string): ReturnType<typeof consumer> => {
      const c = consumer(t, cluster.bootstrap, { groupId: GROUP, autoOffsetReset: 'earliest', sessionTimeoutMs: 90_000, heartbeatIntervalMs: 1_000, autoCommitIntervalMs: 1_000 })
      c.subscribe([TOPIC], {
        onAssigned: (tps) => { held.set(name, (held.get(name) ?? 0) + tps.length); collector.changed() },
        onRevoked: (tps) => { held.set(name, (held.get(name) ?? 0) - tps.length); collector.changed() },
      })
      collector.drain(c, name)
      return c
    }

    const producer = new Producer({ bootstrap: cluster.bootstrap, logger: testLogger, lingerMs: 5, deliveryTimeoutMs: 300_000 })
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
    const b = join('b')
    await collector.until(() => held.get('a') === 2 && held.get('b') === 2 && collector.distinct >= 200)

    await cluster.killNodes([1, 2, 3])
    const readBeforeOutage = collector.distinct
    await sleep(5_000)
    await cluster.startNodes([1, 2, 3])
    const sentAtRestart = sent
    await collector.until(() => collector.distinct >= sentAtRestart + 200)
    sending.on = false
    await stream
    await collector.until(() => collector.distinct === sent)
    await Promise.all([a.close(), b.close()])

    const expected = await kcatPartitions(cluster.bootstrap, TOPIC, Array.from({ length: PARTITIONS }, (_, p) => p))
    assert.equal([...expected.values()].reduce((n, l) => n + l.length, 0), sent, 'kcat reads every record the producer sent, once')
    assertSameAsKcat(collector.merged(), expected)
    for (const p of expected.keys()) {
      const offsets = collector.reads.filter((r) => r.partition === p).map((r) => r.offset)
      assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `partition ${p} read in order`)
    }
    assert.equal(collector.duplicates, 0)
    const committed = (await cluster.groupOffsets(GROUP)).filter((o) => o.topic === TOPIC).sort((x, y) => x.partition - y.partition)
    assert.deepEqual(committed.map((o) => [o.partition, o.offset]), [...expected].sort(([x], [y]) => x - y).map(([p, list]) => [p, list.length]))
    t.diagnostic(`${sent} records sent and read (${readBeforeOutage} before the outage, ${sentAtRestart} sent by the restart), ${collector.duplicates} duplicates`)
  })
})
