/**
 * Fault test 4 on real Apache Kafka: every broker restarted on a new port (`restartWithNewEndpoint`,
 * one after another, each re-advertising its new listener) under a group member whose bootstrap
 * is a function and a producer whose cluster client watches a bootstrap file rewritten after each
 * restart. The member reads every record once, in order per partition, as kcat reads them
 * afterwards; its commits reach the group (read back by the Java AdminClient); every record the
 * producer had acknowledged is stored once.
 *
 * Then incident I4 as bench/incidents/endpoint-change stages it, in seconds: every broker down at
 * once and up on new ports (nothing the member knew answers any more), the member's only way to the
 * cluster being the bootstrap file rewritten once they are up. The same data checks hold.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cluster } from '../../src/cluster/cluster.ts'
import { Producer } from '../../src/producer/producer.ts'
import { RealCluster } from '../../src/testkit/index.ts'
import { kcatProduce, kcatRead } from '../producer/helpers.ts'
import { assertSameAsKcat, Collector, consumer, kcatPartitions, keyed, testLogger, type Read } from './helpers.ts'

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({ brokers: 3, topics: [{ name: 're-orders', partitions: 3, replicationFactor: 3 }, { name: 're-sent', partitions: 1, replicationFactor: 3 }, { name: 're-at-once', partitions: 6, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

const ports = (bootstrap: string): number[] => bootstrap.split(',').map((a) => Number(a.split(':').at(-1))).sort()

describe('every broker on a new endpoint (real Kafka)', { timeout: 600_000 }, () => {
  test('a group member and a producer follow every broker to its new port: nothing lost, nothing twice', async (t) => {
    await kcatProduce(cluster.bootstrap, 're-orders', keyed('before', 300))
    const dir = mkdtempSync(join(tmpdir(), 'steadfast-re-'))
    t.after(() => { rmSync(dir, { recursive: true, force: true }) })
    const file = join(dir, 'brokers.txt')
    writeFileSync(file, cluster.bootstrap + '\n')
    const producerCluster = new Cluster({ bootstrap: { file }, logger: testLogger })
    t.after(() => producerCluster.close())
    const producer = new Producer({ cluster: producerCluster, logger: testLogger, lingerMs: 0 })
    t.after(() => producer.close())

    const c = consumer(t, () => cluster.bootstrap, { groupId: 're-group', autoOffsetReset: 'earliest', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 20_000 })
    const collector = new Collector()
    c.subscribe(['re-orders'])
    collector.drain(c, 'c')
    await collector.until(() => collector.distinct === 300)

    const before = ports(cluster.bootstrap)
    const sent: string[] = []
    for (const broker of cluster.brokers.map((b) => b.id)) {
      await cluster.restartWithNewEndpoint(broker)
      writeFileSync(file, cluster.bootstrap + '\n')
      const value = `after-restart-of-${broker}`
      await producer.send({ topic: 're-sent', partition: 0, value })
      sent.push(value)
    }
    assert.deepEqual(ports(cluster.bootstrap).filter((p) => before.includes(p)), [], 'no broker kept its port')
    await kcatProduce(cluster.bootstrap, 're-orders', keyed('after', 300))
    await collector.until(() => collector.distinct === 600)
    await c.commit()
    await c.close()

    const expected = await kcatPartitions(cluster.bootstrap, 're-orders', [0, 1, 2])
    assertSameAsKcat(collector.reads.map(({ by: _by, ...read }): Read => read), expected)
    assert.equal(collector.duplicates, 0)
    const committed = (await cluster.groupOffsets('re-group')).filter((o) => o.topic === 're-orders').sort((a, b) => a.partition - b.partition)
    assert.deepEqual(committed.map((o) => o.offset), [0, 1, 2].map((p) => expected.get(p)?.length ?? -1))
    assert.deepEqual((await kcatRead(cluster.bootstrap, 're-sent', 0)).map((r) => r.value), sent)
  })

  test('every broker moves at once (incident I4): a member watching the bootstrap file reads every record once, in order, and commits', async (t) => {
    await kcatProduce(cluster.bootstrap, 're-at-once', keyed('before', 300))
    const dir = mkdtempSync(join(tmpdir(), 'steadfast-re-'))
    t.after(() => { rmSync(dir, { recursive: true, force: true }) })
    const file = join(dir, 'brokers.txt')
    writeFileSync(file, cluster.bootstrap + '\n')
    // The bench's consumer settings (the defaults: a 45 s session outlives the move).
    const c = consumer(t, { file }, { groupId: 're-at-once-group', autoOffsetReset: 'earliest' })
    const collector = new Collector()
    c.subscribe(['re-at-once'])
    collector.drain(c, 'c')
    await collector.until(() => collector.distinct === 300)
    // Committed before the move: a move slower than the session (a loaded machine) makes the
    // member give its partitions up and take them again from the last commit, which must then
    // hold what was read (no commit yet would re-read every partition from the start).
    await c.commit()

    const before = ports(cluster.bootstrap)
    await cluster.restartAllWithNewEndpoints()
    writeFileSync(file, cluster.bootstrap + '\n')
    assert.deepEqual(ports(cluster.bootstrap).filter((p) => before.includes(p)), [], 'no broker kept its port')
    await kcatProduce(cluster.bootstrap, 're-at-once', keyed('after', 300))
    await collector.until(() => collector.distinct === 600)
    await c.commit()
    await c.close()

    const partitions = [0, 1, 2, 3, 4, 5]
    const expected = await kcatPartitions(cluster.bootstrap, 're-at-once', partitions)
    assertSameAsKcat(collector.reads.map(({ by: _by, ...read }): Read => read), expected)
    assert.equal(collector.duplicates, 0)
    const committed = (await cluster.groupOffsets('re-at-once-group')).filter((o) => o.topic === 're-at-once').sort((a, b) => a.partition - b.partition)
    assert.deepEqual(committed.map((o) => o.offset), partitions.map((p) => expected.get(p)?.length ?? -1))
  })
})
