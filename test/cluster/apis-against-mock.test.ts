/**
 * Every API the librdkafka mock implements, exchanged for real at the newest version both sides
 * speak, then again with the mock restricted (setApiVersion) to what Kafka 2.1 brokers offer and
 * to the oldest versions steadfast supports: negotiation must pick the lower versions and the
 * data must come back the same.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { Cluster } from '../../src/cluster/cluster.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import type { ApiDescriptor } from '../../src/protocol/descriptor.ts'
import type { ResponseBody } from '../../src/protocol/messages.ts'
import { KafkaErrorCode } from '../../src/resilience/kafka-errors.ts'
import { decodeRecordSet, encodeRecordBatch } from '../../src/protocol/records/index.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'

const logger = createLogger({ level: 'silent' })

/** Highest versions a Kafka 2.1 broker offers, for the APIs the mock implements. */
const KAFKA_2_1: Array<[ApiDescriptor, number]> = [
  [apis.Produce, 7], [apis.Fetch, 10], [apis.ListOffsets, 4], [apis.Metadata, 7], [apis.OffsetCommit, 6],
  [apis.OffsetFetch, 5], [apis.FindCoordinator, 2], [apis.JoinGroup, 4], [apis.Heartbeat, 2],
  [apis.LeaveGroup, 2], [apis.SyncGroup, 2], [apis.InitProducerId, 1],
]

/** The oldest versions worth speaking: record batches v2 need Produce v3 and Fetch v4. */
const OLDEST: Array<[ApiDescriptor, number]> = [
  [apis.Produce, 3], [apis.Fetch, 4], [apis.ListOffsets, 1], [apis.Metadata, 1], [apis.OffsetCommit, 2],
  [apis.OffsetFetch, 1], [apis.FindCoordinator, 0], [apis.JoinGroup, 0], [apis.Heartbeat, 0],
  [apis.LeaveGroup, 0], [apis.SyncGroup, 0], [apis.InitProducerId, 0],
]

/**
 * librdkafka 2.15.1's mock advertises JoinGroup v6, SyncGroup v4 and LeaveGroup v4 but parses
 * their arrays in the pre-flexible layout (and LeaveGroup's member list not at all): it drops the
 * connection on a correct request. So "newest" caps those three at what the mock really parses.
 */
const MOCK_PARSES: Array<[ApiDescriptor, number]> = [[apis.JoinGroup, 5], [apis.SyncGroup, 3], [apis.LeaveGroup, 2]]

const PROFILES: Array<[string, Array<[ApiDescriptor, number]>]> = [['newest', MOCK_PARSES], ['Kafka 2.1', KAFKA_2_1], ['oldest', OLDEST]]

