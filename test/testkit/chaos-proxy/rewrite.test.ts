/**
 * Address rewriting in every version of the answers that carry broker addresses: only host and
 * port change, to the proxy's address for that node id; every other field survives. Fetch and
 * Produce answers carry them (KIP-951's nodeEndpoints) only when a partition's leader moved.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apis } from '../../../src/protocol/apis/index.ts'
import type { EncodableResponseBody, ResponseBody } from '../../../src/protocol/messages.ts'
import type { ApiDescriptor } from '../../../src/protocol/descriptor.ts'
import { decodeResponse, encodeResponse } from '../../../src/protocol/framing.ts'
import { carriesAddresses, rewriteAnswer, type AdvertisedBroker, type Address } from '../../../src/testkit/chaos-proxy/rewrite.ts'

const CORRELATION_ID = 4242

/** The proxy address of node n is 127.0.0.9:(40000 + n); every upstream address asked about is recorded. */
function fakeListeners (): { listenerFor: (b: AdvertisedBroker) => Promise<Address>, seen: AdvertisedBroker[] } {
  const seen: AdvertisedBroker[] = []
  return { seen, listenerFor: async (b) => { seen.push(b); return { host: '127.0.0.9', port: 40000 + b.nodeId } } }
}

async function roundTrip<A extends ApiDescriptor> (api: A, version: number, body: EncodableResponseBody<A>): Promise<{ before: ResponseBody<A>, after: ResponseBody<A>, seen: AdvertisedBroker[] }> {
  const frame = encodeResponse(api, version, CORRELATION_ID, body)
  const { listenerFor, seen } = fakeListeners()
  const rewritten = await rewriteAnswer(api.apiKey, version, frame, listenerFor)
  const after = decodeResponse(api, version, rewritten)
  assert.equal(after.correlationId, CORRELATION_ID)
  return { before: decodeResponse(api, version, frame).body, after: after.body, seen }
}

const upstreamBrokers = [
  { nodeId: 1, host: 'kafka-1.internal', port: 9092, rack: 'a' },
  { nodeId: 7, host: '10.0.0.7', port: 19092, rack: null },
]

