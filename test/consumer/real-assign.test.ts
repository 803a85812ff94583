/**
 * Manual assignment against real Apache Kafka: a seek by timestamp (ListOffsets by time, which
 * the mock lacks), and the leader of a partition killed mid-consumption and brought back: every
 * record read exactly once, in order per partition, compared with what kcat reads afterwards.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as tick } from 'node:timers/promises'
import { RealCluster } from '../../src/testkit/index.ts'
import { requestChannel, type RequestDiagnostic } from '../../src/observability/tracing.ts'
import { kcatProduce } from '../producer/helpers.ts'
import { produce } from '../testkit/mock-cluster/support.ts'
import { assertSameAsKcat, byPartition, consumer, kcatPartitions, keyed, readCount } from './helpers.ts'

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({ brokers: 3, topics: [{ name: 'rk-orders', partitions: 3, replicationFactor: 3 }, { name: 'rk-time', partitions: 1, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

describe('consumer, manual assignment (real Kafka)', { timeout: 240_000 }, () => {
  test('seek by timestamp starts at the first record at or after it; past the end goes to the end', async (t) => {
    assert.equal((await produce(cluster.bootstrap, 'rk-time', 0, ['early-0', 'early-1', 'early-2'])).code, 0)
    const cut = Date.now() + 1
    while (Date.now() < cut) await tick()
    assert.equal((await produce(cluster.bootstrap, 'rk-time', 0, ['late-3', 'late-4'])).code, 0)
    const c = consumer(t, cluster.bootstrap)
    const tp = { topic: 'rk-time', partition: 0 }
    await c.assign([tp])
    assert.equal(await c.seek(tp, { timestamp: cut }), 3n)
    assert.deepEqual((await readCount(c, 2)).map((r) => [r.offset, r.value]), [[3, 'late-3'], [4, 'late-4']])
    assert.equal(await c.seek(tp, { timestamp: Date.now() + 3_600_000 }), 5n)
  })

  test('the leader killed mid-consumption, then restarted: every record once, in order per partition (Fetch v16, topics by id)', async (t) => {
    const fetchVersions = new Set<number>()
    const handlers = { start: (context: RequestDiagnostic) => { if (context.operation === 'Fetch' && context.version !== undefined) fetchVersions.add(context.version) }, end: () => {}, asyncStart: () => {}, asyncEnd: () => {}, error: () => {} }
    requestChannel.subscribe(handlers)
    t.after(() => requestChannel.unsubscribe(handlers))
    await kcatProduce(cluster.bootstrap, 'rk-orders', keyed('before', 900))
    const c = consumer(t, cluster.bootstrap)
    const all = [0, 1, 2].map((partition) => ({ topic: 'rk-orders', partition }))
    await c.assign(all)
    await Promise.all(all.map(async (tp) => await c.seek(tp, 'earliest')))
    const reads = await readCount(c, 300)
    const leader = await cluster.leaderOf('rk-orders', 0)
    await cluster.kill(leader)
    await kcatProduce(cluster.bootstrap, 'rk-orders', keyed('while-down', 600))
    reads.push(...await readCount(c, 1200))
    await cluster.startNode(leader)
    await kcatProduce(cluster.bootstrap, 'rk-orders', keyed('after', 300))
    reads.push(...await readCount(c, 300))
    const expected = await kcatPartitions(cluster.bootstrap, 'rk-orders', [0, 1, 2])
    assert.equal([...expected.values()].reduce((n, l) => n + l.length, 0), 1800)
    assertSameAsKcat(reads, expected)
    assert.deepEqual([...fetchVersions], [16], 'every Fetch at v16 (topic ids, KIP-951 endpoints)')
    t.diagnostic(`killed broker ${leader}; read ${reads.length} records, ${[...byPartition(reads).values()].map((l) => l.length).join('/')} per partition, 0 duplicates`)
  })
})