describe('every API the mock implements, at every version profile', { timeout: 120_000 }, () => {
  let mock: MockCluster
  let offered: ReadonlyMap<number, { min: number, max: number }>

  before(async () => {
    mock = await MockCluster.start({ brokers: 3 })
    await mock.setGroupInitialRebalanceDelay(0)
    const b = mock.brokers[0]!
    const probe = await BrokerConnection.open({ nodeId: b.id, host: b.host, port: b.port }, { logger })
    offered = probe.versions
    probe.close()
  })
  after(async () => { await mock.stop() })

  for (const [profile, limits] of PROFILES) {
    test(`${profile}: negotiation picks the versions offered and every exchange works`, async () => {
      const topic = `t-${profile.replace(/\W/g, '')}`
      await mock.createTopic({ name: topic, partitions: 2, replicationFactor: 3 })
      for (const [api, max] of limits) await mock.setApiVersion(api.apiKey, offered.get(api.apiKey)?.min ?? api.minVersion, max)
      const cluster = new Cluster({ bootstrap: mock.bootstrap, logger })
      try {
        const expected = new Map(limits.map(([api, max]) => [api.name, max]))
        const leaderOf = async (partition: number): Promise<BrokerConnection> => await cluster.leaderConnection(topic, partition)
        const leader = await leaderOf(0)
        for (const [api, max] of limits) assert.equal(leader.versionFor(api), max, `${api.name} negotiated`)
        const used = (response: { version: number }, api: ApiDescriptor): void => {
          if (expected.has(api.name)) assert.equal(response.version, expected.get(api.name))
        }

        // Metadata: the topic, its partitions and the brokers.
        const metadata = await leader.request(apis.Metadata, { topics: [{ name: topic }], allowAutoTopicCreation: false })
        used(metadata, apis.Metadata)
        assert.equal(metadata.body.brokers.length, 3)
        const topicMeta = metadata.body.topics.find((t) => t.name === topic)
        assert.equal(topicMeta?.partitions.length, 2)

        // InitProducerId: an idempotent producer id.
        const init = await leader.request(apis.InitProducerId, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1n, producerEpoch: -1 })
        used(init, apis.InitProducerId)
        assert.equal(init.body.errorCode, 0)
        assert.ok(init.body.producerId >= 0n)

        // Produce three records with headers, idempotently.
        const records = [
          { key: 'k1', value: 'first', headers: [{ key: 'h', value: 'x' }] },
          { key: null, value: 'second', headers: [] },
          { key: 'k3', value: null, headers: [{ key: 'trace', value: null }] },
        ]
        const batch = await encodeRecordBatch({ records, producerId: init.body.producerId, producerEpoch: init.body.producerEpoch, baseSequence: 0, baseTimestamp: 1_700_000_000_000 })
        const produced = await leader.request(apis.Produce, { transactionalId: null, acks: -1, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] })
        used(produced, apis.Produce)
        const partitionResult = produced.body.responses[0].partitionResponses[0]
        assert.equal(partitionResult.errorCode, 0)
        assert.equal(partitionResult.baseOffset, 0n)

        // ListOffsets: the log end is 3.
        const offsets = await leader.request(apis.ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n, maxNumOffsets: 1 }] }] })
        used(offsets, apis.ListOffsets)
        const p0 = offsets.body.topics[0].partitions[0]
        assert.equal(offsets.version === 0 ? p0.oldStyleOffsets?.[0] : p0.offset, 3n)

        // Fetch: the same records come back, in order, with their headers.
        const topicId = topicMeta?.topicId
        const fetched = await leader.request(apis.Fetch, (version) => ({
          replicaId: -1,
          maxWaitMs: 100,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ ...(version >= 13 ? { topicId } : { topic }), partitions: [{ partition: 0, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
          forgottenTopicsData: [],
          rackId: '',
        }))
        used(fetched, apis.Fetch)
        const data = fetched.body.responses[0].partitions[0]
        assert.equal(data.errorCode, 0)
        assert.equal(data.highWatermark, 3n)
        const set = await decodeRecordSet(data.records)
        assert.deepEqual(set.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.headers.map((h) => [h.key, h.value?.toString() ?? null])]), [
          [0n, 'k1', 'first', [['h', 'x']]],
          [1n, null, 'second', []],
          [2n, 'k3', null, [['trace', null]]],
        ])

        // OffsetForLeaderEpoch (the mock speaks v2 only).
        const epoch = await leader.request(apis.OffsetForLeaderEpoch, { replicaId: -1, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] })
        assert.equal(epoch.version, 2)
        assert.equal(epoch.body.topics[0].partitions[0].errorCode, 0)

        // A group: FindCoordinator, JoinGroup (with the member-id round trip of v4+), SyncGroup,
        // Heartbeat, OffsetCommit, OffsetFetch, LeaveGroup.
        const groupId = `g-${topic}`
        const coordinator = await cluster.coordinator('group', groupId)
        const join = async (memberId: string): Promise<ResponseBody<typeof apis.JoinGroup>> => (await coordinator.request(apis.JoinGroup, {
          groupId,
          sessionTimeoutMs: 6_000,
          rebalanceTimeoutMs: 6_000,
          memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]) }],
          reason: null,
        })).body
        let joined = await join('')
        if (joined.errorCode === KafkaErrorCode.MEMBER_ID_REQUIRED) joined = await join(joined.memberId)
        assert.equal(joined.errorCode, 0)
        assert.equal(joined.leader, joined.memberId)
        const { memberId, generationId } = joined
        const assignment = Buffer.from('assignment-bytes')
        const synced = await coordinator.request(apis.SyncGroup, { groupId, generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId, assignment }] })
        used(synced, apis.SyncGroup)
        assert.equal(synced.body.errorCode, 0)
        assert.deepEqual(synced.body.assignment, assignment)
        const beat = await coordinator.request(apis.Heartbeat, { groupId, generationId, memberId, groupInstanceId: null })
        used(beat, apis.Heartbeat)
        assert.equal(beat.body.errorCode, 0)
        const commit = await coordinator.request(apis.OffsetCommit, {
          groupId,
          generationIdOrMemberEpoch: generationId,
          memberId,
          groupInstanceId: null,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 2n, committedMetadata: 'note' }] }],
        })
        used(commit, apis.OffsetCommit)
        assert.equal(commit.body.topics[0].partitions[0].errorCode, 0)
        const fetchedOffsets = await coordinator.request(apis.OffsetFetch, { groupId, topics: [{ name: topic, partitionIndexes: [0] }] })
        used(fetchedOffsets, apis.OffsetFetch)
        assert.equal(fetchedOffsets.body.topics?.[0].partitions[0].committedOffset, 2n)
        assert.equal(fetchedOffsets.body.topics?.[0].partitions[0].metadata, 'note')
        const left = await coordinator.request(apis.LeaveGroup, (version) => version >= 3
          ? { groupId, members: [{ memberId, groupInstanceId: null, reason: null }] }
          : { groupId, memberId })
        used(left, apis.LeaveGroup)
        assert.equal(left.body.errorCode, 0)
      } finally {
        await cluster.close()
        for (const [api] of limits) {
          const original = offered.get(api.apiKey)
          if (original !== undefined) await mock.setApiVersion(api.apiKey, original.min, original.max)
        }
      }
    })
  }
})