describe('rewriteAnswer', () => {
  for (let version = apis.Metadata.minVersion; version <= apis.Metadata.maxVersion; version++) {
    test(`Metadata v${version}: every broker points at the proxy, topics and the rest unchanged`, async () => {
      const { before, after, seen } = await roundTrip(apis.Metadata, version, {
        throttleTimeMs: 5,
        brokers: upstreamBrokers,
        clusterId: 'cluster-x',
        controllerId: 7,
        topics: [{ errorCode: 0, name: 'orders', topicId: 'MDEyMzQ1Njc4OWFiY2RlZg', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 7, leaderEpoch: 3, replicaNodes: [7, 1], isrNodes: [7], offlineReplicas: [1] }] }],
      })
      assert.deepEqual(seen, upstreamBrokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })))
      assert.deepEqual(after.brokers.map((b) => [b.nodeId, b.host, b.port]), [[1, '127.0.0.9', 40001], [7, '127.0.0.9', 40007]])
      assert.deepEqual({ ...after, brokers: [] }, { ...before, brokers: [] })
      assert.deepEqual(after.brokers.map((b) => b.rack), before.brokers.map((b) => b.rack))
    })
  }

  for (let version = 0; version <= 3; version++) {
    test(`FindCoordinator v${version}: the one coordinator points at the proxy; an error answer stays as it is`, async () => {
      const found = await roundTrip(apis.FindCoordinator, version, { throttleTimeMs: 1, errorCode: 0, errorMessage: null, nodeId: 7, host: '10.0.0.7', port: 19092 })
      assert.deepEqual([found.after.nodeId, found.after.host, found.after.port], [7, '127.0.0.9', 40007])
      assert.deepEqual(found.seen, [{ nodeId: 7, host: '10.0.0.7', port: 19092 }])
      const failed = await roundTrip(apis.FindCoordinator, version, { throttleTimeMs: 1, errorCode: 15, errorMessage: null, nodeId: -1, host: '', port: -1 })
      assert.deepEqual(failed.after, failed.before)
      assert.deepEqual(failed.seen, [])
    })
  }

  for (let version = 4; version <= apis.FindCoordinator.maxVersion; version++) {
    test(`FindCoordinator v${version}: each found coordinator points at the proxy, failed keys stay as they are`, async () => {
      const { before, after, seen } = await roundTrip(apis.FindCoordinator, version, {
        throttleTimeMs: 0,
        coordinators: [
          { key: 'billing', nodeId: 1, host: 'kafka-1.internal', port: 9092, errorCode: 0, errorMessage: null },
          { key: 'loading', nodeId: -1, host: '', port: -1, errorCode: 14, errorMessage: 'loading' },
        ],
      })
      assert.deepEqual(seen, [{ nodeId: 1, host: 'kafka-1.internal', port: 9092 }])
      assert.deepEqual(after.coordinators?.[0], { ...before.coordinators?.[0], host: '127.0.0.9', port: 40001 })
      assert.deepEqual(after.coordinators?.[1], before.coordinators?.[1])
    })
  }

  for (let version = 0; version <= apis.DescribeCluster.maxVersion; version++) {
    test(`DescribeCluster v${version}: brokers point at the proxy`, async () => {
      const { before, after } = await roundTrip(apis.DescribeCluster, version, {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        clusterId: 'cluster-x',
        controllerId: 1,
        brokers: upstreamBrokers.map(({ nodeId, host, port, rack }) => ({ brokerId: nodeId, host, port, rack, isFenced: false })),
        clusterAuthorizedOperations: 0,
      })
      assert.deepEqual(after.brokers.map((b) => [b.brokerId, b.host, b.port]), [[1, '127.0.0.9', 40001], [7, '127.0.0.9', 40007]])
      assert.deepEqual({ ...after, brokers: [] }, { ...before, brokers: [] })
    })
  }

  test('DescribeCluster with controller endpoints (endpointType 2) is left alone: controllers are not brokers', async () => {
    const { before, after, seen } = await roundTrip(apis.DescribeCluster, 1, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: 2,
      clusterId: 'cluster-x',
      controllerId: 101,
      brokers: [{ brokerId: 101, host: '10.0.0.101', port: 9093, rack: null }],
    })
    assert.deepEqual(after, before)
    assert.deepEqual(seen, [])
  })

  const batchBytes = Buffer.from('a record batch, relayed as bytes')
  const movedTo = [{ nodeId: 7, host: '10.0.0.7', port: 19092, rack: 'b' }]

  for (let version = 16; version <= apis.Fetch.maxVersion; version++) {
    test(`Fetch v${version}: nodeEndpoints point at the proxy; records and the rest unchanged; an answer without them is the same bytes`, async () => {
      const partition = { partitionIndex: 2, errorCode: 6, highWatermark: 40n, lastStableOffset: 40n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, records: batchBytes, currentLeader: { leaderId: 7, leaderEpoch: 9 } }
      const body = { throttleTimeMs: 0, errorCode: 0, sessionId: 12, responses: [{ topicId: 'MDEyMzQ1Njc4OWFiY2RlZg', partitions: [partition] }] }
      const { before, after, seen } = await roundTrip(apis.Fetch, version, { ...body, nodeEndpoints: movedTo })
      assert.deepEqual(seen, [{ nodeId: 7, host: '10.0.0.7', port: 19092 }])
      assert.deepEqual(after.nodeEndpoints, [{ nodeId: 7, host: '127.0.0.9', port: 40007, rack: 'b' }])
      assert.deepEqual({ ...after, nodeEndpoints: [] }, { ...before, nodeEndpoints: [] })
      assert.deepEqual(after.responses[0]?.partitions[0]?.records, batchBytes)
      const plain = encodeResponse(apis.Fetch, version, CORRELATION_ID, body)
      const { listenerFor } = fakeListeners()
      assert.equal(await rewriteAnswer(apis.Fetch.apiKey, version, plain, listenerFor), plain)
    })
  }

  for (let version = 10; version <= apis.Produce.maxVersion; version++) {
    test(`Produce v${version}: nodeEndpoints point at the proxy; an answer without them is the same bytes`, async () => {
      const partition = { index: 0, errorCode: 6, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null, currentLeader: { leaderId: 7, leaderEpoch: 9 } }
      const body = { responses: [{ name: 'orders', partitionResponses: [partition] }], throttleTimeMs: 0 }
      const { before, after, seen } = await roundTrip(apis.Produce, version, { ...body, nodeEndpoints: movedTo })
      assert.deepEqual(seen, [{ nodeId: 7, host: '10.0.0.7', port: 19092 }])
      assert.deepEqual(after.nodeEndpoints, [{ nodeId: 7, host: '127.0.0.9', port: 40007, rack: 'b' }])
      assert.deepEqual({ ...after, nodeEndpoints: [] }, { ...before, nodeEndpoints: [] })
      const plain = encodeResponse(apis.Produce, version, CORRELATION_ID, body)
      const { listenerFor } = fakeListeners()
      assert.equal(await rewriteAnswer(apis.Produce.apiKey, version, plain, listenerFor), plain)
    })
  }

  test('carriesAddresses names exactly the APIs whose answers carry addresses, from the version they do, within the versions the descriptors know', () => {
    assert.equal(carriesAddresses(apis.Metadata.apiKey, 12), true)
    assert.equal(carriesAddresses(apis.FindCoordinator.apiKey, 6), true)
    assert.equal(carriesAddresses(apis.DescribeCluster.apiKey, 0), true)
    assert.equal(carriesAddresses(apis.Produce.apiKey, 9), false)
    assert.equal(carriesAddresses(apis.Produce.apiKey, 10), true)
    assert.equal(carriesAddresses(apis.Fetch.apiKey, 15), false)
    assert.equal(carriesAddresses(apis.Fetch.apiKey, 16), true)
    assert.equal(carriesAddresses(apis.Fetch.apiKey, apis.Fetch.maxVersion + 1), false)
    assert.equal(carriesAddresses(apis.ApiVersions.apiKey, 3), false)
    assert.equal(carriesAddresses(apis.Metadata.apiKey, apis.Metadata.maxVersion + 1), false)
  })
})
