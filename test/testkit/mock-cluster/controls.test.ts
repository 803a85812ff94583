/**
 * Every MockCluster control, observed through kcat (Debian's librdkafka 2.0.2), a client that
 * shares no code with steadfast: what the control changes must be visible on the wire.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { ApiKey, MockClusterRequestError, TRANSPORT_ERROR } from '../../../src/testkit/index.ts'
import { consume, kcat, metadata, produce, startCluster } from './support.ts'

const TOPIC_AUTHORIZATION_FAILED = 29
const UNKNOWN_TOPIC_OR_PARTITION = 3
const INVALID_RECORD = 87

async function connectOutcome (port: number): Promise<string> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

describe('MockCluster controls seen by kcat', () => {
  test('starts with the requested brokers and topics, and kcat sees exactly them', async (t) => {
    const cluster = await startCluster(t, { brokers: 3, topics: [{ name: 'orders', partitions: 3, replicationFactor: 2 }] })
    assert.deepEqual(cluster.brokers.map((b) => b.id), [1, 2, 3])
    assert.equal(cluster.bootstrap, cluster.brokers.map((b) => `127.0.0.1:${b.port}`).join(','))
    const md = await metadata(cluster.bootstrap, 'orders')
    assert.deepEqual(md.brokers.map((b) => b.name).sort(), cluster.brokers.map((b) => `127.0.0.1:${b.port}`).sort())
    const topic = md.topics.find((x) => x.topic === 'orders')
    assert.equal(topic?.partitions.length, 3)
    for (const p of topic?.partitions ?? []) assert.equal(p.replicas.length, 2)
  })

  test('messages produced by kcat come back exactly, in order, per partition', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'events', partitions: 2 }] })
    const first = Array.from({ length: 50 }, (_, i) => `p0-message-${i}`)
    const second = ['x', 'y', 'z']
    assert.equal((await produce(cluster.bootstrap, 'events', 0, first)).code, 0)
    assert.equal((await produce(cluster.bootstrap, 'events', 1, second)).code, 0)
    assert.deepEqual(await consume(cluster.bootstrap, 'events', 0), first.map((m, i) => `${i}:${m}`))
    assert.deepEqual(await consume(cluster.bootstrap, 'events', 1), second.map((m, i) => `${i}:${m}`))
  })

  test('createTopic refuses a duplicate and deleteTopic removes the topic', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'dup' }] })
    await assert.rejects(cluster.createTopic({ name: 'dup' }), (error: unknown) => {
      assert.ok(error instanceof MockClusterRequestError)
      assert.equal(error.code, 'STEADFAST_ERR_MOCK_CLUSTER_REQUEST')
      assert.equal(error.errorName, 'TOPIC_ALREADY_EXISTS')
      assert.equal(error.errorCode, 36)
      assert.match(error.message, /topic "dup"/)
      return true
    })
    await assert.rejects(cluster.createTopic({ name: 'wide', replicationFactor: 4 }), /replicationFactor.*exceeds the 3 brokers/)
    await cluster.deleteTopic('dup')
    await assert.rejects(cluster.deleteTopic('dup'), /UNKNOWN_TOPIC_OR_PART/)
    const md = await metadata(cluster.bootstrap)
    assert.equal(md.topics.some((x) => x.topic === 'dup'), false)
  })

  test('setPartitionLeader moves leadership, and -1 leaves the partition leaderless', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'moves', partitions: 2, replicationFactor: 3 }] })
    const leaderOf = async (partition: number): Promise<number | undefined> =>
      (await metadata(cluster.bootstrap, 'moves')).topics[0]?.partitions.find((p) => p.partition === partition)?.leader
    await cluster.setPartitionLeader('moves', 0, 2)
    assert.equal(await leaderOf(0), 2)
    await cluster.setPartitionLeader('moves', 0, 3)
    assert.equal(await leaderOf(0), 3)
    await cluster.setPartitionLeader('moves', 1, -1)
    assert.equal(await leaderOf(1), -1)
    await assert.rejects(cluster.setPartitionLeader('moves', 0, 9), /broker 9 does not exist/)
    await assert.rejects(cluster.setPartitionLeader('moves', 5, 1), /UNKNOWN_TOPIC_OR_PART/)
  })

  test('a downed broker refuses connections and accepts them again once up', async (t) => {
    const cluster = await startCluster(t, { brokers: 2 })
    const port = cluster.brokers[1]?.port ?? 0
    assert.equal(await connectOutcome(port), 'connected')
    await cluster.brokerDown(2)
    assert.equal(await connectOutcome(port), 'ECONNREFUSED')
    assert.equal(await connectOutcome(cluster.brokers[0]?.port ?? 0), 'connected')
    await cluster.brokerUp(2)
    assert.equal(await connectOutcome(port), 'connected')
    await cluster.brokerDown(-1)
    assert.equal(await connectOutcome(cluster.brokers[0]?.port ?? 0), 'ECONNREFUSED')
  })

  test('a cluster-wide Produce error comes back to kcat, once per pushed entry', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'denied' }] })
    await cluster.pushRequestErrors(ApiKey.Produce, [TOPIC_AUTHORIZATION_FAILED])
    const failed = await produce(cluster.bootstrap, 'denied', 0, ['a'])
    assert.notEqual(failed.code, 0)
    assert.match(failed.stderr, /Delivery failed for message: Broker: Topic authorization failed/)
    const delivered = await produce(cluster.bootstrap, 'denied', 0, ['b'])
    assert.equal(delivered.code, 0)
    assert.deepEqual(await consume(cluster.bootstrap, 'denied', 0), ['0:b'])
  })

  test('clearRequestErrors drops queued cluster-wide errors', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'cleared' }] })
    await cluster.pushRequestErrors(ApiKey.Produce, [TOPIC_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED])
    await cluster.clearRequestErrors(ApiKey.Produce)
    assert.equal((await produce(cluster.bootstrap, 'cleared', 0, ['ok'])).code, 0)
  })

  test('a partition-level error fails the produce to that partition only', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'parts', partitions: 2 }] })
    await cluster.pushPartitionRequestErrors('parts', 0, ApiKey.Produce, [INVALID_RECORD])
    const failed = await produce(cluster.bootstrap, 'parts', 0, ['bad'])
    assert.match(failed.stderr, /Delivery failed for message: Broker: Broker failed to validate record/)
    assert.equal((await produce(cluster.bootstrap, 'parts', 1, ['good'])).code, 0)
    assert.deepEqual(await consume(cluster.bootstrap, 'parts', 1), ['0:good'])
  })

  test('the transport error (-195) makes the broker drop the connection', async (t) => {
    const cluster = await startCluster(t, { brokers: 1 })
    await cluster.pushBrokerRequestErrors(1, ApiKey.Metadata, [TRANSPORT_ERROR])
    const result = await kcat(['-b', cluster.bootstrap, '-L', '-d', 'broker', '-m', '5'])
    assert.match(result.stderr, /Disconnected/)
    assert.equal(result.code, 0, 'kcat reconnects and gets metadata on the next attempt')
  })

  test('a broker-level RTT entry delays one answer past the client timeout', async (t) => {
    const cluster = await startCluster(t, { brokers: 1 })
    await cluster.pushBrokerRequestErrors(1, ApiKey.Metadata, [{ code: 0, rttMs: 4000 }])
    const delayed = await kcat(['-b', cluster.bootstrap, '-L', '-m', '1'])
    assert.notEqual(delayed.code, 0)
    assert.match(delayed.stderr, /Failed to acquire metadata/)
    assert.equal((await kcat(['-b', cluster.bootstrap, '-L', '-m', '5'])).code, 0)
  })

  test('setBrokerRtt delays every answer until it is reset', async (t) => {
    const cluster = await startCluster(t, { brokers: 2 })
    await cluster.setBrokerRtt(-1, 4000)
    const delayed = await kcat(['-b', cluster.bootstrap, '-L', '-m', '1'])
    assert.notEqual(delayed.code, 0)
    await cluster.setBrokerRtt(-1, 0)
    assert.equal((await kcat(['-b', cluster.bootstrap, '-L', '-m', '5'])).code, 0)
  })

  test('setTopicError makes Metadata report the error for that topic, and 0 clears it', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'broken', partitions: 2 }] })
    await cluster.setTopicError('broken', UNKNOWN_TOPIC_OR_PARTITION)
    const md = await metadata(cluster.bootstrap, 'broken')
    assert.equal(md.topics[0]?.error, 'Broker: Unknown topic or partition')
    await cluster.setTopicError('broken', 0)
    const healed = await metadata(cluster.bootstrap, 'broken')
    assert.equal(healed.topics[0]?.error, undefined)
    assert.equal(healed.topics[0]?.partitions.length, 2)
  })

  test('setControllerId changes the controller kcat sees', async (t) => {
    const cluster = await startCluster(t)
    await cluster.setControllerId(3)
    assert.equal((await metadata(cluster.bootstrap)).controllerid, 3)
    await cluster.setControllerId(-1)
    assert.equal((await metadata(cluster.bootstrap)).controllerid, -1)
  })

  test('setApiVersion restricts the versions the brokers advertise, and (-1, -1) removes the API', async (t) => {
    const cluster = await startCluster(t, { brokers: 1 })
    await cluster.setApiVersion(ApiKey.Metadata, 0, 4)
    const debug = await kcat(['-b', cluster.bootstrap, '-L', '-m', '5', '-d', 'protocol,feature'])
    assert.match(debug.stderr, /ApiKey Metadata \(3\) Versions 0\.\.4/)
    assert.match(debug.stderr, /Sent MetadataRequest \(v4,/)
    await cluster.setApiVersion(ApiKey.Metadata, -1, -1)
    const without = await kcat(['-b', cluster.bootstrap, '-L', '-m', '2', '-d', 'protocol'])
    assert.doesNotMatch(without.stderr, /ApiKey Metadata \(3\)/)
    assert.notEqual(without.code, 0)
  })

  test('addBroker and decommissionBroker show in the broker list kcat sees', async (t) => {
    const cluster = await startCluster(t, { brokers: 2 })
    const added = await cluster.addBroker(7)
    assert.equal(added.id, 7)
    assert.ok(added.port > 0)
    assert.deepEqual(cluster.brokers.map((b) => b.id), [1, 2, 7])
    const md = await metadata(cluster.bootstrap)
    assert.deepEqual(md.brokers.map((b) => b.id).sort(), [1, 2, 7])
    assert.ok(md.brokers.some((b) => b.name === `127.0.0.1:${added.port}`), 'the reported port is the one metadata advertises')
    await assert.rejects(cluster.addBroker(7), /broker 7 already exists/)
    await cluster.decommissionBroker(1)
    assert.deepEqual(cluster.brokers.map((b) => b.id), [2, 7])
    assert.deepEqual((await metadata(cluster.bootstrap)).brokers.map((b) => b.id).sort(), [2, 7])
  })

  test('setCoordinator sends the group to the chosen broker', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'grouped' }] })
    await produce(cluster.bootstrap, 'grouped', 0, ['m0', 'm1'])
    await cluster.setGroupInitialRebalanceDelay(0)
    await cluster.setCoordinator('group', 'g-coord', 3)
    await cluster.startRequestTracking()
    const result = await kcat(['-b', cluster.bootstrap, '-G', 'g-coord', '-e', '-q', '-o', 'beginning', '-f', '%o:%s\\n',
      '-X', 'session.timeout.ms=6000', 'grouped'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(result.stdout.split('\n').filter(Boolean), ['0:m0', '1:m1'])
    const groupCalls = (await cluster.getRequests()).filter((r) => r.apiKey === ApiKey.JoinGroup || r.apiKey === ApiKey.SyncGroup)
    assert.ok(groupCalls.length >= 2)
    assert.deepEqual([...new Set(groupCalls.map((r) => r.brokerId))], [3])
    await assert.rejects(cluster.setCoordinator('cluster' as 'group', 'x', 1), /"type" must be "group" or "transaction", got "cluster"/)
  })

  test('setPartitionFollower sends consumers to fetch from the follower', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'nearby', replicationFactor: 3 }] })
    await produce(cluster.bootstrap, 'nearby', 0, ['a', 'b'])
    await cluster.setPartitionLeader('nearby', 0, 1)
    await cluster.setPartitionFollower('nearby', 0, 2)
    await cluster.setBrokerRack(-1, 'rack-1')
    await cluster.startRequestTracking()
    assert.deepEqual(await consume(cluster.bootstrap, 'nearby', 0, ['-X', 'client.rack=rack-1']), ['0:a', '1:b'])
    const fetchBrokers = (await cluster.getRequests()).filter((r) => r.apiKey === ApiKey.Fetch).map((r) => r.brokerId)
    assert.equal(fetchBrokers[0], 1, 'the first fetch goes to the leader')
    assert.ok(fetchBrokers.slice(1).includes(2), `later fetches go to follower 2, got ${fetchBrokers.join(',')}`)
    await cluster.setFollowerWatermarks('nearby', 0, -1, -1)
    await assert.rejects(cluster.setFollowerWatermarks('nearby', 0, 5, 2), /"low" \(5\) must not exceed "high" \(2\)/)
  })

  test('deleteRecords advances the log start offset', async (t) => {
    const cluster = await startCluster(t, { topics: [{ name: 'trimmed' }] })
    await produce(cluster.bootstrap, 'trimmed', 0, ['a', 'b', 'c', 'd'])
    await cluster.deleteRecords('trimmed', 0, 2)
    assert.deepEqual(await consume(cluster.bootstrap, 'trimmed', 0), ['2:c', '3:d'])
    await assert.rejects(cluster.deleteRecords('trimmed', 0, 9), /OFFSET_OUT_OF_RANGE/)
  })

  test('request tracking records kcat\'s requests by broker and API key until stopped', async (t) => {
    const cluster = await startCluster(t, { brokers: 1 })
    await cluster.startRequestTracking()
    await metadata(cluster.bootstrap)
    const seen = await cluster.getRequests()
    assert.ok(seen.some((r) => r.apiKey === ApiKey.ApiVersions && r.brokerId === 1))
    assert.ok(seen.some((r) => r.apiKey === ApiKey.Metadata && r.brokerId === 1))
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i]?.timestampUs ?? 0) >= (seen[i - 1]?.timestampUs ?? 0))
    await cluster.clearRequests()
    assert.deepEqual(await cluster.getRequests(), [])
    await cluster.stopRequestTracking()
    await metadata(cluster.bootstrap)
    assert.deepEqual(await cluster.getRequests(), [])
  })

  test('setBrokerRack and setBrokerAdvertisedListener are accepted and validated', async (t) => {
    const cluster = await startCluster(t, { brokers: 2 })
    await cluster.setBrokerRack(1, 'eu-west-1a')
    await assert.rejects(cluster.setBrokerRack(5, 'x'), /broker 5 does not exist/)
    const port = cluster.brokers[1]?.port ?? 0
    await cluster.setBrokerAdvertisedListener(1, '127.0.0.1', port)
    const md = await metadata(cluster.bootstrap)
    assert.equal(md.brokers.filter((b) => b.name === `127.0.0.1:${port}`).length, 2, 'broker 1 now advertises broker 2\'s address')
    await assert.rejects(cluster.setBrokerAdvertisedListener(1, '', 1), /field "host" must be 1 to 127 characters/)
  })
})
