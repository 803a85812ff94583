/**
 * The endpoint health check (src/cluster/endpoint-check.ts). Its decision, case by case; then
 * the case it exists for, with librdkafka's mock cluster behind two chaos proxies standing for an
 * old and a new way into the same cluster: the bootstrap file moves from the old proxy to the new
 * one while the old one keeps answering (draining). Without the check a consumer stays on the old
 * one for as long as it answers — every Metadata answer it gets names the old proxy's listeners;
 * with it, the consumer moves within one check, reads on without a record lost or read twice,
 * and does not notice the old proxy closing afterwards. A second move within the rebuild interval
 * is refused (rate limit).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cluster } from '../../src/cluster/cluster.ts'
import { decide, type EndpointCheckResult } from '../../src/cluster/endpoint-check.ts'
import type { BrokerInfo } from '../../src/cluster/metadata.ts'
import { Consumer } from '../../src/consumer/consumer.ts'
import { ChaosProxy } from '../../src/testkit/chaos-proxy/chaos-proxy.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { produce } from '../testkit/mock-cluster/support.ts'
import { Collector, testLogger, toRead } from '../consumer/helpers.ts'

const brokers = (...list: Array<[number, number]>): Map<number, BrokerInfo> =>
  new Map(list.map(([nodeId, port]) => [nodeId, { nodeId, host: '127.0.0.1', port, rack: null }]))

describe('endpoint check: the decision', () => {
  const base = { clusterId: 'c1', freshClusterId: 'c1', now: 1_000_000, lastRebuildAt: undefined, rebuildShare: 0.5, minRebuildIntervalMs: 60_000 }
  const inUse = brokers([1, 9001], [2, 9002], [3, 9003], [4, 9004])
  const cases: Array<[string, Partial<Parameters<typeof decide>[0]>, EndpointCheckResult]> = [
    ['every broker where it is used', { fresh: brokers([1, 9001], [2, 9002], [3, 9003], [4, 9004]) }, { outcome: 'unchanged', changed: [], share: 0 }],
    ['one of four moved: below the share', { fresh: brokers([1, 9101], [2, 9002], [3, 9003], [4, 9004]) }, { outcome: 'below-share', changed: [1], share: 0.25 }],
    ['two of four moved or gone: at the share', { fresh: brokers([1, 9101], [3, 9003], [4, 9004]) }, { outcome: 'rebuilt', changed: [1, 2], share: 0.5 }],
    ['every broker moved, the last rebuild 10 s ago', { fresh: brokers([1, 9101], [2, 9102], [3, 9103], [4, 9104]), lastRebuildAt: 990_000 }, { outcome: 'rate-limited', changed: [1, 2, 3, 4], share: 1 }],
    ['every broker moved, the last rebuild 60 s ago', { fresh: brokers([1, 9101], [2, 9102], [3, 9103], [4, 9104]), lastRebuildAt: 940_000 }, { outcome: 'rebuilt', changed: [1, 2, 3, 4], share: 1 }],
    ['the source names another cluster', { fresh: brokers([1, 9101]), freshClusterId: 'c2' }, { outcome: 'other-cluster', changed: [1, 2, 3, 4], share: 1 }],
    ['a cluster id missing on one side is no evidence of another cluster', { fresh: brokers([1, 9101], [2, 9102], [3, 9103], [4, 9104]), freshClusterId: null }, { outcome: 'rebuilt', changed: [1, 2, 3, 4], share: 1 }],
  ]
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.deepEqual(decide({ ...base, inUse, fresh: new Map(), ...input }), expected)
    })
  }
})

describe('endpoint check: a bootstrap file moved to a new way in while the old one still answers', { timeout: 90_000 }, () => {
  let mock: MockCluster
  let old: ChaosProxy
  let next: ChaosProxy
  let dir: string
  before(async () => {
    mock = await MockCluster.start({ brokers: 3, topics: ['ec-control', 'ec-checked'].map((name) => ({ name, partitions: 2, replicationFactor: 3 })) })
    old = await ChaosProxy.start({ upstream: mock.bootstrap, logger: testLogger })
    next = await ChaosProxy.start({ upstream: mock.bootstrap, logger: testLogger })
    dir = await mkdtemp(join(tmpdir(), 'steadfast-endpoint-check-'))
  })
  after(async () => {
    await old?.close()
    await next?.close()
    await mock?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  const produceRound = async (topic: string, round: string): Promise<void> => {
    for (const p of [0, 1]) assert.equal((await produce(mock.bootstrap, topic, p, Array.from({ length: 50 }, (_, i) => `${round}-p${p}-${i}`))).code, 0)
  }
  const read = async (c: Consumer, collector: Collector, by: string): Promise<void> => {
    for await (const m of c) {
      collector.push({ ...toRead(m), by })
    }
  }
  const startConsumer = async (cluster: Cluster, topic: string): Promise<{ consumer: Consumer, collector: Collector, reading: Promise<void> }> => {
    const consumer = new Consumer({ cluster, logger: testLogger, fetchMaxWaitMs: 100 })
    const all = [0, 1].map((partition) => ({ topic, partition }))
    await consumer.assign(all)
    await Promise.all(all.map(async (tp) => await consumer.seek(tp, 'earliest')))
    const collector = new Collector()
    return { consumer, collector, reading: read(consumer, collector, 'c') }
  }
  const until = async (check: () => boolean, describe: () => string): Promise<void> => {
    const deadline = Date.now() + 30_000
    while (!check()) {
      if (Date.now() > deadline) assert.fail(`not within 30 s: ${describe()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const onProxy = (cluster: Cluster, proxy: ChaosProxy): boolean =>
    [...(cluster.cachedMetadata?.brokers.values() ?? [])].every((b) => proxy.brokers.some((p) => p.port === b.port))
  const openOn = (): string => `old proxy ${old.stats.openConnections} open, new proxy ${next.stats.openConnections} open (${next.stats.connections} ever)`

  test('without the check the consumer stays on the old way in for as long as it answers', async () => {
    const file = join(dir, 'control.txt')
    await writeFile(file, old.bootstrap)
    await produceRound('ec-control', 'control')
    const cluster = new Cluster({ bootstrap: { file }, logger: testLogger })
    const { consumer, collector, reading } = await startConsumer(cluster, 'ec-control')
    try {
      await collector.until(() => collector.distinct === 100, openOn, 30_000)
      await writeFile(file, next.bootstrap)
      // Longer than the file poll and several metadata refreshes: still nothing on the new proxy.
      await cluster.refreshMetadata()
      await new Promise((resolve) => setTimeout(resolve, 2_000))
      await cluster.refreshMetadata()
      assert.ok(old.stats.openConnections > 0, openOn())
      assert.equal(next.stats.connections, 0, `the new way in never used: ${openOn()}`)
      assert.ok(onProxy(cluster, old), 'every broker at an old-proxy listener')
    } finally {
      await consumer.close()
      await reading
      await cluster.close()
    }
  })

  test('with it, the consumer moves within a check, reads on with nothing lost or twice, and a second move within the rebuild interval is refused', async () => {
    const file = join(dir, 'checked.txt')
    await writeFile(file, old.bootstrap)
    const cluster = new Cluster({ bootstrap: { file }, logger: testLogger, endpointCheck: { intervalMs: 200, minRebuildIntervalMs: 60_000 } })
    const rebuilt: EndpointCheckResult[] = []
    cluster.on('endpoints-rebuilt', (result) => rebuilt.push(result))
    await produceRound('ec-checked', 'first')
    const { consumer, collector, reading } = await startConsumer(cluster, 'ec-checked')
    try {
      await collector.until(() => collector.distinct === 100, openOn, 30_000)
      assert.deepEqual(rebuilt, [], 'nothing to rebuild while the file names the proxy in use')
      const connectionsBefore = next.stats.connections

      await writeFile(file, next.bootstrap)
      await until(() => rebuilt.length === 1, openOn)
      assert.deepEqual(rebuilt[0], { outcome: 'rebuilt', changed: [1, 2, 3], share: 1 })
      await until(() => old.stats.openConnections === 0, openOn)
      await produceRound('ec-checked', 'after-move')
      await collector.until(() => collector.distinct === 200, openOn, 30_000)
      assert.ok(next.stats.connections > connectionsBefore + 1, `the consumer reads through the new proxy: ${openOn()}`)
      assert.ok(onProxy(cluster, next), 'every broker at a new-proxy listener')
      assert.equal(old.stats.openConnections, 0, `and nothing went back to the old one: ${openOn()}`)

      // Back to the old proxy at once: refused by the rate limit, the connections stay where they are.
      await writeFile(file, old.bootstrap)
      await until(() => cluster.bootstrap.some((a) => a.port === old.brokers[0]?.port), () => JSON.stringify(cluster.bootstrap))
      assert.equal((await cluster.checkEndpoints())?.outcome, 'rate-limited')
      // (The checks themselves open short connections to the old proxy now; the brokers stay put.)
      assert.ok(onProxy(cluster, next), `every broker still at a new-proxy listener: ${JSON.stringify([...cluster.cachedMetadata?.brokers.values() ?? []])}`)
      await writeFile(file, next.bootstrap)

      await old.close()
      await produceRound('ec-checked', 'old-closed')
      await collector.until(() => collector.distinct === 300, openOn, 30_000)
      assert.equal(rebuilt.length, 1, 'one rebuild in all')
      assert.equal(collector.duplicates, 0, 'nothing read twice')
      for (const p of [0, 1]) {
        assert.deepEqual(collector.merged().filter((r) => r.partition === p).map((r) => r.offset), Array.from({ length: 150 }, (_, i) => i), `partition ${p}: every record, in order`)
      }
    } finally {
      await consumer.close()
      await reading
      await cluster.close()
    }
  })
})
