/**
 * killNodes / startNodes on a cluster whose three nodes are also its whole controller quorum: all
 * of them killed at once leave nothing listening; started together they form the quorum again,
 * every broker registered, the data written before still there, as kcat reads it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { RealCluster } from '../../../src/testkit/index.ts'
import { consume, metadata, produce } from '../mock-cluster/support.ts'

let cluster: RealCluster

before(async () => {
  cluster = await RealCluster.start({ brokers: 3, topics: [{ name: 'quorum-orders', partitions: 3, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

async function accepts (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

describe('RealCluster with a combined quorum', { timeout: 300_000 }, () => {
  test('killNodes(all) leaves no broker listening; startNodes(all) brings the quorum and every broker back with the data', async () => {
    for (let p = 0; p < 3; p++) assert.equal((await produce(cluster.bootstrap, 'quorum-orders', p, [`before-${p}`])).code, 0)
    await cluster.killNodes([1, 2, 3])
    for (const id of [1, 2, 3]) assert.equal(cluster.isRunning(id), false)
    for (const b of cluster.brokers) assert.equal(await accepts(b.port), false, `broker ${b.id}'s port is closed`)

    await cluster.startNodes([1, 2, 3])
    for (const id of [1, 2, 3]) assert.equal(cluster.isRunning(id), true)
    const md = await metadata(cluster.bootstrap, 'quorum-orders')
    assert.deepEqual(md.brokers.map((b) => b.id).sort(), [1, 2, 3])
    for (const p of md.topics[0]?.partitions ?? []) assert.notEqual(p.leader, -1, `partition ${p.partition} has a leader`)
    for (let p = 0; p < 3; p++) {
      assert.equal((await produce(cluster.bootstrap, 'quorum-orders', p, [`after-${p}`])).code, 0)
      const values = (await consume(cluster.bootstrap, 'quorum-orders', p)).map((l) => l.slice(l.indexOf(':') + 1))
      assert.deepEqual(values, [`before-${p}`, `after-${p}`])
    }
  })

  test('killNodes with a quorum left waits for the fencing; startNodes of one node is startNode', async () => {
    await cluster.killNodes([3])
    const md = await metadata(cluster.bootstrap)
    assert.deepEqual(md.brokers.map((b) => b.id).sort(), [1, 2])
    await cluster.startNodes([3])
    assert.deepEqual((await metadata(cluster.bootstrap)).brokers.map((b) => b.id).sort(), [1, 2, 3])
  })

  test('bad lists are refused, naming the node', async () => {
    await assert.rejects(cluster.killNodes([]), /non-empty list/)
    await assert.rejects(cluster.startNodes([1]), /node 1 is already running/)
    await assert.rejects(cluster.killNodes([7]), /no node 7/)
  })
})
