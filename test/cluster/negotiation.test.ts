/**
 * Version negotiation against scripted brokers whose offers the test chooses (the mock's
 * ApiVersions answer is fixed): brokers of different Kafka versions in one cluster, and a broker
 * that answers UNSUPPORTED_VERSION with the version it speaks. The metadata cache and the
 * connection pool are tested against the mock, in metadata-cache.test.ts.
 */
import { afterEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { pickVersion } from '../../src/cluster/versions.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { createLogger } from '../../src/observability/logger.ts'
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
