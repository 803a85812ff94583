/**
 * Issue 9 §4.5: TLS + SCRAM-SHA-512 and SCRAM-SHA-256 against the real broker's SASL_SSL listener
 * (Kafka 4.3.1 and 3.9.2): admin calls and idempotent produce over it, the data read back by kcat
 * on the PLAINTEXT listener. A wrong password fails with a clear authentication error after one
 * connection attempt: counted by a pass-through proxy and by the broker's "Failed authentication"
 * log lines — no retry storm, for the admin client and for the producer.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Admin } from '../../src/admin/admin.ts'
import { AdminError } from '../../src/admin/errors.ts'
import type { SaslOptions } from '../../src/cluster/broker-connection.ts'
import { SaslAuthenticationError } from '../../src/network/sasl/scram.ts'
import { Producer } from '../../src/producer/producer.ts'
import { kcatRead, silent } from '../producer/helpers.ts'
import { CountingProxy } from './counting-proxy.ts'
import { audit, keyOf, type SentRecord } from './delivery-audit.ts'
import { eventually } from './eventually.ts'
import { realClusterSuite, unique } from './suite.ts'

const MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const

/** The cause chain of an error, outermost first. */
function causes (error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let e = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) chain.push(e)
  return chain
}

for (const version of ['4', '3.9'] as const) {
  describe(`TLS + SCRAM against Kafka ${version}'s SASL_SSL listener`, { timeout: 300_000 }, () => {
    const suite = realClusterSuite({ brokers: 1, kafkaVersion: version, sasl: true })
    const security = (sasl: Partial<SaslOptions> = {}): { tls: { ca: Buffer }, sasl: SaslOptions } => ({
      tls: { ca: readFileSync(suite.cluster.caFile as string) },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'steadfast', password: suite.cluster.saslUsers?.steadfast ?? '', ...sasl },
    })
    const failedAuthentications = (): number => (suite.cluster.brokerLogs(1).match(/Failed authentication with/g) ?? []).length

    for (const mechanism of MECHANISMS) {
      test(`${mechanism}: admin calls and idempotent produce over TLS; kcat reads the records back`, async () => {
        const { cluster } = suite
        const topic = unique(`sasl-${mechanism.toLowerCase()}`)
        const options = { bootstrap: cluster.saslBootstrap, logger: silent, ...security({ mechanism }) }
        const admin = suite.closeAfter(new Admin(options))
        const description = await admin.describeCluster()
        assert.deepEqual(description.brokers.map((b) => [b.nodeId, b.port]), cluster.brokers.map((b) => [b.id, b.saslPort]), 'the SASL_SSL listener advertises its own endpoints')
        await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }])
        const producer = suite.closeAfter(new Producer(options))
        const sent: SentRecord[] = Array.from({ length: 50 }, (_, seq) => ({ partition: 0, seq, ackedOffset: undefined }))
        await Promise.all(sent.map(async (record) => {
          record.ackedOffset = (await producer.send({ topic, partition: 0, key: keyOf(0, record.seq), value: mechanism })).offset
        }))
        const log = (await kcatRead(cluster.bootstrap, topic, 0)).map((r) => ({ offset: r.offset, key: r.key }))
        assert.deepEqual(audit(sent, new Map([[0, log]])), { sent: 50, acked: 50, readBack: 50, duplicates: 0, lost: 0, unackedPresent: 0, outOfOrder: 0, offsetMismatches: 0, foreign: 0 })
      })
    }

    test('a wrong password: the admin call fails at once with the broker\'s authentication error, after one connection', async () => {
      const { cluster } = suite
      const proxy = suite.closeAfter(await CountingProxy.start({ host: '127.0.0.1', port: cluster.brokers[0]?.saslPort ?? 0 }))
      const before = failedAuthentications()
      const admin = suite.closeAfter(new Admin({ bootstrap: proxy.address, logger: silent, ...security({ password: 'not-the-password' }) }))
      const error = await admin.describeCluster({ timeoutMs: 20_000 }).catch((e: unknown) => e)
      assert.ok(error instanceof AdminError, String(error))
      assert.equal(error.attempts, 1)
      assert.equal(error.action, 'fatal')
      const sasl = causes(error).find((e) => e instanceof SaslAuthenticationError)
      assert.ok(sasl instanceof SaslAuthenticationError, `an authentication error in the causes: ${String(error)}`)
      assert.match(sasl.message, /SASL SCRAM-SHA-512 authentication as steadfast to .* failed: .*invalid credentials/)
      await eventually(async () => { assert.ok(failedAuthentications() > before, 'the broker logged the failure') })
      assert.equal(failedAuthentications() - before, 1, 'the broker saw one failed authentication')
      assert.equal(proxy.connections, 1, 'one connection: no retry')
    })

    test('a wrong password: the producer\'s send fails with the authentication error, after one connection', async () => {
      const { cluster } = suite
      const proxy = suite.closeAfter(await CountingProxy.start({ host: '127.0.0.1', port: cluster.brokers[0]?.saslPort ?? 0 }))
      const before = failedAuthentications()
      const producer = suite.closeAfter(new Producer({ bootstrap: proxy.address, logger: silent, maxBlockMs: 20_000, ...security({ password: 'not-the-password' }) }))
      const startedAt = Date.now()
      const error = await producer.send({ topic: unique('never'), value: 'x' }).catch((e: unknown) => e)
      console.log(`# Kafka ${cluster.kafkaVersion}: producer send with a wrong password failed after ${Date.now() - startedAt} ms, ${proxy.connections} connection(s): ${String(error)}`)
      assert.ok(causes(error).some((e) => e instanceof SaslAuthenticationError), `an authentication error in the causes: ${String(error)}`)
      await eventually(async () => { assert.ok(failedAuthentications() > before, 'the broker logged the failure') })
      assert.equal(failedAuthentications() - before, 1, 'the broker saw one failed authentication')
      assert.equal(proxy.connections, 1, 'one connection: no retry')
    })
  })
}
