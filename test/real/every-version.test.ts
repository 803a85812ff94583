/**
 * Every version of the APIs on steadfast's data path, exchanged one by one with a real broker of
 * each pinned Kafka release (3.9.2 and 4.3.1), each answer's data checked: a record written at
 * every Produce version is read back by Kafka's own consumer; ListOffsets, Fetch, Metadata,
 * OffsetCommit/OffsetFetch, FindCoordinator, DescribeConfigs, DescribeCluster, InitProducerId and
 * ApiVersions answer the same facts at every version both sides speak. Middle versions are covered
 * here whether or not Kafka's message definitions are at hand for the conformance test.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import type { RequestBody, ResponseBody } from '../../src/protocol/messages.ts'
import { KafkaErrorCode } from '../../src/resilience/kafka-errors.ts'
import type { ApiDescriptor } from '../../src/protocol/descriptor.ts'
import { decodeRecordSet, encodeRecordBatch } from '../../src/protocol/records/index.ts'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'

const logger = createLogger({ level: 'silent' })
const TOPIC = 'every-version'
const GROUP = 'every-version-group'

/** Versions of `api` both steadfast and the broker speak, oldest first. */
function common (connection: BrokerConnection, api: ApiDescriptor, from = api.minVersion): number[] {
  const offered = connection.versions.get(api.apiKey)
  assert.ok(offered !== undefined, `the broker offers ${api.name}`)
  const versions: number[] = []
  for (let v = Math.max(from, offered.min); v <= Math.min(api.maxVersion, offered.max); v++) versions.push(v)
  assert.ok(versions.length > 0, `${api.name}: no version in common`)
  return versions
}

async function at<A extends ApiDescriptor> (connection: BrokerConnection, api: A, version: number, body: RequestBody<A> | ((v: number) => RequestBody<A>)): Promise<ResponseBody<A>> {
  const response = await connection.request(api, body, { maxVersion: version })
  assert.equal(response.version, version, `${api.name} went out at v${version}`)
  return response.body
}

