/**
 * Issue 9 §4.4: version negotiation against Apache Kafka 3.9.2 and 4.3.1, one cluster after the
 * other. On each: the ApiVersions exchange, then a representative admin and idempotent-producer
 * flow; then, for every API steadfast speaks, the version negotiated with each broker must lie in
 * the broker's advertised range and, on 4.x, at or above the KIP-896 minimum. Kafka 4 closes the
 * connection on a version it dropped: a raw Produce v2 shows it does (and how the broker logs it),
 * and the flow must cause no such close. The versions are printed side by side.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Admin } from '../../src/admin/admin.ts'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { negotiateAll, type NegotiatedApi } from '../../src/cluster/versions.ts'
import { Connection } from '../../src/network/connection.ts'
import { Producer } from '../../src/producer/producer.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { decodeResponse, encodeRequest } from '../../src/protocol/framing.ts'
import { registry } from '../../src/observability/metrics.ts'
import { kcatRead, silent } from '../producer/helpers.ts'
import { audit, keyOf, type SentRecord } from './delivery-audit.ts'
import { eventually } from './eventually.ts'
import { KIP_896_MINIMUM } from './kip-896.ts'
import { realClusterSuite, unique } from './suite.ts'

const run = promisify(execFile)
const negotiated = new Map<string, NegotiatedApi[]>()
const CLOSED_ON_VERSION = /invalid request|unsupported version|not supported/i

async function transportRetries (): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_retries_total')?.get()
  return (metric?.values ?? []).filter((v) => /^(eof|econnreset|epipe|econnrefused|econnclosed)$/i.test(String(v.labels.reason))).reduce((n, v) => n + v.value, 0)
}

for (const version of ['3.9', '4'] as const) {
  describe(`Kafka ${version}: version negotiation and a representative flow`, { timeout: 300_000 }, () => {
    const suite = realClusterSuite({ brokers: 1, kafkaVersion: version })
    const brokerLog = (): string => suite.cluster.brokerLogs(1)

    test('ApiVersions: the newest version steadfast speaks is answered; every negotiated version is in the broker\'s range (and ≥ the KIP-896 minimum on 4.x)', async () => {
      const { cluster } = suite
      const broker = cluster.brokers[0]
      assert.ok(broker !== undefined)
      const connection = await BrokerConnection.open({ nodeId: broker.id, host: broker.host, port: broker.port }, { logger: silent })
      try {
        assert.equal(connection.apiVersionsVersion, apis.ApiVersions.maxVersion, 'no UNSUPPORTED_VERSION round trip')
        const table = negotiateAll(connection.versions)
        negotiated.set(cluster.kafkaVersion, table)
        for (const entry of table) {
          if (entry.broker === undefined) {
            assert.equal(entry.version, undefined)
            continue
          }
          assert.ok(entry.version !== undefined, `${entry.api}: offered ${entry.broker.min}-${entry.broker.max}, steadfast speaks ${entry.client.min}-${entry.client.max}, nothing negotiated`)
          assert.ok(entry.version >= entry.broker.min && entry.version <= entry.broker.max, `${entry.api} v${entry.version} is in the broker's range ${entry.broker.min}-${entry.broker.max}`)
          if (cluster.kafkaVersion.startsWith('4.')) {
            assert.ok(entry.version >= (KIP_896_MINIMUM[entry.api] ?? 0), `${entry.api} v${entry.version} is not one KIP-896 removed`)
          }
        }
        assert.deepEqual(table.filter((e) => e.broker === undefined).map((e) => e.api), [], 'the broker offers every API steadfast speaks')
      } finally {
        connection.close()
      }
    })

    test('`steadfast cluster info --output json` reports the same negotiated versions', async () => {
      const { cluster } = suite
      const { stdout } = await run('bin/steadfast', ['cluster', 'info', '--bootstrap', cluster.bootstrap, '--output', 'json'], { timeout: 60_000 })
      const info = JSON.parse(stdout) as { clusterId: string, brokers: Array<{ id: number, apis?: NegotiatedApi[] }> }
      assert.equal(info.clusterId, (await cluster.describeCluster()).clusterId)
      assert.deepEqual(info.brokers.map((b) => [b.id, b.apis]), [[1, negotiated.get(cluster.kafkaVersion)]])
    })

    test('admin and idempotent producer flow: data read back by kcat; no connection closed over a version', async () => {
      const { cluster } = suite
      const topic = unique('versions')
      const group = unique('versions-group')
      const logBefore = brokerLog().length
      const retriesBefore = await transportRetries()
      const admin = suite.closeAfter(new Admin({ bootstrap: cluster.bootstrap, logger: silent }))
      const producer = suite.closeAfter(new Producer({ bootstrap: cluster.bootstrap, logger: silent }))

      await admin.createTopics([{ name: topic, partitions: 2, replicationFactor: 1, configs: { 'retention.ms': '600000' } }])
      assert.deepEqual((await admin.describeTopics([topic]))[0]?.partitions.map((p) => p.partition), [0, 1])
      const configs = (await admin.describeConfigs([{ type: 'topic', name: topic, keys: ['retention.ms'] }])).get(`topic:${topic}`)
      assert.deepEqual(configs?.map((c) => [c.name, c.value]), [['retention.ms', '600000']])
      const sent: SentRecord[] = []
      await Promise.all(Array.from({ length: 200 }, async (_, i) => {
        const record: SentRecord = { partition: i % 2, seq: Math.floor(i / 2), ackedOffset: undefined }
        sent.push(record)
        record.ackedOffset = (await producer.send({ topic, partition: record.partition, key: keyOf(record.partition, record.seq), value: `v${i}` })).offset
      }))
      const logs = new Map([0, 1].map((p) => [p, [] as Array<{ offset: number, key: string | null }>]))
      for (const p of [0, 1]) logs.set(p, (await kcatRead(cluster.bootstrap, topic, p)).map((r) => ({ offset: r.offset, key: r.key })))
      const report = audit(sent, logs)
      assert.deepEqual(report, { sent: 200, acked: 200, readBack: 200, duplicates: 0, lost: 0, unackedPresent: 0, outOfOrder: 0, offsetMismatches: 0, foreign: 0 })
      assert.deepEqual((await admin.listOffsets([{ topic }], 'latest')).map((o) => [o.partition, o.offset]), [[0, 100n], [1, 100n]])

      await admin.alterConsumerGroupOffsets(group, [{ topic, partition: 0, offset: 40 }, { topic, partition: 1, offset: 60 }])
      assert.deepEqual((await admin.listConsumerGroupOffsets(group)).get(group)?.map((o) => [o.partition, o.offset]), [[0, 40n], [1, 60n]])
      assert.deepEqual((await admin.consumerGroupLag(group)).map((l) => [l.partition, l.lag]), [[0, 60n], [1, 40n]])
      assert.equal((await admin.describeGroups([group]))[0]?.state, 'Empty')
      assert.ok((await admin.listGroups()).some((g) => g.groupId === group))
      assert.deepEqual(await admin.deleteRecords([{ topic, partition: 1, offset: 10 }]), [{ topic, partition: 1, lowWatermark: 10n }])
      await admin.deleteGroups([group])
      await admin.deleteTopics([topic])
      assert.equal((await admin.describeCluster()).brokers.length, 1)

      assert.equal(await transportRetries() - retriesBefore, 0, 'no connection was lost during the flow')
      assert.doesNotMatch(brokerLog().slice(logBefore), CLOSED_ON_VERSION, 'the broker refused no request version')
      for (const nodeId of (await admin.cluster.metadata()).brokers.keys()) {
        assert.deepEqual(negotiateAll((await admin.cluster.connection(nodeId)).versions), negotiated.get(cluster.kafkaVersion), `broker ${nodeId}: the client's pooled connection negotiated the same`)
      }
    })

    test('a raw Produce v2: Kafka 4 closes the connection (KIP-896) and logs it; 3.9 still answers', async () => {
      const { cluster } = suite
      const broker = cluster.brokers[0]
      assert.ok(broker !== undefined)
      const connection = await Connection.connect({ host: broker.host, port: broker.port, label: 'raw', logger: silent, requestTimeoutMs: 10_000 })
      const logBefore = brokerLog().length
      try {
        const outcome = await connection.send({
          label: 'Produce v2',
          encode: (correlationId) => encodeRequest(apis.Produce, 2, { correlationId, clientId: 'kip-896-probe' }, { acks: 1, timeoutMs: 1000, topicData: [] }),
          decode: (frame) => decodeResponse(apis.Produce, 2, frame).body,
        }).then(() => 'answered', (error: unknown) => `failed: ${String(error)}`)
        if (cluster.kafkaVersion.startsWith('4.')) {
          assert.match(outcome, /failed: .*closed by the broker \(EOF\)/)
          // The broker logs asynchronously: wait for the line. (This probe runs after the flow test,
          // so its log lines cannot be mistaken for a refusal of the flow's requests.)
          const logged = await eventually(async () => {
            const text = brokerLog().slice(logBefore)
            assert.match(text, CLOSED_ON_VERSION, 'the broker logs why it closed the connection')
            return text
          })
          console.log(`# Kafka ${cluster.kafkaVersion} on Produce v2: ${outcome}; log: ${logged.split('\n').find((l) => CLOSED_ON_VERSION.test(l)) ?? '(nothing matching)'}`)
        } else {
          assert.equal(outcome, 'answered')
        }
      } finally {
        connection.close()
      }
    })
  })
}

after(() => {
  const versions = [...negotiated.keys()]
  const rows = (negotiated.get(versions[0] ?? '') ?? []).map((entry) => {
    const cells = versions.map((v) => {
      const e = negotiated.get(v)?.find((x) => x.api === entry.api)
      return e?.broker === undefined ? '-' : `v${String(e.version)} (${e.broker.min}-${e.broker.max})`
    })
    return `# ${entry.api.padEnd(28)} ${`${entry.client.min}-${entry.client.max}`.padEnd(9)} ${cells.map((c) => c.padEnd(16)).join(' ')}`
  })
  console.log(`# ${'API'.padEnd(28)} ${'steadfast'.padEnd(9)} ${versions.map((v) => `Kafka ${v}`.padEnd(16)).join(' ')}   (negotiated (broker range))`)
  for (const row of rows) console.log(row)
})
