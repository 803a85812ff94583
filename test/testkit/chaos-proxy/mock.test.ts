/**
 * The chaos proxy in front of librdkafka's mock cluster, observed by kcat (librdkafka 2.0.2, a
 * client that shares no code with steadfast) and by steadfast's own clients. One mock cluster
 * for the file; each test starts its own proxy in front of it and uses its own topic.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { performance } from 'node:perf_hooks'
import { Admin } from '../../../src/admin/index.ts'
import { Cluster } from '../../../src/cluster/index.ts'
import { Producer } from '../../../src/producer/producer.ts'
import { apis } from '../../../src/protocol/apis/index.ts'
import { TransportError } from '../../../src/resilience/errors.ts'
import { ApiKey, MockCluster, type RequestEvent } from '../../../src/testkit/index.ts'
import { consume, metadata, produce } from '../mock-cluster/support.ts'
import { fetchBatches, kcatRead, silent } from '../../producer/helpers.ts'
import { connectOutcome, open, ports, send, sendRaw, startProxy } from './support.ts'

let cluster: MockCluster

before(async () => {
  cluster = await MockCluster.start({ brokers: 3 })
})
after(async () => { await cluster?.stop() })

const METADATA_NO_TOPICS = { topics: [], allowAutoTopicCreation: false }

describe('ChaosProxy in front of a MockCluster', () => {
  test('kcat -L through the proxy sees every broker, only at proxy addresses', async (t) => {
    await cluster.createTopic({ name: 'cp-listing', partitions: 3 })
    const proxy = await startProxy(t, cluster.bootstrap)
    assert.deepEqual(proxy.brokers.map((b) => [b.id, b.upstream]), cluster.brokers.map((b) => [b.id, `${b.host}:${b.port}`]))
    const md = await metadata(proxy.bootstrap, 'cp-listing')
    assert.deepEqual(md.brokers.map((b) => [b.id, b.name]).sort(), proxy.brokers.map((b) => [b.id, `127.0.0.1:${b.port}`]))
    const upstreamPorts = cluster.brokers.map((b) => b.port)
    for (const port of ports(proxy)) assert.equal(upstreamPorts.includes(port), false)
    assert.equal(md.topics[0]?.partitions.length, 3)
    assert.ok((proxy.stats.requests[ApiKey.Metadata] ?? 0) >= 1)
  })

  test('FindCoordinator answers name the proxy listener of the coordinator broker', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    await cluster.setCoordinator('group', 'cp-billing', 2)
    const client = new Cluster({ bootstrap: proxy.bootstrap, logger: silent })
    t.after(() => client.close())
    const coordinator = await client.coordinator('group', 'cp-billing')
    const expected = proxy.brokers.find((b) => b.id === 2)
    assert.deepEqual(coordinator.endpoint, { nodeId: 2, host: expected?.host, port: expected?.port })
    assert.ok((proxy.stats.requests[ApiKey.FindCoordinator] ?? 0) >= 1)
  })

  test('kcat produces and consumes through the proxy; the records are in the cluster as sent', async (t) => {
    await cluster.createTopic({ name: 'cp-data', partitions: 2 })
    const proxy = await startProxy(t, cluster.bootstrap)
    const lines = Array.from({ length: 20 }, (_, i) => `record-${i}`)
    assert.equal((await produce(proxy.bootstrap, 'cp-data', 1, lines)).code, 0)
    const expected = lines.map((l, i) => `${i}:${l}`)
    assert.deepEqual(await consume(proxy.bootstrap, 'cp-data', 1), expected)
    assert.deepEqual(await consume(cluster.bootstrap, 'cp-data', 1), expected, 'read directly from the brokers')
    const stats = proxy.stats
    assert.ok((stats.requests[ApiKey.Produce] ?? 0) >= 1)
    assert.ok((stats.requests[ApiKey.Fetch] ?? 0) >= 1)
    assert.ok(stats.connections >= 2)
  })

  test('answers of other APIs are relayed byte for byte: a Fetch answer through the proxy equals the one read directly', async (t) => {
    await cluster.createTopic({ name: 'cp-bytes', partitions: 1, replicationFactor: 1 })
    await cluster.setPartitionLeader('cp-bytes', 0, 1)
    assert.equal((await produce(cluster.bootstrap, 'cp-bytes', 0, ['a', 'b', 'c'])).code, 0)
    const proxy = await startProxy(t, cluster.bootstrap)
    const upstream = cluster.brokers.find((b) => b.id === 1)
    const proxied = proxy.brokers.find((b) => b.id === 1)
    assert.ok(upstream !== undefined && proxied !== undefined)
    const fetch = { maxWaitMs: 10, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic: 'cp-bytes', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }] }
    const direct = await sendRaw(await open(t, { ...proxied, port: upstream.port }), apis.Fetch, 4, fetch)
    const through = await sendRaw(await open(t, proxied), apis.Fetch, 4, fetch)
    assert.ok(direct.length > 100, 'the answer carries the records')
    assert.deepEqual(through, direct)
  })

  test('moveEndpoints: the old ports refuse connections; kcat with the new bootstrap works and sees only new addresses', async (t) => {
    await cluster.createTopic({ name: 'cp-moved', partitions: 1 })
    const proxy = await startProxy(t, cluster.bootstrap)
    const oldPorts = ports(proxy)
    assert.equal((await produce(proxy.bootstrap, 'cp-moved', 0, ['before'])).code, 0)
    const moved = await proxy.moveEndpoints()
    assert.deepEqual(moved.map((b) => b.id), [1, 2, 3])
    for (const port of oldPorts) assert.equal(await connectOutcome(port), 'ECONNREFUSED')
    const newPorts = ports(proxy)
    for (const port of newPorts) assert.equal(oldPorts.includes(port), false)
    const md = await metadata(proxy.bootstrap)
    assert.deepEqual(md.brokers.map((b) => b.name).sort(), newPorts.map((p) => `127.0.0.1:${p}`).sort())
    assert.equal((await produce(proxy.bootstrap, 'cp-moved', 0, ['after'])).code, 0)
    assert.deepEqual(await consume(proxy.bootstrap, 'cp-moved', 0), ['0:before', '1:after'])
  })

  test('moveBroker moves one broker: steadfast Admin and Producer started before follow it through Metadata from the others', async (t) => {
    await cluster.createTopic({ name: 'cp-follow', partitions: 1, replicationFactor: 3 })
    await cluster.setPartitionLeader('cp-follow', 0, 1)
    const proxy = await startProxy(t, cluster.bootstrap)
    const admin = new Admin({ bootstrap: proxy.bootstrap, logger: silent })
    t.after(() => admin.close())
    const producer = new Producer({ bootstrap: proxy.bootstrap, logger: silent, lingerMs: 0, requestTimeoutMs: 10_000, deliveryTimeoutMs: 20_000 })
    t.after(() => producer.close())
    assert.equal((await producer.send({ topic: 'cp-follow', partition: 0, value: 'one' })).offset, 0n)
    const oldLeaderPort = proxy.brokers[0]?.port
    const movedLeader = await proxy.moveBroker(1)
    assert.notEqual(movedLeader.port, oldLeaderPort)
    assert.equal((await producer.send({ topic: 'cp-follow', partition: 0, value: 'two' })).offset, 1n)
    const [latest] = await admin.listOffsets([{ topic: 'cp-follow', partitions: [0] }], 'latest')
    assert.equal(latest?.offset, 2n)
    assert.equal(admin.cluster.cachedMetadata?.brokers.get(1)?.port, movedLeader.port, 'the admin knows the new endpoint')
    assert.deepEqual((await kcatRead(cluster.bootstrap, 'cp-follow', 0)).map((r) => r.value), ['one', 'two'])
  })

  test('moveEndpoints under a running Admin and Producer: with every known endpoint closed they fail until given the new bootstrap (finding)', async (t) => {
    await cluster.createTopic({ name: 'cp-all-moved', partitions: 1 })
    const proxy = await startProxy(t, cluster.bootstrap)
    const client = new Cluster({ bootstrap: proxy.bootstrap, logger: silent })
    t.after(() => client.close())
    const admin = new Admin({ cluster: client, logger: silent, defaultTimeoutMs: 3_000 })
    const producer = new Producer({ cluster: client, logger: silent, lingerMs: 0, requestTimeoutMs: 2_000, deliveryTimeoutMs: 4_000 })
    t.after(() => producer.close())
    assert.ok((await admin.listTopics()).includes('cp-all-moved'))
    assert.equal((await producer.send({ topic: 'cp-all-moved', partition: 0, value: 'before' })).offset, 0n)
    await proxy.moveEndpoints()
    // Every address the client knows (from metadata and from its bootstrap list) is now closed:
    // no broker is left to tell it where the brokers went.
    await assert.rejects(admin.listTopics(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STEADFAST_ERR_ADMIN')
      assert.match(error.message, /no broker reachable; tried .*ECONNREFUSED/)
      return true
    })
    await assert.rejects(producer.send({ topic: 'cp-all-moved', partition: 0, value: 'lost' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STEADFAST_ERR_DEADLINE')
      assert.match(error.message, /ECONNREFUSED/)
      return true
    })
    client.setBootstrap(proxy.bootstrap)
    assert.ok((await admin.listTopics()).includes('cp-all-moved'))
    assert.deepEqual([...(client.cachedMetadata?.brokers.values() ?? [])].map((b) => b.port).sort(), ports(proxy).sort())
    assert.equal((await producer.send({ topic: 'cp-all-moved', partition: 0, value: 'after' })).offset, 1n)
    assert.deepEqual((await kcatRead(cluster.bootstrap, 'cp-all-moved', 0)).map((r) => r.value), ['before', 'after'])
  })

  test('reset drops the current connections with ECONNRESET; the listener keeps accepting', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const broker = proxy.brokers[1]
    assert.ok(broker !== undefined)
    const connection = await open(t, broker)
    await send(connection, apis.Metadata, 4, METADATA_NO_TOPICS)
    const closed = once(connection, 'close') as Promise<[TransportError]>
    await proxy.reset(broker.id)
    const [error] = await closed
    assert.equal(error.systemCode, 'ECONNRESET')
    assert.equal(proxy.stats.byBroker[broker.id]?.openConnections, 0)
    const again = await open(t, broker)
    const body = await send(again, apis.Metadata, 4, METADATA_NO_TOPICS)
    assert.equal(body.brokers.length, 3)
  })

  test('blackhole of one API key: those requests time out per their request timeout, others are answered; heal ends it', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const broker = proxy.brokers[0]
    assert.ok(broker !== undefined)
    await proxy.blackhole({ brokerId: broker.id, apiKey: ApiKey.Metadata })
    const swallowed = once(proxy, 'request-blackholed') as Promise<[RequestEvent]>
    const connection = await open(t, broker, 500)
    const versions = await send(connection, apis.ApiVersions, 0, {})
    assert.equal(versions.errorCode, 0)
    await assert.rejects(send(connection, apis.Metadata, 4, METADATA_NO_TOPICS), (error: TransportError) => {
      assert.equal(error.systemCode, 'ETIMEDOUT')
      assert.match(error.message, /no response within 500 ms/)
      return true
    })
    const [event] = await swallowed
    assert.deepEqual([event.brokerId, event.apiKey, event.apiVersion], [broker.id, ApiKey.Metadata, 4])
    const other = proxy.brokers[1]
    assert.ok(other !== undefined)
    assert.equal((await send(await open(t, other), apis.Metadata, 4, METADATA_NO_TOPICS)).brokers.length, 3)
    await proxy.heal()
    assert.equal((await send(await open(t, broker), apis.Metadata, 4, METADATA_NO_TOPICS)).brokers.length, 3)
    assert.equal(proxy.stats.blackholed, 1)
  })

  test('blackhole of a whole broker: connections are accepted and kept, nothing is answered', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const broker = proxy.brokers[2]
    assert.ok(broker !== undefined)
    await proxy.blackhole({ brokerId: broker.id })
    const connection = await open(t, broker, 500)
    await assert.rejects(send(connection, apis.ApiVersions, 0, {}), (error: TransportError) => error.systemCode === 'ETIMEDOUT')
    assert.equal(proxy.stats.byBroker[broker.id]?.connections, 1)
    assert.equal(proxy.stats.byBroker[broker.id]?.requests[ApiKey.ApiVersions], 1)
    assert.equal(proxy.stats.blackholed, 1)
  })

  test('steadfast Producer against a black-holed Produce: the request times out, and after heal the retry is stored once', async (t) => {
    await cluster.createTopic({ name: 'cp-hole', partitions: 1 })
    const proxy = await startProxy(t, cluster.bootstrap)
    const producer = new Producer({ bootstrap: proxy.bootstrap, logger: silent, lingerMs: 0, requestTimeoutMs: 1_000, deliveryTimeoutMs: 30_000 })
    t.after(() => producer.close())
    await producer.send({ topic: 'cp-hole', partition: 0, value: 'first' })
    await proxy.blackhole({ apiKey: ApiKey.Produce })
    const swallowed = once(proxy, 'request-blackholed') as Promise<[RequestEvent]>
    const sent = producer.send({ topic: 'cp-hole', partition: 0, value: 'second' })
    assert.equal((await swallowed)[0].apiKey, ApiKey.Produce)
    await proxy.heal()
    assert.equal((await sent).offset, 1n)
    assert.ok(proxy.stats.blackholed >= 1)
    assert.deepEqual((await kcatRead(cluster.bootstrap, 'cp-hole', 0)).map((r) => r.value), ['first', 'second'])
  })

  test('steadfast Producer across reset(): the next sends reconnect and every record is stored once', async (t) => {
    await cluster.createTopic({ name: 'cp-reset', partitions: 1 })
    const proxy = await startProxy(t, cluster.bootstrap)
    const producer = new Producer({ bootstrap: proxy.bootstrap, logger: silent, lingerMs: 0, requestTimeoutMs: 10_000, deliveryTimeoutMs: 20_000 })
    t.after(() => producer.close())
    await producer.send({ topic: 'cp-reset', partition: 0, value: 'before' })
    const connectionsBefore = proxy.stats.connections
    await proxy.reset()
    assert.equal(proxy.stats.openConnections, 0)
    await producer.send({ topic: 'cp-reset', partition: 0, value: 'after' })
    assert.ok(proxy.stats.connections > connectionsBefore, 'the producer opened new connections')
    assert.deepEqual((await kcatRead(cluster.bootstrap, 'cp-reset', 0)).map((r) => r.value), ['before', 'after'])
  })

  test('setLatency: a request to the slowed broker takes at least the latency', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const broker = proxy.brokers[0]
    assert.ok(broker !== undefined)
    const connection = await open(t, broker)
    await proxy.setLatency(300, { brokerId: broker.id })
    const started = performance.now()
    const body = await send(connection, apis.Metadata, 4, METADATA_NO_TOPICS)
    assert.ok(performance.now() - started >= 300, 'answered before the latency had passed')
    assert.equal(body.brokers.length, 3)
    await assert.rejects(proxy.setLatency(-1), /ms must be an integer >= 0/)
    await assert.rejects(proxy.setLatency(10, { brokerId: 99 }), /broker 99 is not known to the proxy/)
  })

  test('dropNextAnswer on Produce: the producer retries the lost batch with the same producer id, epoch and sequence', async (t) => {
    await cluster.createTopic({ name: 'cp-lost-answer', partitions: 1 })
    const proxy = await startProxy(t, cluster.bootstrap)
    const producer = new Producer({ bootstrap: proxy.bootstrap, logger: silent, lingerMs: 0, idempotent: true, acks: 'all', requestTimeoutMs: 10_000, deliveryTimeoutMs: 20_000 })
    t.after(() => producer.close())
    await producer.send({ topic: 'cp-lost-answer', partition: 0, value: 'warm-up' })
    await proxy.dropNextAnswer({ apiKey: ApiKey.Produce })
    const dropped = once(proxy, 'answer-dropped') as Promise<[RequestEvent]>
    const delivered = await producer.send({ topic: 'cp-lost-answer', partition: 0, value: 'lost-answer' })
    const [event] = await dropped
    assert.equal(event.apiKey, ApiKey.Produce)
    assert.equal(delivered.partition, 0)
    assert.equal(proxy.stats.droppedAnswers, 1)
    assert.equal(proxy.stats.requests[ApiKey.Produce], 3, 'warm-up, the lost one, its retry')
    // The broker processed the lost request: its batch is stored, and the retry is the same batch.
    // librdkafka's mock does not deduplicate by sequence and stores it twice; real Kafka stores it
    // once (real.test.ts checks that).
    const batches = await fetchBatches(cluster.bootstrap, 'cp-lost-answer', 0)
    const [, lost, retry] = batches.map((b) => ({ producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence }))
    assert.deepEqual(retry, lost)
    assert.equal(lost?.baseSequence, 1)
    assert.deepEqual((await kcatRead(cluster.bootstrap, 'cp-lost-answer', 0)).map((r) => r.value), ['warm-up', 'lost-answer', 'lost-answer'])
  })

  test('a broker added upstream gets its own listener once an answer names it', async (t) => {
    const proxy = await startProxy(t, cluster.bootstrap)
    const added = await cluster.addBroker(4)
    t.after(() => cluster.decommissionBroker(4))
    const md = await metadata(proxy.bootstrap)
    const four = proxy.brokers.find((b) => b.id === 4)
    assert.equal(four?.upstream, `${added.host}:${added.port}`)
    assert.deepEqual(md.brokers.find((b) => b.id === 4)?.name, `127.0.0.1:${four?.port}`)
  })
})