for (const kafkaVersion of ['3.9', '4']) {
  describe(`every data-path API version against Kafka ${kafkaVersion}`, () => {
    let cluster: RealCluster
    let connection: BrokerConnection
    const produced: string[] = []

    before(async () => {
      cluster = await RealCluster.start({ brokers: 1, kafkaVersion, topics: [{ name: TOPIC, partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }] })
      const broker = cluster.brokers[0]
      assert.ok(broker !== undefined)
      connection = await BrokerConnection.open({ nodeId: broker.id, host: broker.host, port: broker.port }, { logger })
    })
    after(async () => {
      connection?.close()
      await cluster?.stop()
    })

    test('ApiVersions answers at every version with the same ranges', async () => {
      for (const v of common(connection, apis.ApiVersions)) {
        const body = await at(connection, apis.ApiVersions, v, { clientSoftwareName: 'steadfast', clientSoftwareVersion: '0' })
        assert.equal(body.errorCode, 0)
        const produce = body.apiKeys.find((k) => k.apiKey === apis.Produce.apiKey)
        assert.equal(produce?.maxVersion, connection.versions.get(apis.Produce.apiKey)?.max, `v${v}`)
      }
    })

    test('Produce: a keyed record at every version (record batches v2, from v3), each at the next offset, read back by Kafka\'s consumer', async () => {
      for (const v of common(connection, apis.Produce, 3)) {
        const value = `produce-v${v}`
        const batch = await encodeRecordBatch({ records: [{ key: `k${v}`, value, headers: [{ key: 'v', value: String(v) }] }], baseTimestamp: Date.now() - 1000 + v })
        const body = await at(connection, apis.Produce, v, { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }] })
        const result = body.responses[0]?.partitionResponses[0]
        assert.equal(result?.errorCode, 0, `v${v}`)
        assert.equal(result?.baseOffset, BigInt(produced.length), `v${v}`)
        produced.push(value)
      }
      const read = await cluster.readPartition(TOPIC, 0)
      assert.deepEqual(read.map((r) => [r.offset, r.value]), produced.map((value, i) => [i, value]))
    })

    test('ListOffsets: the log end at every version', async () => {
      for (const v of common(connection, apis.ListOffsets)) {
        const body = await at(connection, apis.ListOffsets, v, { replicaId: -1, isolationLevel: 0, timeoutMs: 5000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n, maxNumOffsets: 1 }] }] })
        const p = body.topics[0]?.partitions[0]
        assert.equal(p?.errorCode, 0, `v${v}`)
        assert.equal(v === 0 ? p?.oldStyleOffsets?.[0] : p?.offset, BigInt(produced.length), `v${v}`)
      }
    })

    test('Metadata: the broker, the topic\'s partitions and (from v2) the cluster id at every version', async () => {
      for (const v of common(connection, apis.Metadata)) {
        const body = await at(connection, apis.Metadata, v, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false, includeClusterAuthorizedOperations: false })
        assert.deepEqual(body.brokers.map((b) => [b.nodeId, b.port]), [[1, cluster.brokers[0]?.port]], `v${v}`)
        const topic = body.topics.find((t) => t.name === TOPIC)
        assert.equal(topic?.errorCode, 0, `v${v}`)
        assert.equal(topic?.partitions.length, 2, `v${v}`)
        if (v >= 2) assert.equal(body.clusterId, cluster.clusterId, `v${v}`)
      }
    })

    test('Fetch: the same records, keys and headers at every version', async () => {
      const meta = await connection.request(apis.Metadata, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false })
      const topicId = meta.body.topics.find((t) => t.name === TOPIC)?.topicId
      for (const v of common(connection, apis.Fetch)) {
        const body = await at(connection, apis.Fetch, v, {
          replicaId: -1,
          maxWaitMs: 100,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ ...(v >= 13 ? { topicId } : { topic: TOPIC }), partitions: [{ partition: 0, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
          forgottenTopicsData: [],
          rackId: '',
        })
        const data = body.responses[0]?.partitions[0]
        assert.equal(data?.errorCode, 0, `v${v}`)
        assert.equal(data?.highWatermark, BigInt(produced.length), `v${v}`)
        const set = await decodeRecordSet(data?.records ?? null)
        assert.deepEqual(set.records.map((r) => r.value?.toString()), produced, `v${v}`)
        // Message formats v0/v1 (Fetch below v4, down-converted by 3.9) carry no headers.
        if (v >= 4) assert.deepEqual(set.records.map((r) => r.headers.map((h) => h.value?.toString())), produced.map((p) => [p.slice('produce-v'.length)]), `v${v}`)
      }
    })

    test('OffsetCommit at every version, each read back by Kafka\'s AdminClient; OffsetFetch at every version reads the last', async () => {
      let last = 0n
      for (const v of common(connection, apis.OffsetCommit, 2)) {
        const coordinator = await coordinatorConnection()
        last = BigInt(100 + v)
        const body = await at(coordinator, apis.OffsetCommit, v, {
          groupId: GROUP,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [{ name: TOPIC, partitions: [{ partitionIndex: 1, committedOffset: last, committedMetadata: `v${v}` }] }],
        })
        assert.equal(body.topics[0]?.partitions[0].errorCode, 0, `v${v}`)
        const seen = await cluster.groupOffsets(GROUP)
        assert.deepEqual(seen.filter((o) => o.topic === TOPIC).map((o) => [o.partition, o.offset]), [[1, Number(last)]], `OffsetCommit v${v}`)
      }
      for (const v of common(connection, apis.OffsetFetch, 1)) {
        const coordinator = await coordinatorConnection()
        const body = await at(coordinator, apis.OffsetFetch, v, (version) => version >= 8
          ? { groups: [{ groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [1] }] }], requireStable: false }
          : { groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [1] }], requireStable: false })
        const partition = v >= 8
          ? body.groups?.[0]?.topics[0].partitions[0]
          : body.topics?.[0]?.partitions[0]
        assert.equal(partition?.committedOffset, last, `OffsetFetch v${v}`)
      }
    })

    test('FindCoordinator names the broker Kafka\'s AdminClient finds, at every version', async () => {
      const expected = await cluster.coordinatorOf(GROUP)
      for (const v of common(connection, apis.FindCoordinator)) {
        const body = await at(connection, apis.FindCoordinator, v, { key: GROUP, keyType: 0, coordinatorKeys: [GROUP] })
        const node = v >= 4 ? body.coordinators?.[0]?.nodeId : body.nodeId
        assert.equal(node, expected, `v${v}`)
      }
    })

    test('DescribeConfigs: the topic\'s cleanup.policy as Kafka\'s AdminClient reads it, at every version', async () => {
      const expected = (await cluster.describeConfigs('topic', TOPIC))['cleanup.policy']
      assert.equal(expected, 'compact')
      for (const v of common(connection, apis.DescribeConfigs)) {
        const body = await at(connection, apis.DescribeConfigs, v, { resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: ['cleanup.policy'] }], includeSynonyms: false, includeDocumentation: false })
        const result = body.results[0]
        assert.equal(result?.errorCode, 0, `v${v}`)
        assert.deepEqual(result?.configs.map((c) => [c.name, c.value]), [['cleanup.policy', expected]], `v${v}`)
      }
    })

    test('DescribeCluster, InitProducerId: the same cluster and a usable producer id at every version', async () => {
      for (const v of common(connection, apis.DescribeCluster)) {
        const body = await at(connection, apis.DescribeCluster, v, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false })
        assert.equal(body.errorCode, 0, `v${v}`)
        assert.equal(body.clusterId, cluster.clusterId, `v${v}`)
        assert.deepEqual(body.brokers.map((b) => b.brokerId), [1], `v${v}`)
      }
      for (const v of common(connection, apis.InitProducerId)) {
        const ask = async (): Promise<ResponseBody<typeof apis.InitProducerId>> => await at(connection, apis.InitProducerId, v, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1n, producerEpoch: -1 })
        let body = await ask()
        // COORDINATOR_LOAD_IN_PROGRESS until the broker has its producer-id block: ask again (bounded).
        for (let tries = 0; body.errorCode === KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS && tries < 100; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          body = await ask()
        }
        assert.equal(body.errorCode, 0, `v${v}`)
        assert.ok(body.producerId >= 0n, `v${v}`)
      }
    })

    /** The group's coordinator (one broker here, but asked for as a client would). */
    async function coordinatorConnection (): Promise<BrokerConnection> {
      const id = await cluster.coordinatorOf(GROUP)
      assert.equal(id, 1)
      return connection
    }
  })
}
