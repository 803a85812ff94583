/**
 * Issue 9 §4.3: every admin API librdkafka's mock lacks, against real Kafka, each result checked
 * through a witness that shares no code with steadfast: the rig's control helper (Kafka's own
 * AdminClient and consumer) and kcat.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '../../src/admin/admin.ts'
import { AdminError } from '../../src/admin/errors.ts'
import { Producer } from '../../src/producer/producer.ts'
import { kcatProduce, kcatRead, silent } from '../producer/helpers.ts'
import { eventually } from './eventually.ts'
import { kcatEarliest, kcatGroupMember, kcatTopics } from './kcat.ts'
import { realClusterSuite, unique } from './suite.ts'

describe('admin APIs against real Kafka', { timeout: 300_000 }, () => {
  const suite = realClusterSuite({ brokers: 3 })
  const admin = (): Admin => suite.closeAfter(new Admin({ bootstrap: suite.cluster.bootstrap, logger: silent }))

  test('createTopics (partitions, replication factor, configs; validateOnly creates nothing), createPartitions, deleteTopics', async () => {
    const { cluster } = suite
    const a = admin()
    const topic = unique('created')
    const dryRun = unique('dry-run')
    await a.createTopics([{ name: dryRun, partitions: 2, replicationFactor: 2 }], { validateOnly: true })
    await a.createTopics([{ name: topic, partitions: 4, replicationFactor: 2, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' } }])
    await eventually(async () => {
      assert.deepEqual((await cluster.describeTopic(topic)).map((p) => [p.partition, p.replicas.length]), [[0, 2], [1, 2], [2, 2], [3, 2]])
      assert.equal((await kcatTopics(cluster.bootstrap)).get(topic), 4)
    })
    const configs = await cluster.describeConfigs('topic', topic)
    assert.deepEqual([configs['retention.ms'], configs['cleanup.policy']], ['3600000', 'compact'])
    await assert.rejects(cluster.describeTopic(dryRun), /UnknownTopicOrPartition/, 'validateOnly created nothing')
    const exists = await a.createTopics([{ name: topic, partitions: 1 }]).catch((e: unknown) => e)
    assert.ok(exists instanceof AdminError && exists.errorName === 'TOPIC_ALREADY_EXISTS', String(exists))

    await a.createPartitions([{ topic, count: 6 }])
    await eventually(async () => {
      assert.equal((await cluster.describeTopic(topic)).length, 6)
      assert.equal((await kcatTopics(cluster.bootstrap)).get(topic), 6)
    })

    await a.deleteTopics([topic])
    await eventually(async () => {
      await assert.rejects(cluster.describeTopic(topic), /UnknownTopicOrPartition/)
      assert.equal((await kcatTopics(cluster.bootstrap)).has(topic), false)
    })
    const missing = await a.deleteTopics([topic]).catch((e: unknown) => e)
    assert.ok(missing instanceof AdminError && missing.errorName === 'UNKNOWN_TOPIC_OR_PARTITION', String(missing))
  })

  test('describeConfigs and incrementalAlterConfigs (set, delete; topic and broker) agree with the Java AdminClient', async () => {
    const { cluster } = suite
    const a = admin()
    const topic = unique('configs')
    await cluster.createTopic({ name: topic, partitions: 1, replicationFactor: 3 })
    await a.incrementalAlterConfigs([{ type: 'topic', name: topic, set: { 'retention.ms': '7200000', 'max.message.bytes': '200000' } }])
    await a.incrementalAlterConfigs([{ type: 'topic', name: topic, delete: ['max.message.bytes'] }])
    const java = await eventually(async () => {
      const configs = await cluster.describeConfigs('topic', topic)
      assert.equal(configs['retention.ms'], '7200000')
      assert.equal(configs['max.message.bytes'], '1048588', 'deleted: back to the default')
      return configs
    })
    const ours = (await a.describeConfigs([{ type: 'topic', name: topic }])).get(`topic:${topic}`) ?? []
    assert.deepEqual(Object.fromEntries(ours.map((e) => [e.name, e.value])), java, 'every topic config, value for value')
    assert.equal(ours.find((e) => e.name === 'retention.ms')?.source, 'dynamic-topic')

    await a.incrementalAlterConfigs([{ type: 'broker', name: '2', set: { 'log.cleaner.threads': '2' } }])
    const broker = await eventually(async () => {
      const entries = (await a.describeConfigs([{ type: 'broker', name: '2' }])).get('broker:2') ?? []
      assert.equal(entries.find((e) => e.name === 'log.cleaner.threads')?.value, '2')
      return entries
    })
    assert.deepEqual(Object.fromEntries(broker.map((e) => [e.name, e.value])), await cluster.describeConfigs('broker', '2'))
    assert.equal(broker.find((e) => e.name === 'log.segment.bytes')?.value, String(16 * 1024 * 1024), 'the rig\'s server.properties value')
  })

  test('listGroups, describeGroups (a live kcat member), deleteGroups (refused while it has members, then done)', async () => {
    const { cluster } = suite
    const a = admin()
    const topic = unique('groups')
    const group = unique('members')
    await cluster.createTopic({ name: topic, partitions: 2, replicationFactor: 3 })
    const member = await kcatGroupMember(cluster.bootstrap, group, topic)
    let left = false
    try {
      const [described] = await a.describeGroups([group])
      assert.equal(described?.state, 'Stable')
      assert.equal(described?.protocolType, 'consumer')
      assert.deepEqual(described?.members.map((m) => m.clientId), ['rdkafka'])
      assert.equal(described?.coordinator, await cluster.coordinatorOf(group))
      const listed = (await a.listGroups()).find((g) => g.groupId === group)
      assert.deepEqual([listed?.state, listed?.coordinator], ['Stable', await cluster.coordinatorOf(group)])
      assert.deepEqual((await cluster.listGroups()).find((g) => g.groupId === group)?.state, 'Stable')
      const refused = await a.deleteGroups([group]).catch((e: unknown) => e)
      assert.ok(refused instanceof AdminError && refused.errorName === 'NON_EMPTY_GROUP', String(refused))
      await member.leave()
      left = true
      assert.equal((await a.describeGroups([group]))[0]?.state, 'Empty')
      await a.deleteGroups([group])
      assert.equal((await cluster.listGroups()).some((g) => g.groupId === group), false, 'the Java AdminClient no longer lists it')
      assert.equal((await a.listGroups()).some((g) => g.groupId === group), false)
    } finally {
      if (!left) await member.leave()
    }
  })

  test('deleteRecords moves the log start: kcat and the Java consumer read from there', async () => {
    const { cluster } = suite
    const a = admin()
    const topic = unique('delete-records')
    await cluster.createTopic({ name: topic, partitions: 1, replicationFactor: 3 })
    await kcatProduce(cluster.bootstrap, topic, Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`))
    const [result] = await a.deleteRecords([{ topic, partition: 0, offset: 4 }])
    assert.deepEqual(result, { topic, partition: 0, lowWatermark: 4n })
    assert.equal(await kcatEarliest(cluster.bootstrap, topic, 0), 4)
    assert.deepEqual((await kcatRead(cluster.bootstrap, topic, 0)).map((r) => [r.offset, r.key]), [4, 5, 6, 7, 8, 9].map((o) => [o, `k${o}`]))
    assert.deepEqual((await cluster.readPartition(topic, 0)).map((r) => r.offset), [4, 5, 6, 7, 8, 9])
    assert.deepEqual((await a.listOffsets([{ topic }], 'earliest')).map((o) => o.offset), [4n])
  })

  test('alterPartitionReassignments reorders the replicas, listPartitionReassignments is empty once done, electLeaders(preferred) moves the leader', async () => {
    const { cluster } = suite
    const a = admin()
    const topic = unique('reassign')
    await cluster.createTopic({ name: topic, partitions: 1, replicationFactor: 3 })
    const [before] = await cluster.describeTopic(topic)
    assert.ok(before !== undefined)
    const next = [...before.replicas.filter((r) => r !== before.leader), before.leader]
    await a.alterPartitionReassignments([{ topic, partition: 0, replicas: next }])
    assert.deepEqual((await a.listPartitionReassignments({ partitions: [{ topic, partition: 0 }] })), [], 'a reorder has nothing to copy: done at once')
    // The broker the Java AdminClient asks learns the controller's decisions a moment later: poll.
    await eventually(async () => {
      const [reordered] = await cluster.describeTopic(topic)
      assert.deepEqual(reordered?.replicas, next)
      assert.equal(reordered?.leader, before.leader, 'a reorder alone does not move the leader')
    })
    await a.electLeaders('preferred', [{ topic, partition: 0 }])
    await eventually(async () => { assert.equal(await cluster.leaderOf(topic, 0), next[0], 'the preferred replica leads') })
    const again = await a.electLeaders('preferred', [{ topic, partition: 0 }]).catch((e: unknown) => e)
    assert.equal(again, undefined, 'an election not needed is not an error')
  })

  test('an ongoing reassignment (held back by a replication throttle) is listed with its adding and removing replicas, and cancelled', async () => {
    const { cluster } = suite
    const a = admin()
    const topic = unique('moving')
    const throttledBrokers = cluster.brokers.map((b) => String(b.id))
    await a.createTopics([{ name: topic, assignments: { 0: [1] }, configs: { 'leader.replication.throttled.replicas': '*', 'follower.replication.throttled.replicas': '*' } }])
    const producer = suite.closeAfter(new Producer({ bootstrap: cluster.bootstrap, logger: silent }))
    const payload = 'x'.repeat(1024)
    await Promise.all(Array.from({ length: 4096 }, async () => await producer.send({ topic, partition: 0, value: payload })))
    await a.incrementalAlterConfigs(throttledBrokers.map((name) => ({ type: 'broker' as const, name, set: { 'leader.replication.throttled.rate': '1', 'follower.replication.throttled.rate': '1' } })))
    try {
      await eventually(async () => {
        for (const id of throttledBrokers) assert.equal((await cluster.describeConfigs('broker', id))['follower.replication.throttled.rate'], '1', `broker ${id} throttles`)
      })
      await a.alterPartitionReassignments([{ topic, partition: 0, replicas: [2] }])
      assert.deepEqual(await a.listPartitionReassignments({ partitions: [{ topic, partition: 0 }] }), [{ topic, partition: 0, replicas: [2, 1], adding: [2], removing: [1] }])
      assert.deepEqual((await cluster.describeTopic(topic))[0]?.replicas, [2, 1], 'the Java AdminClient sees both replica sets while it moves')
      await a.cancelPartitionReassignments([{ topic, partition: 0 }])
      assert.deepEqual(await a.listPartitionReassignments(), [])
      assert.deepEqual((await cluster.describeTopic(topic))[0]?.replicas, [1], 'cancelled: back where it was')
    } finally {
      await a.incrementalAlterConfigs(throttledBrokers.map((name) => ({ type: 'broker' as const, name, delete: ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'] })))
    }
  })

  test('describeCluster: the brokers and cluster id the Java AdminClient sees', async () => {
    const { cluster } = suite
    const ours = await admin().describeCluster()
    const java = await cluster.describeCluster()
    assert.equal(ours.clusterId, java.clusterId)
    assert.deepEqual(ours.brokers.map((b) => [b.nodeId, b.host, b.port]), java.brokers.map((b) => [b.id, b.host, b.port]).sort((x, y) => Number(x[0]) - Number(y[0])))
    assert.ok(ours.brokers.some((b) => b.nodeId === ours.controllerId), `the controller id ${ours.controllerId} is a live broker (KRaft brokers name one to clients)`)
  })
})
