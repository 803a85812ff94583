/**
 * Fault test 4 on the mock, through the chaos proxy: every broker re-advertised on new endpoints
 * and the old ones closed (nothing the client knew still answers). A consumer group member whose
 * bootstrap is a function, a manually assigned consumer whose bootstrap is a watched file, and a
 * producer on a cluster client whose bootstrap is a function follow the brokers: every record
 * read once, in order per partition, as kcat (reading the mock directly) reads them; commits
 * reach the group; every record sent is stored once.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Admin } from '../../src/admin/admin.ts'
import { Cluster } from '../../src/cluster/cluster.ts'
import { Producer } from '../../src/producer/producer.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { kcatProduce, kcatRead } from '../producer/helpers.ts'
import { startProxy } from '../testkit/chaos-proxy/support.ts'
import { assertSameAsKcat, Collector, consumer, kcatPartitions, keyed, testLogger, type Read, startGroupMock } from './helpers.ts'

let mock: MockCluster
before(async () => {
  mock = await startGroupMock()
})
after(async () => { await mock?.stop() })

/** What the collector read, in the order read (duplicates kept, so they fail the comparison too). */
const inOrder = (collector: Collector): Read[] => collector.reads.map(({ by: _by, ...read }) => read)
const ports = (bootstrap: string): string[] => bootstrap.split(',').map((a) => a.split(':')[1] ?? '').sort()

describe('every broker on new endpoints (mock cluster behind the chaos proxy)', { timeout: 180_000 }, () => {
  test('a group member with a bootstrap function follows: every record once, commits reach the group', async (t) => {
    await mock.createTopic({ name: 'ep-group', partitions: 3 })
    await kcatProduce(mock.bootstrap, 'ep-group', keyed('before', 300))
    const proxy = await startProxy(t, mock.bootstrap)
    const c = consumer(t, () => proxy.bootstrap, { groupId: 'ep-group', autoOffsetReset: 'earliest', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, autoCommit: false })
    const collector = new Collector()
    c.subscribe(['ep-group'])
    collector.drain(c, 'c')
    await collector.until(() => collector.distinct === 300)
    const old = proxy.bootstrap
    const movedAt = performance.now()
    await proxy.moveEndpoints()
    assert.deepEqual(ports(old).filter((p) => ports(proxy.bootstrap).includes(p)), [], 'no endpoint kept')
    await kcatProduce(mock.bootstrap, 'ep-group', keyed('after', 300))
    await collector.until(() => collector.distinct === 600)
    t.diagnostic(`all 300 records produced after the move read ${Math.round(performance.now() - movedAt)} ms after it`)
    await c.commit()
    await c.close() // before the proxy closes (hooks run in order): leaving needs a broker
    const expected = await kcatPartitions(mock.bootstrap, 'ep-group', [0, 1, 2])
    assertSameAsKcat(inOrder(collector), expected)
    assert.equal(collector.duplicates, 0)
    const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
    t.after(() => admin.close())
    const committed = (await admin.listConsumerGroupOffsets('ep-group', { topics: [{ topic: 'ep-group', partitions: [0, 1, 2] }] })).get('ep-group') ?? []
    assert.deepEqual(committed.map((o) => Number(o.offset)), [0, 1, 2].map((p) => expected.get(p)?.length ?? -1))
  })

  test('a consumer with a watched bootstrap file follows once the file names the new endpoints', async (t) => {
    await mock.createTopic({ name: 'ep-file', partitions: 3 })
    await kcatProduce(mock.bootstrap, 'ep-file', keyed('before', 200))
    const proxy = await startProxy(t, mock.bootstrap)
    const dir = mkdtempSync(join(tmpdir(), 'steadfast-ep-'))
    t.after(() => { rmSync(dir, { recursive: true, force: true }) })
    const file = join(dir, 'brokers.txt')
    writeFileSync(file, proxy.bootstrap.split(',').join('\n') + '\n')
    const c = consumer(t, { file })
    const all = [0, 1, 2].map((partition) => ({ topic: 'ep-file', partition }))
    await c.assign(all)
    await Promise.all(all.map(async (tp) => await c.seek(tp, 'earliest')))
    const collector = new Collector()
    collector.drain(c, 'c')
    await collector.until(() => collector.distinct === 200)
    const movedAt = performance.now()
    await proxy.moveEndpoints()
    writeFileSync(file, proxy.bootstrap.split(',').join('\n') + '\n')
    await kcatProduce(mock.bootstrap, 'ep-file', keyed('after', 200))
    await collector.until(() => collector.distinct === 400)
    t.diagnostic(`all 200 records produced after the move read ${Math.round(performance.now() - movedAt)} ms after it`)
    await c.close()
    assertSameAsKcat(inOrder(collector), await kcatPartitions(mock.bootstrap, 'ep-file', [0, 1, 2]))
    assert.equal(collector.duplicates, 0)
  })

  test('a producer on a cluster client with a bootstrap function follows too (Admin and Producer share the cluster layer)', async (t) => {
    await mock.createTopic({ name: 'ep-produce', partitions: 1 })
    const proxy = await startProxy(t, mock.bootstrap)
    const cluster = new Cluster({ bootstrap: () => proxy.bootstrap, logger: testLogger })
    t.after(() => cluster.close())
    const producer = new Producer({ cluster, logger: testLogger, lingerMs: 0 })
    t.after(() => producer.close())
    const admin = new Admin({ cluster, logger: testLogger })
    assert.equal((await producer.send({ topic: 'ep-produce', partition: 0, value: 'before' })).offset, 0n)
    await proxy.moveEndpoints()
    assert.equal((await producer.send({ topic: 'ep-produce', partition: 0, value: 'after' })).offset, 1n)
    assert.ok((await admin.listTopics()).includes('ep-produce'))
    assert.deepEqual([...(cluster.cachedMetadata?.brokers.values() ?? [])].map((b) => String(b.port)).sort(), ports(proxy.bootstrap))
    assert.deepEqual((await kcatRead(mock.bootstrap, 'ep-produce', 0)).map((r) => r.value), ['before', 'after'])
  })
})
