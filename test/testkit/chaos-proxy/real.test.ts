/**
 * The chaos proxy in front of real Apache Kafka (one KRaft broker, to spare the machine): the
 * three address-carrying answers as a real broker writes them (Metadata, FindCoordinator v4+,
 * DescribeCluster), kcat through the proxy, moved endpoints, and a lost Produce answer, which a
 * real broker deduplicates by producer sequence.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { Admin } from '../../../src/admin/index.ts'
import { Cluster } from '../../../src/cluster/index.ts'
import { Producer } from '../../../src/producer/producer.ts'
import { apis } from '../../../src/protocol/apis/index.ts'
import { ApiKey, RealCluster, type RequestEvent } from '../../../src/testkit/index.ts'
import { consume, metadata, produce } from '../mock-cluster/support.ts'
import { kcatRead, silent } from '../../producer/helpers.ts'
import { connectOutcome, ports, startProxy } from './support.ts'

let cluster: RealCluster

before(async () => {
  cluster = await RealCluster.start({ brokers: 1, topics: [{ name: 'cpr-data', partitions: 2, replicationFactor: 1 }, { name: 'cpr-lost', partitions: 1, replicationFactor: 1 }] })
})
after(async () => { await cluster?.stop() })

describe('ChaosProxy in front of a RealCluster', () => {
  test('Metadata, FindCoordinator and DescribeCluster answers name only the proxy; kcat produces and consumes through it', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const [broker] = proxy.brokers
    assert.ok(broker !== undefined)
    assert.equal(broker.upstream, cluster.bootstrap)
    const md = await metadata(proxy.bootstrap, 'cpr-data')
    assert.deepEqual(md.brokers, [{ id: 1, name: `127.0.0.1:${broker.port}` }])

    const admin = new Admin({ bootstrap: proxy.bootstrap, logger: silent })
    t.after(() => admin.close())
    const described = await admin.describeCluster()
    assert.deepEqual(described.brokers.map((b) => [b.nodeId, b.host, b.port]), [[1, '127.0.0.1', broker.port]])
    assert.ok((proxy.stats.requests[apis.DescribeCluster.apiKey] ?? 0) >= 1, 'answered through DescribeCluster, not Metadata')

    const client = new Cluster({ bootstrap: proxy.bootstrap, logger: silent })
    t.after(() => client.close())
    const coordinator = await client.coordinator('group', 'cpr-billing')
    assert.deepEqual(coordinator.endpoint, { nodeId: 1, host: '127.0.0.1', port: broker.port })
    assert.ok((await client.anyConnection()).versionFor(apis.FindCoordinator) >= 4, 'the answer came in the coordinators-array form (v4+)')

    const lines = ['alpha', 'beta', 'gamma']
    assert.equal((await produce(proxy.bootstrap, 'cpr-data', 1, lines)).code, 0)
    assert.deepEqual(await consume(proxy.bootstrap, 'cpr-data', 1), ['0:alpha', '1:beta', '2:gamma'])
  })

  test('moveEndpoints: the old port refuses connections; kcat with the new bootstrap works and sees only the new address', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const [oldPort] = ports(proxy)
    await proxy.moveEndpoints()
    assert.equal(await connectOutcome(oldPort as number), 'ECONNREFUSED')
    const [newPort] = ports(proxy)
    assert.notEqual(newPort, oldPort)
    assert.deepEqual((await metadata(proxy.bootstrap)).brokers, [{ id: 1, name: `127.0.0.1:${newPort}` }])
    assert.equal((await produce(proxy.bootstrap, 'cpr-data', 0, ['moved'])).code, 0)
    assert.deepEqual(await consume(proxy.bootstrap, 'cpr-data', 0), ['0:moved'])
  })

  test('moveEndpoints under a running Admin and idempotent Producer: stranded until setBootstrap, then nothing lost (finding)', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const client = new Cluster({ bootstrap: proxy.bootstrap, logger: silent })
    t.after(() => client.close())
    const admin = new Admin({ cluster: client, logger: silent, defaultTimeoutMs: 3_000 })
    const producer = new Producer({ cluster: client, logger: silent, lingerMs: 0, idempotent: true, requestTimeoutMs: 2_000, deliveryTimeoutMs: 4_000 })
    t.after(() => producer.close())
    await cluster.createTopic({ name: 'cpr-moved', partitions: 1, replicationFactor: 1 })
    await producer.send({ topic: 'cpr-moved', partition: 0, value: 'before' })
    await proxy.moveEndpoints()
    await assert.rejects(admin.listTopics(), /no broker reachable; tried .*ECONNREFUSED/)
    await assert.rejects(producer.send({ topic: 'cpr-moved', partition: 0, value: 'stranded' }), (error: Error & { code?: string }) => error.code === 'STEADFAST_ERR_DEADLINE')
    client.setBootstrap(proxy.bootstrap)
    assert.ok((await admin.listTopics()).includes('cpr-moved'))
    await producer.send({ topic: 'cpr-moved', partition: 0, value: 'after' })
    assert.deepEqual((await kcatRead(cluster.bootstrap, 'cpr-moved', 0)).map((r) => r.value), ['before', 'after'])
  })

  test('dropNextAnswer on Produce: the idempotent producer retries and the broker keeps the record once', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const producer = new Producer({ bootstrap: proxy.bootstrap, logger: silent, lingerMs: 0, idempotent: true, acks: 'all', requestTimeoutMs: 10_000, deliveryTimeoutMs: 30_000 })
    t.after(() => producer.close())
    await producer.send({ topic: 'cpr-lost', partition: 0, value: 'warm-up' })
    await proxy.dropNextAnswer({ apiKey: ApiKey.Produce })
    const dropped = once(proxy, 'answer-dropped') as Promise<[RequestEvent]>
    await producer.send({ topic: 'cpr-lost', partition: 0, value: 'exactly-once' })
    const [event] = await dropped
    assert.equal(event.apiKey, ApiKey.Produce)
    assert.equal(proxy.stats.requests[ApiKey.Produce], 3, 'warm-up, the lost one, its retry')
    assert.deepEqual((await kcatRead(cluster.bootstrap, 'cpr-lost', 0)).map((r) => r.value), ['warm-up', 'exactly-once'])
  })
})
