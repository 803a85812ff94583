/**
 * Golden bytes: for every API at its lowest and highest version, a request and a response whose
 * wire form is spelled out by hand from Kafka's message definitions. Each case checks that the
 * body encodes to exactly those bytes and that the bytes decode back to the body.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apis, decodeRequestBody, decodeResponseBody, encodeRequestBody, encodeResponseBody } from '../../../src/protocol/index.ts'
import type { ApiDescriptor, EncodableResponseBody, RequestBody } from '../../../src/protocol/index.ts'
import { T, UUID, a, bool, by, bytes, ca, cby, cn, cs, i16, i32, i64, i8, ns, s, tags, uuid } from './bytes.ts'

/** Every key of `expected` (recursively) is in `actual` with the same value. */
function assertSubset (actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`)
    assert.equal(actual.length, expected.length, `${path}: length`)
    expected.forEach((item, i) => assertSubset(actual[i], item, `${path}[${i}]`))
  } else if (expected !== null && typeof expected === 'object' && !Buffer.isBuffer(expected)) {
    for (const [key, value] of Object.entries(expected)) assertSubset((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
  } else {
    assert.deepEqual(actual, expected, path)
  }
}

/** One version's request and response, typed by the API's descriptor (so the bodies check the types too). */
interface Case<A extends ApiDescriptor> { version: number, request: [RequestBody<A>, Buffer], response: [EncodableResponseBody<A>, Buffer] }

const covered = new Map<string, Set<number>>()

function check<A extends ApiDescriptor> (api: A, cases: Array<Case<A>>): void {
  covered.set(api.name, new Set(cases.map(c => c.version)))
  describe(api.name, () => {
    for (const { version, request, response } of cases) {
      test(`v${version} request`, () => {
        assert.equal(encodeRequestBody(api, version, request[0]).toString('hex'), request[1].toString('hex'))
        assertSubset(decodeRequestBody(api, version, request[1]), request[0], 'request')
      })
      test(`v${version} response`, () => {
        assert.equal(encodeResponseBody(api, version, response[0]).toString('hex'), response[1].toString('hex'))
        assertSubset(decodeResponseBody(api, version, response[1]), response[0], 'response')
      })
    }
  })
}

check(apis.ApiVersions, [
  {
    version: 0,
    request: [{}, bytes()],
    response: [{ errorCode: 0, apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }] }, bytes(i16(0), a(1), i16(3), i16(0), i16(12))],
  },
  {
    version: 4,
    request: [{ clientSoftwareName: 'steadfast', clientSoftwareVersion: '0.1.0' }, bytes(cs('steadfast'), cs('0.1.0'), T())],
    response: [
      { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0, finalizedFeaturesEpoch: 7n, zkMigrationReady: true },
      bytes(i16(0), ca(1), i16(18), i16(0), i16(4), T(), i32(0), tags([1, i64(7n)], [3, bool(true)])),
    ],
  },
])

check(apis.Metadata, [
  {
    version: 0,
    request: [{ topics: [{ name: 't' }] }, bytes(a(1), s('t'))],
    response: [
      {
        brokers: [{ nodeId: 1, host: 'h', port: 9092 }],
        topics: [{ errorCode: 0, name: 't', partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }] }],
      },
      bytes(a(1), i32(1), s('h'), i32(9092), a(1), i16(0), s('t'), a(1), i16(0), i32(0), i32(1), a(1), i32(1), a(1), i32(1)),
    ],
  },
  {
    // v1 brought rack, controllerId and isInternal; clusterId starts at v2, throttleTimeMs at v3.
    version: 2,
    request: [{ topics: null }, bytes(a(-1))],
    response: [
      {
        brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
        clusterId: 'c',
        controllerId: 1,
        topics: [{ errorCode: 0, name: 't', isInternal: true, partitions: [] }],
      },
      bytes(a(1), i32(1), s('h'), i32(9092), ns(), s('c'), i32(1), a(1), i16(0), s('t'), bool(true), a(0)),
    ],
  },
  {
    version: 3,
    request: [{ topics: [] }, bytes(a(0))],
    response: [
      { throttleTimeMs: 9, brokers: [], clusterId: null, controllerId: -1, topics: [] },
      bytes(i32(9), a(0), ns(), i32(-1), a(0)),
    ],
  },
  {
    version: 12,
    request: [{ topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true }, bytes(cn(), bool(false), bool(true), T())],
    response: [
      {
        throttleTimeMs: 5,
        brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
        clusterId: 'c',
        controllerId: 1,
        topics: [{
          errorCode: 0,
          name: 't',
          topicId: UUID,
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
          topicAuthorizedOperations: -2147483648,
        }],
      },
      bytes(
        i32(5), ca(1), i32(1), cs('h'), i32(9092), cn(), T(), cs('c'), i32(1),
        ca(1), i16(0), cs('t'), uuid(), bool(false),
        ca(1), i16(0), i32(0), i32(1), i32(3), ca(1), i32(1), ca(1), i32(1), ca(0), T(),
        i32(-2147483648), T(), T()
      ),
    ],
  },
  {
    version: 13,
    request: [{ topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true }, bytes(cn(), bool(false), bool(true), T())],
    response: [
      { throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1, topics: [], errorCode: 7 },
      bytes(i32(0), ca(0), cn(), i32(-1), ca(0), i16(7), T()),
    ],
  },
])

check(apis.Produce, [
  {
    version: 0,
    request: [
      { acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from('abc') }] }] },
      bytes(i16(-1), i32(1000), a(1), s('t'), a(1), i32(0), by('abc')),
    ],
    response: [
      { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 42n }] }] },
      bytes(a(1), s('t'), a(1), i32(0), i16(0), i64(42n)),
    ],
  },
  {
    version: 11,
    request: [
      { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 2, records: null }] }] },
      bytes(cn(), i16(1), i32(1000), ca(1), cs('t'), ca(1), i32(2), cn(), T(), T(), T()),
    ],
    response: [
      {
        responses: [{
          name: 't',
          partitionResponses: [{
            index: 2,
            errorCode: 6,
            baseOffset: -1n,
            logAppendTimeMs: -1n,
            logStartOffset: 0n,
            recordErrors: [],
            errorMessage: null,
            currentLeader: { leaderId: 3, leaderEpoch: 9 },
          }],
        }],
        throttleTimeMs: 0,
        nodeEndpoints: [{ nodeId: 3, host: 'b3', port: 9093, rack: null }],
      },
      bytes(
        ca(1), cs('t'), ca(1), i32(2), i16(6), i64(-1n), i64(-1n), i64(0n), ca(0), cn(),
        tags([0, bytes(i32(3), i32(9), T())]), T(),
        i32(0),
        tags([0, bytes(ca(1), i32(3), cs('b3'), i32(9093), cn(), T())])
      ),
    ],
  },
])

check(apis.Fetch, [
  {
    version: 0,
    request: [
      { replicaId: -1, maxWaitMs: 500, minBytes: 1, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 10n, partitionMaxBytes: 1048576 }] }] },
      bytes(i32(-1), i32(500), i32(1), a(1), s('t'), a(1), i32(0), i64(10n), i32(1048576)),
    ],
    response: [
      { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 100n, records: Buffer.from('xy') }] }] },
      bytes(a(1), s('t'), a(1), i32(0), i16(0), i64(100n), by('xy')),
    ],
  },
  {
    version: 17,
    request: [
      {
        clusterId: 'c1',
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 52428800,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topicId: UUID, partitions: [{ partition: 0, currentLeaderEpoch: 5, fetchOffset: 10n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1048576 }] }],
        forgottenTopicsData: [],
        rackId: 'r1',
      },
      bytes(
        i32(500), i32(1), i32(52428800), i8(1), i32(0), i32(-1),
        ca(1), uuid(), ca(1), i32(0), i32(5), i64(10n), i32(-1), i64(-1n), i32(1048576), T(), T(),
        ca(0), cs('r1'), tags([0, cs('c1')])
      ),
    ],
    response: [
      {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 7,
        responses: [{
          topicId: UUID,
          partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 100n, lastStableOffset: 100n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.from('xy') }],
        }],
      },
      bytes(i32(0), i16(0), i32(7), ca(1), uuid(), ca(1), i32(0), i16(0), i64(100n), i64(100n), i64(0n), cn(), i32(-1), cby('xy'), T(), T(), T()),
    ],
  },
  {
    version: 18,
    request: [
      {
        maxWaitMs: 100,
        minBytes: 1,
        maxBytes: 1000,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topicId: UUID, partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 100, highWatermark: 55n }] }],
        forgottenTopicsData: [],
        rackId: '',
      },
      bytes(
        i32(100), i32(1), i32(1000), i8(0), i32(0), i32(-1),
        ca(1), uuid(), ca(1), i32(1), i32(-1), i64(0n), i32(-1), i64(-1n), i32(100), tags([1, i64(55n)]), T(),
        ca(0), cs(''), T()
      ),
    ],
    response: [
      {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [{
          topicId: UUID,
          partitions: [{
            partitionIndex: 1,
            errorCode: 6,
            highWatermark: -1n,
            lastStableOffset: -1n,
            logStartOffset: -1n,
            currentLeader: { leaderId: 2, leaderEpoch: 4 },
            abortedTransactions: [{ producerId: 9n, firstOffset: 3n }],
            preferredReadReplica: -1,
            records: null,
          }],
        }],
      },
      bytes(
        i32(0), i16(0), i32(0), ca(1), uuid(),
        ca(1), i32(1), i16(6), i64(-1n), i64(-1n), i64(-1n), ca(1), i64(9n), i64(3n), T(), i32(-1), cn(),
        tags([1, bytes(i32(2), i32(4), T())]), T(), T()
      ),
    ],
  },
])

check(apis.ListOffsets, [
  {
    version: 0,
    request: [
      { replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1n, maxNumOffsets: 1 }] }] },
      bytes(i32(-1), a(1), s('t'), a(1), i32(0), i64(-1n), i32(1)),
    ],
    response: [
      { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [5n] }] }] },
      bytes(a(1), s('t'), a(1), i32(0), i16(0), a(1), i64(5n)),
    ],
  },
  {
    version: 10,
    request: [
      { replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 2, timestamp: -2n }] }], timeoutMs: 3000 },
      bytes(i32(-1), i8(1), ca(1), cs('t'), ca(1), i32(0), i32(2), i64(-2n), T(), T(), i32(3000), T()),
    ],
    response: [
      { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 17n, leaderEpoch: 2 }] }] },
      bytes(i32(0), ca(1), cs('t'), ca(1), i32(0), i16(0), i64(-1n), i64(17n), i32(2), T(), T(), T()),
    ],
  },
  {
    version: 11,
    request: [
      { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 3, currentLeaderEpoch: -1, timestamp: -6n }] }], timeoutMs: 30000 },
      bytes(i32(-1), i8(0), ca(1), cs('t'), ca(1), i32(3), i32(-1), i64(-6n), T(), T(), i32(30000), T()),
    ],
    response: [
      { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 3, errorCode: 0, timestamp: -1n, offset: 0n, leaderEpoch: -1 }] }] },
      bytes(i32(0), ca(1), cs('t'), ca(1), i32(3), i16(0), i64(-1n), i64(0n), i32(-1), T(), T(), T()),
    ],
  },
])

check(apis.FindCoordinator, [
  {
    version: 0,
    request: [{ key: 'g' }, bytes(s('g'))],
    response: [{ errorCode: 0, nodeId: 1, host: 'h', port: 9092 }, bytes(i16(0), i32(1), s('h'), i32(9092))],
  },
  {
    version: 6,
    request: [{ keyType: 0, coordinatorKeys: ['g1', 'g2'] }, bytes(i8(0), ca(2), cs('g1'), cs('g2'), T())],
    response: [
      { throttleTimeMs: 0, coordinators: [{ key: 'g1', nodeId: 1, host: 'h', port: 9092, errorCode: 0, errorMessage: null }] },
      bytes(i32(0), ca(1), cs('g1'), i32(1), cs('h'), i32(9092), i16(0), cn(), T(), T()),
    ],
  },
])

check(apis.JoinGroup, [
  {
    version: 0,
    request: [
      { groupId: 'g', sessionTimeoutMs: 30000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }] },
      bytes(s('g'), i32(30000), s(''), s('consumer'), a(1), s('range'), by([1, 2])),
    ],
    response: [
      { errorCode: 0, generationId: 1, protocolName: 'range', leader: 'm1', memberId: 'm1', members: [{ memberId: 'm1', metadata: Buffer.from([1]) }] },
      bytes(i16(0), i32(1), s('range'), s('m1'), s('m1'), a(1), s('m1'), by([1])),
    ],
  },
  {
    version: 9,
    request: [
      { groupId: 'g', sessionTimeoutMs: 45000, rebalanceTimeoutMs: 60000, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: 'r' },
      bytes(cs('g'), i32(45000), i32(60000), cs('m'), cn(), cs('consumer'), ca(1), cs('range'), cby([]), T(), cs('r'), T()),
    ],
    response: [
      {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 2,
        protocolType: 'consumer',
        protocolName: 'range',
        leader: 'm',
        skipAssignment: false,
        memberId: 'm',
        members: [{ memberId: 'm', groupInstanceId: 'i', metadata: Buffer.from([9]) }],
      },
      bytes(i32(0), i16(0), i32(2), cs('consumer'), cs('range'), cs('m'), bool(false), cs('m'), ca(1), cs('m'), cs('i'), cby([9]), T(), T()),
    ],
  },
])

check(apis.SyncGroup, [
  {
    version: 0,
    request: [
      { groupId: 'g', generationId: 1, memberId: 'm', assignments: [{ memberId: 'm', assignment: Buffer.from([7]) }] },
      bytes(s('g'), i32(1), s('m'), a(1), s('m'), by([7])),
    ],
    response: [{ errorCode: 0, assignment: Buffer.from([7]) }, bytes(i16(0), by([7]))],
  },
  {
    version: 5,
    request: [
      { groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] },
      bytes(cs('g'), i32(2), cs('m'), cn(), cs('consumer'), cs('range'), ca(0), T()),
    ],
    response: [
      { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.from([7]) },
      bytes(i32(0), i16(0), cs('consumer'), cs('range'), cby([7]), T()),
    ],
  },
])

check(apis.Heartbeat, [
  {
    version: 0,
    request: [{ groupId: 'g', generationId: 1, memberId: 'm' }, bytes(s('g'), i32(1), s('m'))],
    response: [{ errorCode: 27 }, bytes(i16(27))],
  },
  {
    version: 4,
    request: [{ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: 'i' }, bytes(cs('g'), i32(1), cs('m'), cs('i'), T())],
    response: [{ throttleTimeMs: 0, errorCode: 0 }, bytes(i32(0), i16(0), T())],
  },
])

check(apis.ConsumerGroupHeartbeat, [
  {
    version: 0,
    request: [
      { groupId: 'g', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 60000, subscribedTopicNames: ['t'], serverAssignor: 'uniform', topicPartitions: [] },
      bytes(cs('g'), cs(''), i32(0), cn(), cn(), i32(60000), ca(1), cs('t'), cs('uniform'), ca(0), T()),
    ],
    response: [
      { throttleTimeMs: 0, errorCode: 0, errorMessage: null, memberId: 'm', memberEpoch: 3, heartbeatIntervalMs: 1000, assignment: { topicPartitions: [{ topicId: UUID, partitions: [0, 2] }] } },
      bytes(i32(0), i16(0), cn(), cs('m'), i32(3), i32(1000), i8(1), ca(1), uuid(), ca(2), i32(0), i32(2), T(), T(), T()),
    ],
  },
  {
    version: 1,
    // Leaving: epoch -1, every "unchanged" field null.
    request: [{ groupId: 'g', memberId: 'm', memberEpoch: -1 }, bytes(cs('g'), cs('m'), i32(-1), cn(), cn(), i32(-1), cn(), cn(), cn(), cn(), T())],
    response: [
      { throttleTimeMs: 0, errorCode: 25, errorMessage: 'gone', memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null },
      bytes(i32(0), i16(25), cs('gone'), cn(), i32(-1), i32(0), i8(-1), T()),
    ],
  },
])

check(apis.LeaveGroup, [
  {
    version: 0,
    request: [{ groupId: 'g', memberId: 'm' }, bytes(s('g'), s('m'))],
    response: [{ errorCode: 0 }, bytes(i16(0))],
  },
  {
    version: 5,
    request: [
      { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null, reason: 'bye' }] },
      bytes(cs('g'), ca(1), cs('m'), cn(), cs('bye'), T(), T()),
    ],
    response: [
      { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'm', groupInstanceId: null, errorCode: 0 }] },
      bytes(i32(0), i16(0), ca(1), cs('m'), cn(), i16(0), T(), T()),
    ],
  },
])

check(apis.OffsetCommit, [
  {
    version: 0,
    request: [
      { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedMetadata: null }] }] },
      bytes(s('g'), a(1), s('t'), a(1), i32(0), i64(5n), ns()),
    ],
    response: [
      { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
      bytes(a(1), s('t'), a(1), i32(0), i16(0)),
    ],
  },
  {
    version: 9,
    request: [
      {
        groupId: 'g',
        generationIdOrMemberEpoch: 3,
        memberId: 'm',
        groupInstanceId: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      },
      bytes(cs('g'), i32(3), cs('m'), cn(), ca(1), cs('t'), ca(1), i32(0), i64(5n), i32(-1), cs(''), T(), T(), T()),
    ],
    response: [
      { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
      bytes(i32(0), ca(1), cs('t'), ca(1), i32(0), i16(0), T(), T(), T()),
    ],
  },
])

check(apis.OffsetFetch, [
  {
    version: 0,
    request: [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] }, bytes(s('g'), a(1), s('t'), a(2), i32(0), i32(1))],
    response: [
      { topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, metadata: '', errorCode: 0 }] }] },
      bytes(a(1), s('t'), a(1), i32(0), i64(5n), s(''), i16(0)),
    ],
  },
  {
    version: 9,
    request: [
      { groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }], requireStable: true },
      bytes(ca(1), cs('g'), cn(), i32(-1), cn(), T(), bool(true), T()),
    ],
    response: [
      {
        throttleTimeMs: 0,
        groups: [{
          groupId: 'g',
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: 1, metadata: null, errorCode: 0 }] }],
          errorCode: 0,
        }],
      },
      bytes(i32(0), ca(1), cs('g'), ca(1), cs('t'), ca(1), i32(0), i64(5n), i32(1), cn(), i16(0), T(), T(), i16(0), T(), T()),
    ],
  },
])

check(apis.ListGroups, [
  {
    version: 0,
    request: [{}, bytes()],
    response: [{ errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] }, bytes(i16(0), a(1), s('g'), s('consumer'))],
  },
  {
    version: 5,
    request: [{ statesFilter: ['Stable'], typesFilter: ['classic'] }, bytes(ca(1), cs('Stable'), ca(1), cs('classic'), T())],
    response: [
      { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }] },
      bytes(i32(0), i16(0), ca(1), cs('g'), cs('consumer'), cs('Stable'), cs('classic'), T(), T()),
    ],
  },
])

check(apis.DescribeGroups, [
  {
    version: 0,
    request: [{ groups: ['g'] }, bytes(a(1), s('g'))],
    response: [
      {
        groups: [{
          errorCode: 0,
          groupId: 'g',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [{ memberId: 'm', clientId: 'c', clientHost: '/127.0.0.1', memberMetadata: Buffer.from([1]), memberAssignment: Buffer.from([2]) }],
        }],
      },
      bytes(a(1), i16(0), s('g'), s('Stable'), s('consumer'), s('range'), a(1), s('m'), s('c'), s('/127.0.0.1'), by([1]), by([2])),
    ],
  },
  {
    version: 5,
    request: [{ groups: ['g'], includeAuthorizedOperations: true }, bytes(ca(1), cs('g'), bool(true), T())],
    response: [
      { throttleTimeMs: 0, groups: [{ errorCode: 0, groupId: 'g', groupState: 'Empty', protocolType: '', protocolData: '', members: [], authorizedOperations: 8 }] },
      bytes(i32(0), ca(1), i16(0), cs('g'), cs('Empty'), cs(''), cs(''), ca(0), i32(8), T(), T()),
    ],
  },
  {
    version: 6,
    request: [{ groups: ['g'], includeAuthorizedOperations: false }, bytes(ca(1), cs('g'), bool(false), T())],
    response: [
      { throttleTimeMs: 0, groups: [{ errorCode: 69, errorMessage: 'gone', groupId: 'g', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 }] },
      bytes(i32(0), ca(1), i16(69), cs('gone'), cs('g'), cs('Dead'), cs(''), cs(''), ca(0), i32(-2147483648), T(), T()),
    ],
  },
])

check(apis.DeleteGroups, [
  {
    version: 0,
    request: [{ groupsNames: ['g'] }, bytes(a(1), s('g'))],
    response: [{ throttleTimeMs: 0, results: [{ groupId: 'g', errorCode: 69 }] }, bytes(i32(0), a(1), s('g'), i16(69))],
  },
  {
    version: 2,
    request: [{ groupsNames: ['g'] }, bytes(ca(1), cs('g'), T())],
    response: [{ throttleTimeMs: 0, results: [{ groupId: 'g', errorCode: 0 }] }, bytes(i32(0), ca(1), cs('g'), i16(0), T(), T())],
  },
])

check(apis.OffsetDelete, [
  {
    version: 0,
    request: [{ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }] }, bytes(s('g'), a(1), s('t'), a(1), i32(1))],
    response: [
      { errorCode: 0, throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 0 }] }] },
      bytes(i16(0), i32(0), a(1), s('t'), a(1), i32(1), i16(0)),
    ],
  },
])

check(apis.CreateTopics, [
  {
    version: 0,
    request: [
      { topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }], timeoutMs: 5000 },
      bytes(a(1), s('t'), i32(3), i16(1), a(0), a(1), s('cleanup.policy'), s('compact'), i32(5000)),
    ],
    response: [{ topics: [{ name: 't', errorCode: 0 }] }, bytes(a(1), s('t'), i16(0))],
  },
  {
    version: 7,
    request: [
      { topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }], timeoutMs: 5000, validateOnly: true },
      bytes(ca(1), cs('t'), i32(-1), i16(-1), ca(1), i32(0), ca(2), i32(1), i32(2), T(), ca(0), T(), i32(5000), bool(true), T()),
    ],
    response: [
      {
        throttleTimeMs: 0,
        topics: [{
          name: 't',
          topicId: UUID,
          errorCode: 0,
          errorMessage: null,
          topicConfigErrorCode: 12,
          numPartitions: 3,
          replicationFactor: 1,
          configs: [{ name: 'a', value: null, readOnly: false, configSource: 5, isSensitive: false }],
        }],
      },
      bytes(i32(0), ca(1), cs('t'), uuid(), i16(0), cn(), i32(3), i16(1), ca(1), cs('a'), cn(), bool(false), i8(5), bool(false), T(), tags([0, i16(12)]), T()),
    ],
  },
])

check(apis.DeleteTopics, [
  {
    version: 0,
    request: [{ topicNames: ['t'], timeoutMs: 5000 }, bytes(a(1), s('t'), i32(5000))],
    response: [{ responses: [{ name: 't', errorCode: 3 }] }, bytes(a(1), s('t'), i16(3))],
  },
  {
    version: 6,
    request: [{ topics: [{ name: null, topicId: UUID }], timeoutMs: 5000 }, bytes(ca(1), cn(), uuid(), T(), i32(5000), T())],
    response: [
      { throttleTimeMs: 0, responses: [{ name: 't', topicId: UUID, errorCode: 0, errorMessage: null }] },
      bytes(i32(0), ca(1), cs('t'), uuid(), i16(0), cn(), T(), T()),
    ],
  },
])

check(apis.CreatePartitions, [
  {
    version: 0,
    request: [
      { topics: [{ name: 't', count: 6, assignments: null }], timeoutMs: 5000, validateOnly: false },
      bytes(a(1), s('t'), i32(6), i32(-1), i32(5000), bool(false)),
    ],
    response: [
      { throttleTimeMs: 0, results: [{ name: 't', errorCode: 37, errorMessage: 'too few' }] },
      bytes(i32(0), a(1), s('t'), i16(37), s('too few')),
    ],
  },
  {
    version: 3,
    request: [
      { topics: [{ name: 't', count: 6, assignments: [{ brokerIds: [1] }] }], timeoutMs: 5000, validateOnly: true },
      bytes(ca(1), cs('t'), i32(6), ca(1), ca(1), i32(1), T(), T(), i32(5000), bool(true), T()),
    ],
    response: [
      { throttleTimeMs: 0, results: [{ name: 't', errorCode: 0, errorMessage: null }] },
      bytes(i32(0), ca(1), cs('t'), i16(0), cn(), T(), T()),
    ],
  },
])

check(apis.DescribeConfigs, [
  {
    version: 0,
    request: [{ resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }] }, bytes(a(1), i8(2), s('t'), i32(-1))],
    response: [
      {
        throttleTimeMs: 0,
        results: [{
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 't',
          configs: [{ name: 'retention.ms', value: '1000', readOnly: false, isDefault: false, isSensitive: false }],
        }],
      },
      bytes(i32(0), a(1), i16(0), ns(), i8(2), s('t'), a(1), s('retention.ms'), s('1000'), bool(false), bool(false), bool(false)),
    ],
  },
  {
    version: 4,
    request: [
      { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['a'] }], includeSynonyms: true, includeDocumentation: false },
      bytes(ca(1), i8(4), cs('1'), ca(1), cs('a'), T(), bool(true), bool(false), T()),
    ],
    response: [
      {
        throttleTimeMs: 0,
        results: [{
          errorCode: 0,
          errorMessage: null,
          resourceType: 4,
          resourceName: '1',
          configs: [{
            name: 'a',
            value: 'b',
            readOnly: true,
            configSource: 4,
            isSensitive: false,
            synonyms: [{ name: 'a', value: 'b', source: 4 }],
            configType: 2,
            documentation: null,
          }],
        }],
      },
      bytes(
        i32(0), ca(1), i16(0), cn(), i8(4), cs('1'),
        ca(1), cs('a'), cs('b'), bool(true), i8(4), bool(false), ca(1), cs('a'), cs('b'), i8(4), T(), i8(2), cn(), T(),
        T(), T()
      ),
    ],
  },
])

check(apis.IncrementalAlterConfigs, [
  {
    version: 0,
    request: [
      { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }], validateOnly: false },
      bytes(a(1), i8(2), s('t'), a(1), s('retention.ms'), i8(0), s('1'), bool(false)),
    ],
    response: [
      { throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }] },
      bytes(i32(0), a(1), i16(0), ns(), i8(2), s('t')),
    ],
  },
  {
    version: 1,
    request: [
      { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'x', configOperation: 1, value: null }] }], validateOnly: true },
      bytes(ca(1), i8(2), cs('t'), ca(1), cs('x'), i8(1), cn(), T(), T(), bool(true), T()),
    ],
    response: [
      { throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }] },
      bytes(i32(0), ca(1), i16(0), cn(), i8(2), cs('t'), T(), T()),
    ],
  },
])

check(apis.DescribeCluster, [
  {
    version: 0,
    request: [{ includeClusterAuthorizedOperations: false }, bytes(bool(false), T())],
    response: [
      { throttleTimeMs: 0, errorCode: 0, errorMessage: null, clusterId: 'c', controllerId: 1, brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: 'r' }], clusterAuthorizedOperations: -2147483648 },
      bytes(i32(0), i16(0), cn(), cs('c'), i32(1), ca(1), i32(1), cs('h'), i32(9092), cs('r'), T(), i32(-2147483648), T()),
    ],
  },
  {
    version: 1,
    request: [{ includeClusterAuthorizedOperations: true, endpointType: 2 }, bytes(bool(true), i8(2), T())],
    response: [
      { throttleTimeMs: 0, errorCode: 0, errorMessage: null, endpointType: 2, clusterId: 'c', controllerId: -1, brokers: [] },
      bytes(i32(0), i16(0), cn(), i8(2), cs('c'), i32(-1), ca(0), i32(-2147483648), T()),
    ],
  },
  {
    version: 2,
    request: [{ includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true }, bytes(bool(false), i8(1), bool(true), T())],
    response: [
      {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        endpointType: 1,
        clusterId: 'c',
        controllerId: 1,
        brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null, isFenced: true }],
        clusterAuthorizedOperations: -2147483648,
      },
      bytes(i32(0), i16(0), cn(), i8(1), cs('c'), i32(1), ca(1), i32(1), cs('h'), i32(9092), cn(), bool(true), T(), i32(-2147483648), T()),
    ],
  },
])

check(apis.InitProducerId, [
  {
    version: 0,
    request: [{ transactionalId: null, transactionTimeoutMs: 60000 }, bytes(ns(), i32(60000))],
    response: [{ throttleTimeMs: 0, errorCode: 0, producerId: 1000n, producerEpoch: 0 }, bytes(i32(0), i16(0), i64(1000n), i16(0))],
  },
  {
    version: 5,
    request: [
      { transactionalId: 'tx', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 },
      bytes(cs('tx'), i32(60000), i64(-1n), i16(-1), T()),
    ],
    response: [{ throttleTimeMs: 0, errorCode: 0, producerId: 1000n, producerEpoch: 1 }, bytes(i32(0), i16(0), i64(1000n), i16(1), T())],
  },
])

check(apis.SaslHandshake, [
  {
    version: 0,
    request: [{ mechanism: 'PLAIN' }, bytes(s('PLAIN'))],
    response: [{ errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] }, bytes(i16(0), a(2), s('PLAIN'), s('SCRAM-SHA-256'))],
  },
  {
    version: 1,
    request: [{ mechanism: 'SCRAM-SHA-512' }, bytes(s('SCRAM-SHA-512'))],
    response: [{ errorCode: 33, mechanisms: ['PLAIN'] }, bytes(i16(33), a(1), s('PLAIN'))],
  },
])

check(apis.SaslAuthenticate, [
  {
    version: 0,
    request: [{ authBytes: Buffer.from('\0u\0p') }, bytes(by('\0u\0p'))],
    response: [{ errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0) }, bytes(i16(0), ns(), by([]))],
  },
  {
    version: 2,
    request: [{ authBytes: Buffer.from('n,,n=u,r=abc') }, bytes(cby('n,,n=u,r=abc'), T())],
    response: [
      { errorCode: 58, errorMessage: 'bad', authBytes: Buffer.alloc(0), sessionLifetimeMs: 3600000n },
      bytes(i16(58), cs('bad'), cby([]), i64(3600000n), T()),
    ],
  },
])

check(apis.AlterPartitionReassignments, [
  {
    version: 0,
    request: [
      { timeoutMs: 60000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1, 2, 3] }, { partitionIndex: 1, replicas: null }] }] },
      bytes(i32(60000), ca(1), cs('t'), ca(2), i32(0), ca(3), i32(1), i32(2), i32(3), T(), i32(1), cn(), T(), T(), T()),
    ],
    response: [
      { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }] },
      bytes(i32(0), i16(0), cn(), ca(1), cs('t'), ca(1), i32(0), i16(0), cn(), T(), T(), T()),
    ],
  },
  {
    version: 1,
    request: [{ timeoutMs: 30000, allowReplicationFactorChange: false, topics: [] }, bytes(i32(30000), bool(false), ca(0), T())],
    response: [
      { throttleTimeMs: 0, allowReplicationFactorChange: false, errorCode: 0, errorMessage: null, responses: [] },
      bytes(i32(0), bool(false), i16(0), cn(), ca(0), T()),
    ],
  },
])

check(apis.ListPartitionReassignments, [
  {
    version: 0,
    request: [{ timeoutMs: 60000, topics: null }, bytes(i32(60000), cn(), T())],
    response: [
      {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1, 2], addingReplicas: [2], removingReplicas: [] }] }],
      },
      bytes(i32(0), i16(0), cn(), ca(1), cs('t'), ca(1), i32(0), ca(2), i32(1), i32(2), ca(1), i32(2), ca(0), T(), T(), T()),
    ],
  },
])

check(apis.ElectLeaders, [
  {
    version: 0,
    request: [{ topicPartitions: [{ topic: 't', partitions: [0] }], timeoutMs: 60000 }, bytes(a(1), s('t'), a(1), i32(0), i32(60000))],
    response: [
      { throttleTimeMs: 0, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: 0, errorMessage: null }] }] },
      bytes(i32(0), a(1), s('t'), a(1), i32(0), i16(0), ns()),
    ],
  },
  {
    version: 2,
    request: [{ electionType: 1, topicPartitions: null, timeoutMs: 60000 }, bytes(i8(1), cn(), i32(60000), T())],
    response: [
      { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: 84, errorMessage: 'x' }] }] },
      bytes(i32(0), i16(0), ca(1), cs('t'), ca(1), i32(0), i16(84), cs('x'), T(), T(), T()),
    ],
  },
])

check(apis.DeleteRecords, [
  {
    version: 0,
    request: [
      { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 10n }] }], timeoutMs: 5000 },
      bytes(a(1), s('t'), a(1), i32(0), i64(10n), i32(5000)),
    ],
    response: [
      { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 10n, errorCode: 0 }] }] },
      bytes(i32(0), a(1), s('t'), a(1), i32(0), i64(10n), i16(0)),
    ],
  },
  {
    version: 2,
    request: [
      { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: -1n }] }], timeoutMs: 5000 },
      bytes(ca(1), cs('t'), ca(1), i32(0), i64(-1n), T(), T(), i32(5000), T()),
    ],
    response: [
      { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 20n, errorCode: 0 }] }] },
      bytes(i32(0), ca(1), cs('t'), ca(1), i32(0), i64(20n), i16(0), T(), T(), T()),
    ],
  },
])

check(apis.OffsetForLeaderEpoch, [
  {
    version: 0,
    request: [{ topics: [{ topic: 't', partitions: [{ partition: 0, leaderEpoch: 3 }] }] }, bytes(a(1), s('t'), a(1), i32(0), i32(3))],
    response: [
      { topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, endOffset: 99n }] }] },
      bytes(a(1), s('t'), a(1), i16(0), i32(0), i64(99n)),
    ],
  },
  {
    version: 4,
    request: [
      { replicaId: -1, topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 4, leaderEpoch: 3 }] }] },
      bytes(i32(-1), ca(1), cs('t'), ca(1), i32(0), i32(4), i32(3), T(), T(), T()),
    ],
    response: [
      { throttleTimeMs: 0, topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 3, endOffset: 99n }] }] },
      bytes(i32(0), ca(1), cs('t'), ca(1), i16(0), i32(0), i32(3), i64(99n), T(), T(), T()),
    ],
  },
])

test('every API has golden cases at its lowest and highest version', () => {
  for (const api of Object.values(apis)) {
    const versions = covered.get(api.name)
    assert.ok(versions?.has(api.minVersion), `${api.name}: no golden case at v${api.minVersion}`)
    assert.ok(versions?.has(api.maxVersion), `${api.name}: no golden case at v${api.maxVersion}`)
  }
})
