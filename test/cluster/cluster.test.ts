/**
 * The cluster layer against a real third-party broker: librdkafka's mock cluster (testkit).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Cluster } from '../../src/cluster/cluster.ts'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { UnsupportedApiError } from '../../src/cluster/errors.ts'
import type { BrokerChanges } from '../../src/cluster/metadata.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { TransportError } from '../../src/resilience/errors.ts'
import { classify } from '../../src/resilience/classify.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { ApiKey, TRANSPORT_ERROR } from '../../src/testkit/mock-cluster/api-keys.ts'

const logger = createLogger({ level: 'silent' })

describe('cluster against the librdkafka mock cluster', { timeout: 60_000 }, () => {
  let mock: MockCluster
  const clients: Cluster[] = []
  const client = (bootstrap?: string): Cluster => {
    const c = new Cluster({ bootstrap: bootstrap ?? mock.bootstrap, logger, requestTimeoutMs: 5_000, connectTimeoutMs: 2_000 })
    clients.push(c)
    return c
  }

  before(async () => {
    mock = await MockCluster.start({ brokers: 3, topics: [{ name: 'orders', partitions: 3, replicationFactor: 3 }] })
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await mock.stop()
  })

  test('negotiates versions per broker: the highest both sides speak, ApiVersions falling back from v4', async () => {
    const b = mock.brokers[0]!
    const connection = await BrokerConnection.open({ nodeId: b.id, host: b.host, port: b.port }, { logger })
    try {
      assert.equal(connection.versionFor(apis.ApiVersions), 2)
      assert.equal(connection.versionFor(apis.Metadata), 12)
      assert.equal(connection.versionFor(apis.Produce), Math.min(10, apis.Produce.maxVersion))
      assert.equal(connection.versionFor(apis.FindCoordinator), 3)
      assert.equal(connection.versionFor(apis.Metadata, 4), 4)
    } finally {
      connection.close()
    }
  })

  test('an API the broker lacks is a clear error naming the API and the broker', async () => {
    const b = mock.brokers[1]!
    const connection = await BrokerConnection.open({ nodeId: b.id, host: b.host, port: b.port }, { logger })
    try {
      const error = await connection.request(apis.CreateTopics, { topics: [] }).catch((e: unknown) => e)
      assert.ok(error instanceof UnsupportedApiError)
      assert.equal(error.apiName, 'CreateTopics')
      assert.match(error.message, new RegExp(`CreateTopics is not supported by broker ${b.id} \\(127\\.0\\.0\\.1:${b.port}\\)`))
      assert.equal(classify(error).action, 'fatal')
    } finally {
      connection.close()
    }
  })

  test('metadata lists brokers, topics, partitions, leaders and replicas', async () => {
    const metadata = await client().metadata(['orders'])
    assert.deepEqual([...metadata.brokers.keys()].sort(), [1, 2, 3])
    for (const b of mock.brokers) assert.equal(metadata.brokers.get(b.id)?.port, b.port)
    const orders = metadata.topics.get('orders')
    assert.equal(orders?.errorCode, 0)
    assert.deepEqual(orders?.partitions.map((p) => p.partition), [0, 1, 2])
    for (const p of orders?.partitions ?? []) {
      assert.ok([1, 2, 3].includes(p.leader))
      assert.deepEqual([...p.replicas].sort(), [1, 2, 3])
    }
    assert.ok(typeof metadata.clusterId === 'string' && metadata.clusterId.length > 0)
  })

  test('an older broker (versions restricted by the mock) is spoken to at older versions', async () => {
    await mock.setApiVersion(ApiKey.Metadata, 0, 4)
    try {
      const c = client()
      const metadata = await c.refreshMetadata(['orders'])
      assert.equal(metadata.topics.get('orders')?.partitions.length, 3)
      const connection = await c.anyConnection()
      assert.equal(connection.versionFor(apis.Metadata), 4)
    } finally {
      await mock.setApiVersion(ApiKey.Metadata, 0, 12)
    }
  })

  test('a leader move shows in refreshed metadata', async () => {
    const c = client()
    await mock.setPartitionLeader('orders', 0, 2)
    assert.equal((await c.refreshMetadata(['orders'])).topics.get('orders')?.partitions[0]?.leader, 2)
    await mock.setPartitionLeader('orders', 0, 3)
    assert.equal((await c.refreshMetadata(['orders'])).topics.get('orders')?.partitions[0]?.leader, 3)
    assert.equal((await c.leaderConnection('orders', 0)).endpoint.nodeId, 3)
    await mock.setPartitionLeader('orders', 0, -1)
    await assert.rejects(c.refreshMetadata(['orders']).then(() => c.leaderConnection('orders', 0)), /LEADER_NOT_AVAILABLE/)
    await mock.setPartitionLeader('orders', 0, 1)
  })

  test('a changed broker endpoint is detected, its connection dropped and the new address used', async () => {
    const c = client()
    await c.refreshMetadata()
    const before = await c.connection(1)
    const events: BrokerChanges[] = []
    c.on('brokers-changed', (change) => events.push(change))
    const port = mock.brokers[0]!.port
    await mock.setBrokerAdvertisedListener(1, 'localhost', port)
    try {
      await c.refreshMetadata()
      assert.equal(events.length, 1)
      assert.deepEqual(events[0]?.changed.map((ch) => [ch.after.nodeId, ch.before.host, ch.after.host]), [[1, '127.0.0.1', 'localhost']])
      assert.ok(before.closed, 'the connection to the old endpoint was closed')
      const after = await c.connection(1)
      assert.equal(after.endpoint.host, 'localhost')
      assert.equal((await after.request(apis.Metadata, { topics: [] })).body.brokers.length, 3)
    } finally {
      await mock.setBrokerAdvertisedListener(1, '127.0.0.1', port)
    }
  })

  test('learnBrokers (KIP-951 nodeEndpoints) adds a broker metadata does not know, never moves a known one, and the next full metadata answer is the authority again', async () => {
    const c = client()
    await c.refreshMetadata()
    const known = c.cachedMetadata?.brokers.get(1)
    assert.deepEqual(c.learnBrokers([{ nodeId: 1, host: '10.255.255.1', port: 1 }]), [], 'a known broker keeps its metadata endpoint')
    assert.deepEqual(c.cachedMetadata?.brokers.get(1), known)
    const events: BrokerChanges[] = []
    c.on('brokers-changed', (change) => events.push(change))
    // Node 7 at broker 2's real address: a leader the metadata has not named yet.
    const { host, port } = mock.brokers[1] as { host: string, port: number }
    assert.deepEqual(c.learnBrokers([{ nodeId: 7, host, port, rack: null }, { nodeId: -1, host, port }]), [7])
    assert.deepEqual(events.map((e) => e.added.map((b) => b.nodeId)), [[7]])
    const learned = await c.connection(7)
    assert.equal(learned.endpoint.port, port)
    assert.equal((await learned.request(apis.Metadata, { topics: [] })).body.brokers.length, 3, 'the learned endpoint answers')
    await c.refreshMetadata()
    assert.equal(c.cachedMetadata?.brokers.has(7), false, 'dropped again by a Metadata answer without it')
  })

  test('a rack change is reported but keeps the connection', async () => {
    const c = client()
    await c.refreshMetadata()
    const connection = await c.connection(3)
    const events: BrokerChanges[] = []
    c.on('brokers-changed', (change) => events.push(change))
    await mock.setBrokerRack(3, 'rack-b')
    await c.refreshMetadata()
    assert.deepEqual(events.map((e) => e.changed.map((ch) => [ch.after.nodeId, ch.after.rack])), [[[3, 'rack-b']]])
    assert.equal(connection.closed, false)
    assert.equal(await c.connection(3), connection)
  })

  test('a downed broker refuses connections; another broker serves metadata', async () => {
    const c = client()
    await c.refreshMetadata()
    await mock.brokerDown(2)
    try {
      const error = await c.connection(2).catch((e: unknown) => e)
      assert.ok(error instanceof TransportError)
      assert.equal(classify(error).action, 'reconnect')
      // librdkafka 2.15's mock also leaves a downed broker out of its metadata answers.
      const metadata = await c.refreshMetadata()
      assert.ok(metadata.brokers.has(1) && metadata.brokers.has(3))
    } finally {
      await mock.brokerUp(2)
    }
    assert.equal((await c.connection(2)).endpoint.nodeId, 2)
  })

  test('the coordinator is found, cached, and found again after invalidation when it moves', async () => {
    const c = client()
    await mock.setCoordinator('group', 'payments', 2)
    assert.equal((await c.coordinator('group', 'payments')).endpoint.nodeId, 2)
    await mock.setCoordinator('group', 'payments', 3)
    assert.equal((await c.coordinator('group', 'payments')).endpoint.nodeId, 2, 'cached until invalidated')
    c.invalidateCoordinator('group', 'payments')
    assert.equal((await c.coordinator('group', 'payments')).endpoint.nodeId, 3)
  })

  test('dead bootstrap entries are skipped; with none alive the error names every address tried', async () => {
    const alive = mock.brokers[2]!
    const c = client(`127.0.0.1:1,127.0.0.1:${alive.port}`)
    assert.equal((await c.refreshMetadata()).brokers.size, 3)
    const dead = client('127.0.0.1:1,127.0.0.1:2')
    const error = await dead.refreshMetadata().catch((e: unknown) => e)
    assert.ok(error instanceof TransportError)
    assert.match(error.message, /no broker reachable; tried 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\); 127\.0\.0\.1:2/)
    dead.setBootstrap(mock.bootstrap)
    assert.equal((await dead.refreshMetadata()).brokers.size, 3)
  })

  test('a connection dropped by the broker fails the request with a reconnect-class error, and the next one reconnects', async () => {
    const c = client()
    await c.refreshMetadata()
    await mock.pushRequestErrors(ApiKey.Metadata, [TRANSPORT_ERROR])
    const error = await c.refreshMetadata().catch((e: unknown) => e)
    assert.ok(error instanceof TransportError, `got ${String(error)}`)
    assert.equal(classify(error).action, 'reconnect')
    assert.equal((await c.refreshMetadata()).brokers.size, 3)
  })
})
