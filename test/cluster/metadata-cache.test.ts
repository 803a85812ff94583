/**
 * The metadata cache and the connection pool against librdkafka's mock cluster, with the mock's
 * request tracking as the witness of what the client asked: metadata served from the cache until
 * it is older than the max age, partial answers that never stand in for "every topic", a full
 * answer that drops deleted topics, and one connection open shared by concurrent callers.
 */
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Cluster } from '../../src/cluster/cluster.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'

const logger = createLogger({ level: 'silent' })

describe('metadata cache and connection pool against the librdkafka mock cluster', { timeout: 60_000 }, () => {
  let mock: MockCluster
  const clients: Cluster[] = []
  const client = (clock?: FakeClock): Cluster => {
    const c = new Cluster({ bootstrap: mock.bootstrap, logger, metadataMaxAgeMs: 60_000, ...(clock === undefined ? {} : { clock }) })
    clients.push(c)
    return c
  }
  /** How many requests of `apiKey` the brokers received since the test began. */
  const received = async (apiKey: number): Promise<number> => (await mock.getRequests()).filter((r) => r.apiKey === apiKey).length
  const topicNames = (c: Cluster): string[] => [...(c.cachedMetadata?.topics.keys() ?? [])].sort()

  before(async () => {
    mock = await MockCluster.start({ brokers: 3, topics: [{ name: 'orders', partitions: 3, replicationFactor: 3 }] })
    await mock.startRequestTracking()
  })
  beforeEach(async () => { await mock.clearRequests() })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await mock.stop()
  })

  test('metadata is served from the cache until it is older than the max age, and refreshed on demand', async () => {
    const clock = new FakeClock()
    const c = client(clock)
    await c.metadata()
    await c.metadata()
    assert.equal(await received(ApiKey.Metadata), 1)
    await clock.advance(59_000)
    await c.metadata()
    assert.equal(await received(ApiKey.Metadata), 1, 'younger than the max age: from the cache')
    await clock.advance(2_000)
    await c.metadata()
    assert.equal(await received(ApiKey.Metadata), 2, 'older than the max age: asked again')
    await c.refreshMetadata()
    assert.equal(await received(ApiKey.Metadata), 3, 'on demand')
    await c.metadata(['not-cached'])
    assert.equal(await received(ApiKey.Metadata), 4, 'a topic the cache does not know is asked for')
  })

  test('a partial answer keeps the other topics but never stands in for "every topic"; a full answer drops deleted ones', async () => {
    await mock.createTopic({ name: 'doomed', partitions: 1, replicationFactor: 1 })
    await mock.createTopic({ name: 'kept', partitions: 2, replicationFactor: 1 })
    const c = client()
    await c.metadata(['kept'])
    assert.deepEqual(topicNames(c), ['kept'])
    await c.metadata()
    assert.equal(await received(ApiKey.Metadata), 2, 'an all-topics question is asked, not answered from the partial cache')
    assert.deepEqual(topicNames(c), ['doomed', 'kept', 'orders'])
    await mock.deleteTopic('doomed')
    await c.refreshMetadata(['kept'])
    assert.deepEqual(topicNames(c), ['doomed', 'kept', 'orders'], 'a partial answer says nothing about the topics it was not asked about')
    await c.refreshMetadata()
    assert.deepEqual(topicNames(c), ['kept', 'orders'], 'the full answer no longer names the deleted topic, so neither does the cache')
  })

  test('concurrent callers share one connection open; a dead connection is replaced once; close closes it', async () => {
    const b = mock.brokers[0]!
    const c = client()
    const endpoint = { nodeId: b.id, host: b.host, port: b.port }
    const connections = await Promise.all([c.connectionTo(endpoint), c.connectionTo(endpoint), c.connectionTo(endpoint)])
    assert.equal(new Set(connections).size, 1)
    // The mock speaks ApiVersions up to v2: the first open asks v4, is refused, and asks v2 (two
    // requests); later opens of the address ask v2 at once, so there one request is one open.
    assert.equal(await received(ApiKey.ApiVersions), 2, 'one open for three callers')
    connections[0]!.close()
    const again = await Promise.all([c.connectionTo(endpoint), c.connectionTo(endpoint)])
    assert.equal(new Set(again).size, 1)
    assert.notEqual(again[0], connections[0])
    assert.equal(await received(ApiKey.ApiVersions), 3, 'a dead connection is replaced once, not once per caller')
    await c.close()
    assert.ok(again[0]!.closed)
  })
  test('freshTopic answers from the cache while the topic\'s answer is younger than the max age, without asking', async () => {
    const clock = new FakeClock()
    const c = client(clock)
    assert.equal(c.freshTopic('orders'), undefined, 'never described: nothing cached')
    await c.metadata(['orders'])
    assert.deepEqual(c.freshTopic('orders')?.partitions.map((p) => p.partition), [0, 1, 2])
    await clock.advance(59_000)
    assert.equal(c.freshTopic('orders')?.name, 'orders')
    await clock.advance(2_000)
    assert.equal(c.freshTopic('orders'), undefined, 'older than the max age')
    await c.metadata(['missing'])
    assert.equal(c.freshTopic('missing'), undefined, 'an answer with an error code is not usable')
    assert.equal(await received(ApiKey.Metadata), 2, 'freshTopic itself never asked')
  })

  test('concurrent refreshes of the same topics share one request; other topics get their own', async () => {
    const c = client()
    await c.metadata()
    await mock.clearRequests()
    const answers = await Promise.all([c.refreshMetadata(['orders']), c.refreshMetadata(['orders']), c.refreshMetadata(['orders'])])
    assert.equal(await received(ApiKey.Metadata), 1)
    assert.ok(answers.every((a) => a === answers[0]), 'every caller got the one answer')
    await Promise.all([c.refreshMetadata(['orders']), c.refreshMetadata(['other']), c.refreshMetadata()])
    assert.equal(await received(ApiKey.Metadata), 4)
  })

  test('leaderConnection takes a fresh answer as it is: a topic answered with an error fails without asking again', async () => {
    await mock.createTopic({ name: 'electing', partitions: 1, replicationFactor: 1 })
    const c = client()
    await mock.setTopicError('electing', 5)
    await c.refreshMetadata(['electing'])
    await mock.clearRequests()
    await assert.rejects(c.leaderConnection('electing', 0), /LEADER_NOT_AVAILABLE/)
    assert.equal(await received(ApiKey.Metadata), 0, 'the fresh answer was used; the caller\'s retry loop refreshes')
    await mock.setTopicError('electing', 0)
    await c.refreshMetadata(['electing'])
    assert.ok(Number.isInteger((await c.leaderConnection('electing', 0)).endpoint.nodeId))
  })
})
