/**
 * The real-Kafka rig's controls, each checked with an independent client (Debian's kcat) as well
 * as through Kafka's own AdminClient: what a control promises is what a client then sees.
 * One cluster for the file: 3 brokers and a dedicated controller, so two brokers may be down at once.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, createServer, type Server } from 'node:net'
import { RealCluster, locateKafka } from '../../../src/testkit/index.ts'
import { startControlHelper } from '../../../src/testkit/real-cluster/control-helper.ts'
import { Cluster } from '../../../src/cluster/index.ts'
import { consume, metadata, produce } from '../mock-cluster/support.ts'

let cluster: RealCluster

before(async () => {
  cluster = await RealCluster.start({ brokers: 3, controllers: 1, topics: [{ name: 'rig-orders', partitions: 3, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

/** Resolves with true when something accepts a TCP connection on the port, false when it is refused. */
async function accepts (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/**
 * A port that answers its first connection with an HTTP error, as a stray web server would, and
 * passes every later one through to `target`: Kafka's client reads "HTTP" as a 1.2 GB frame size.
 */
async function httpOnceThen (target: number): Promise<{ server: Server, bootstrap: string, connections: () => number }> {
  let connections = 0
  const server = createServer((client) => {
    client.on('error', () => client.destroy())
    if (++connections === 1) {
      client.once('data', () => client.end('HTTP/1.1 400 Bad Request\r\n\r\n'))
      return
    }
    const upstream = connect(target, '127.0.0.1')
    upstream.on('error', () => client.destroy())
    client.pipe(upstream).pipe(client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, bootstrap: `127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections }
}

describe('RealCluster', () => {
  test('starts every broker registered, with the topic led and fully replicated, as kcat sees it', async () => {
    const md = await metadata(cluster.bootstrap, 'rig-orders')
    assert.deepEqual(md.brokers.map((b) => b.id).sort(), [1, 2, 3])
    const partitions = md.topics[0]?.partitions ?? []
    assert.equal(partitions.length, 3)
    for (const p of partitions) assert.equal(p.replicas.length, 3)
    assert.deepEqual(cluster.nodeIds, [1, 2, 3, 101])
    assert.match(cluster.kafkaVersion, /^4\./)
    const described = await cluster.describeCluster()
    assert.equal(described.clusterId, cluster.clusterId)
    // In KRaft mode Kafka tells clients some live broker is the controller (they cannot reach the quorum).
    assert.ok([1, 2, 3].includes(described.controller))
  })

  test('kill(leader) returns with the broker fenced and the partition led elsewhere; startNode brings it back', async () => {
    const leader = await cluster.leaderOf('rig-orders', 0)
    assert.equal((await produce(cluster.bootstrap, 'rig-orders', 0, ['before-kill'])).code, 0)
    const pid = cluster.pidOf(leader)
    await cluster.kill(leader)
    assert.equal(cluster.isRunning(leader), false)
    assert.notEqual(pid, undefined)
    const md = await metadata(cluster.bootstrap, 'rig-orders')
    assert.equal(md.brokers.some((b) => b.id === leader), false, 'kcat no longer sees the killed broker')
    const newLeader = md.topics[0]?.partitions.find((p) => p.partition === 0)?.leader
    assert.notEqual(newLeader, leader)
    assert.notEqual(newLeader, -1)
    assert.equal((await produce(cluster.bootstrap, 'rig-orders', 0, ['after-kill'])).code, 0)
    await cluster.startNode(leader)
    assert.equal(cluster.isRunning(leader), true)
    assert.deepEqual((await metadata(cluster.bootstrap)).brokers.map((b) => b.id).sort(), [1, 2, 3])
    const values = (await consume(cluster.bootstrap, 'rig-orders', 0)).map((l) => l.slice(l.indexOf(':') + 1))
    assert.deepEqual(values, ['before-kill', 'after-kill'])
  })

  test('moveLeader makes the asked broker the leader, as kcat then reports', async () => {
    const current = await cluster.leaderOf('rig-orders', 1)
    const target = [1, 2, 3].find((id) => id !== current) as number
    await cluster.moveLeader('rig-orders', 1, target)
    const md = await metadata(cluster.bootstrap, 'rig-orders')
    assert.equal(md.topics[0]?.partitions.find((p) => p.partition === 1)?.leader, target)
  })

  test('two brokers down at once keep the cluster serving: the dedicated controller holds the quorum', async () => {
    await cluster.kill(2)
    await cluster.stopNode(3)
    try {
      const md = await metadata(cluster.bootstrap, 'rig-orders')
      assert.deepEqual(md.brokers.map((b) => b.id), [1])
      for (const p of md.topics[0]?.partitions ?? []) assert.equal(p.leader, 1)
      assert.equal((await produce(cluster.bootstrap, 'rig-orders', 2, ['one-broker-left'])).code, 0)
    } finally {
      await cluster.startNode(2)
      await cluster.startNode(3)
    }
    assert.deepEqual((await metadata(cluster.bootstrap)).brokers.map((b) => b.id).sort(), [1, 2, 3])
  })

  test('pause makes a broker hang (port open, fenced); resume brings it back', async () => {
    const port = cluster.brokers.find((b) => b.id === 3)?.port as number
    await cluster.pause(3)
    try {
      assert.equal(await accepts(port), true, 'a paused broker still accepts TCP (the kernel does)')
      assert.equal((await cluster.describeCluster()).brokers.some((b) => b.id === 3), false)
    } finally {
      await cluster.resume(3)
    }
    assert.equal((await cluster.describeCluster()).brokers.some((b) => b.id === 3), true)
  })

  test('restartWithNewEndpoint: same id on a new port, the old port closed, kcat sees the new endpoint', async () => {
    const old = cluster.brokers.find((b) => b.id === 2)?.port as number
    const moved = await cluster.restartWithNewEndpoint(2)
    assert.equal(moved.id, 2)
    assert.notEqual(moved.port, old)
    assert.equal(await accepts(old), false, 'nothing listens on the old port')
    const md = await metadata(`127.0.0.1:${moved.port}`)
    assert.equal(md.brokers.find((b) => b.id === 2)?.name, `127.0.0.1:${moved.port}`)
    assert.ok(cluster.bootstrap.includes(`127.0.0.1:${moved.port}`))
  })

  test('restartAllWithNewEndpoints: every broker on a new port at once, no old port open, the data still there', async () => {
    const topic = 'rig-all-move'
    await cluster.createTopic({ name: topic, partitions: 1, replicationFactor: 3 })
    assert.equal((await produce(cluster.bootstrap, topic, 0, ['one', 'two'])).code, 0)
    const old = cluster.brokers.map((b) => b.port)
    const moved = await cluster.restartAllWithNewEndpoints()
    assert.deepEqual(moved.map((b) => b.id), [1, 2, 3])
    for (const port of old) assert.equal(await accepts(port), false, `nothing listens on old port ${port}`)
    assert.equal(moved.some((b) => old.includes(b.port)), false, 'every port is new')
    const md = await metadata(cluster.bootstrap)
    assert.deepEqual(md.brokers.map((b) => b.name).sort(), moved.map((b) => `127.0.0.1:${b.port}`).sort(), 'kcat sees only the new endpoints')
    assert.deepEqual((await cluster.readPartition(topic, 0)).map((r) => r.value), ['one', 'two'], 'the control helper reads on the new ports')
    assert.deepEqual(await consume(cluster.bootstrap, topic, 0), ['0:one', '1:two'], 'and so does kcat')
  })

  test('coordinatorOf names the broker a FindCoordinator request answers (asked by steadfast\'s own client)', async () => {
    const client = new Cluster({ bootstrap: cluster.bootstrap })
    try {
      for (const group of ['rig-coordinator-a', 'rig-coordinator-b', 'rig-coordinator-c']) {
        const connection = await client.coordinator('group', group)
        assert.equal(connection.endpoint.nodeId, await cluster.coordinatorOf(group), group)
      }
    } finally {
      await client.close()
    }
  })

  test('the control helper outlives its AdminClient\'s thread dying: the failed request says why, the next one works, a wait for the brokers carries on', async () => {
    const brokers = cluster.brokers.map((b) => ({ id: b.id, port: b.port }))
    const once1 = await httpOnceThen(brokers[0]!.port)
    const helper = await startControlHelper(locateKafka(), once1.bootstrap)
    try {
      await assert.rejects(helper.request('brokers'), /AdminClient thread has exited.*died of java\.lang\.OutOfMemoryError.*the next request uses a new AdminClient/)
      const reply = await helper.request('brokers') as unknown as { brokers: Array<{ id: number }> }
      assert.deepEqual(reply.brokers.map((b) => b.id).sort(), [1, 2, 3])
    } finally {
      await helper.close()
      once1.server.close()
    }
    const once2 = await httpOnceThen(brokers[0]!.port)
    const waiting = await startControlHelper(locateKafka(), once2.bootstrap)
    try {
      const reply = await waiting.request('waitBrokers', { brokers, timeoutMs: 30_000 }) as unknown as { brokers: Array<{ id: number }> }
      assert.deepEqual(reply.brokers.map((b) => b.id).sort(), [1, 2, 3])
      assert.ok(once2.connections() >= 2, 'the first AdminClient met the HTTP answer')
    } finally {
      await waiting.close()
      once2.server.close()
    }
  })

  test('createTopic of a topic that exists is refused, naming it; the topic is left as it was', async () => {
    await assert.rejects(cluster.createTopic({ name: 'rig-orders', partitions: 1, replicationFactor: 1 }), /TopicExistsException: Topic 'rig-orders' already exists/)
    const md = await metadata(cluster.bootstrap, 'rig-orders')
    assert.equal(md.topics[0]?.partitions.length, 3)
  })

  test('brokerLogs returns the node\'s log4j2 output', () => {
    const log = cluster.brokerLogs(1)
    assert.match(log, /Kafka Server started|KafkaServer id=1\] started|\[BrokerServer id=1\] Transition from STARTING to STARTED/)
    assert.equal(cluster.brokerLogs(1, 5).split('\n').length <= 6, true)
  })
})
