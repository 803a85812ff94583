/**
 * Version negotiation and the metadata cache, against scripted brokers whose offers the test
 * chooses (the mock's ApiVersions answer is fixed): brokers of different Kafka versions in one
 * cluster, a broker that answers UNSUPPORTED_VERSION with the version it speaks, and metadata
 * refreshed by age and on demand.
 */
import { afterEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { Cluster } from '../../src/cluster/cluster.ts'
import { pickVersion } from '../../src/cluster/versions.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import { ScriptedBroker } from '../support/scripted-broker.ts'

const logger = createLogger({ level: 'silent' })
const brokers: ScriptedBroker[] = []
afterEach(async () => { await Promise.all(brokers.splice(0).map((b) => b.stop())) })

async function broker (...args: ConstructorParameters<typeof ScriptedBroker>): Promise<ScriptedBroker> {
  const b = await new ScriptedBroker(...args).start()
  brokers.push(b)
  return b
}

test('each broker gets the highest version it and steadfast share: a mixed-version cluster works', async () => {
  const old = await broker([[apis.Produce.apiKey, 0, 7]], { apiVersionsMax: 2, metadata: [0, 7] })
  const recent = await broker([[apis.Produce.apiKey, 3, 11]], { metadata: [0, 12] })
  const a = await BrokerConnection.open({ nodeId: 1, host: '127.0.0.1', port: old.port }, { logger })
  const b = await BrokerConnection.open({ nodeId: 2, host: '127.0.0.1', port: recent.port }, { logger })
  assert.deepEqual([a.versionFor(apis.Metadata), a.versionFor(apis.Produce)], [7, 7])
  assert.deepEqual([b.versionFor(apis.Metadata), b.versionFor(apis.Produce)], [12, Math.min(11, apis.Produce.maxVersion)])
  a.close()
  b.close()
})

test('a broker that answers ApiVersions v4 with UNSUPPORTED_VERSION is asked again at the version it reports', async () => {
  const b = await broker([], { apiVersionsMax: 2 })
  const connection = await BrokerConnection.open({ nodeId: 1, host: '127.0.0.1', port: b.port }, { logger })
  assert.deepEqual(b.apiVersionsAsked, [apis.ApiVersions.maxVersion, 2])
  assert.equal(connection.apiVersionsVersion, 2)
  connection.close()
})

test('pickVersion: no common version means none', () => {
  assert.equal(pickVersion(apis.Produce, { min: 12, max: 20 }), undefined)
  assert.equal(pickVersion(apis.Produce, undefined), undefined)
  assert.equal(pickVersion(apis.Produce, { min: 0, max: 5 }), 5)
})

test('metadata is served from the cache until it is older than the max age, and refreshed on demand', async () => {
  const b = await broker([])
  const clock = new FakeClock()
  const cluster = new Cluster({ bootstrap: b.bootstrap, logger, clock, metadataMaxAgeMs: 60_000 })
  try {
    await cluster.metadata()
    await cluster.metadata()
    assert.equal(b.metadataRequests, 1)
    await clock.advance(59_000)
    await cluster.metadata()
    assert.equal(b.metadataRequests, 1)
    await clock.advance(2_000)
    await cluster.metadata()
    assert.equal(b.metadataRequests, 2, 'older than the max age: asked again')
    await cluster.refreshMetadata()
    assert.equal(b.metadataRequests, 3, 'on demand')
    await cluster.metadata(['not-cached'])
    assert.equal(b.metadataRequests, 4, 'a topic the cache does not know is asked for')
  } finally {
    await cluster.close()
  }
})

test('a partial refresh never stands in for "every topic", and a full refresh drops deleted topics', async () => {
  const b = await broker([])
  const cluster = new Cluster({ bootstrap: b.bootstrap, logger })
  try {
    await cluster.metadata(['a'])
    const before = b.metadataRequests
    await cluster.metadata()
    assert.equal(b.metadataRequests, before + 1, 'an all-topics question is asked, not answered from the partial cache')
    assert.equal(cluster.cachedMetadata?.topics.has('a'), false, 'the full answer (no topics) replaced the partial one')
  } finally {
    await cluster.close()
  }
})

test('concurrent callers share one connection open; close closes it', async () => {
  const b = await broker([], { apiVersionsMax: apis.ApiVersions.maxVersion })
  const cluster = new Cluster({ bootstrap: b.bootstrap, logger })
  const endpoint = { nodeId: 1, host: '127.0.0.1', port: b.port }
  const connections = await Promise.all([cluster.connectionTo(endpoint), cluster.connectionTo(endpoint), cluster.connectionTo(endpoint)])
  assert.equal(new Set(connections).size, 1)
  assert.equal(b.apiVersionsAsked.length, 1, 'one connection was opened')
  connections[0]!.close()
  const again = await Promise.all([cluster.connectionTo(endpoint), cluster.connectionTo(endpoint)])
  assert.equal(new Set(again).size, 1)
  assert.notEqual(again[0], connections[0])
  assert.equal(b.apiVersionsAsked.length, 2, 'a dead connection is replaced once, not once per caller')
  await cluster.close()
  assert.ok(again[0]!.closed)
})
