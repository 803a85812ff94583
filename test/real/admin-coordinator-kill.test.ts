/**
 * Issue 9 §4.2, the Sarama ClusterAdmin incident (I3) on real Kafka: the broker coordinating a
 * group is killed (SIGKILL) between two listConsumerGroupOffsets calls while the admin client
 * still has it cached. The second call must return the same offsets (checked against Kafka's own
 * AdminClient too); the time it took is printed, not asserted.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '../../src/admin/admin.ts'
import type { CommittedOffset } from '../../src/admin/groups.ts'
import { registry } from '../../src/observability/metrics.ts'
import { silent } from '../producer/helpers.ts'
import { realClusterSuite, unique } from './suite.ts'

async function adminRetries (): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_retries_total')?.get()
  return (metric?.values ?? []).filter((v) => v.labels.component === 'admin' && v.labels.operation === 'listConsumerGroupOffsets').reduce((n, v) => n + v.value, 0)
}

const plain = (offsets: CommittedOffset[] | undefined): Array<{ topic: string, partition: number, offset: number }> =>
  (offsets ?? []).map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) }))
const sorted = <T extends { topic: string, partition: number }>(list: T[]): T[] => [...list].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)

describe('admin against real Kafka: the group coordinator lost between two calls', { timeout: 400_000 }, () => {
  const suite = realClusterSuite({ brokers: 3 })

  /** A group with committed offsets, read once so the admin client caches its coordinator. */
  async function cachedGroup (admin: Admin): Promise<{ group: string, committed: Array<{ topic: string, partition: number, offset: number }>, coordinator: number }> {
    const { cluster } = suite
    const topic = unique('coord')
    const group = unique('billing')
    await cluster.createTopic({ name: topic, partitions: 3, replicationFactor: 3 })
    const committed = [{ topic, partition: 0, offset: 11 }, { topic, partition: 1, offset: 0 }, { topic, partition: 2, offset: 987_654_321 }]
    await admin.alterConsumerGroupOffsets(group, committed)
    assert.deepEqual(plain((await admin.listConsumerGroupOffsets(group)).get(group)), committed)
    assert.deepEqual(sorted(await cluster.groupOffsets(group)), committed, "Kafka's own AdminClient reads the same offsets")
    const coordinator = await cluster.coordinatorOf(group)
    assert.equal((await admin.cluster.coordinator('group', group)).endpoint.nodeId, coordinator, 'the admin client has the coordinator cached')
    return { group, committed, coordinator }
  }

  test('I3: the second listConsumerGroupOffsets returns the same offsets, and so does a third after the restart', async () => {
    const { cluster } = suite
    const admin = suite.closeAfter(new Admin({ bootstrap: cluster.bootstrap, logger: silent }))
    const { group, committed, coordinator } = await cachedGroup(admin)
    const first = committed

    const retriesBefore = await adminRetries()
    const killStarted = Date.now()
    await cluster.kill(coordinator)
    const killedAt = Date.now()
    const second = plain((await admin.listConsumerGroupOffsets(group, { timeoutMs: 60_000 })).get(group))
    const recoveryMs = Date.now() - killedAt
    const retries = await adminRetries() - retriesBefore
    const moved = await cluster.coordinatorOf(group)
    console.log(`# coordinator ${coordinator} killed (fenced after ${killedAt - killStarted} ms); new coordinator ${moved}; ` +
      `second listConsumerGroupOffsets answered ${recoveryMs} ms after the kill returned, after ${retries} retr${retries === 1 ? 'y' : 'ies'}`)
    assert.deepEqual(second, first, 'same offsets from the new coordinator')
    assert.notEqual(moved, coordinator)
    assert.ok(retries > 0, 'the cached, dead coordinator was tried first, then found again')

    await cluster.startNode(coordinator)
    const restartedAt = Date.now()
    const third = plain((await admin.listConsumerGroupOffsets(group, { timeoutMs: 60_000 })).get(group))
    console.log(`# after broker ${coordinator} restarted: third call answered in ${Date.now() - restartedAt} ms`)
    assert.deepEqual(third, first)
    assert.deepEqual(sorted(await cluster.groupOffsets(group)), committed)
  })
  test('I3 as reported: the coordinator broker restarts (killed, started again) between two calls; the cached broker is back but no longer coordinates', async () => {
    const { cluster } = suite
    const admin = suite.closeAfter(new Admin({ bootstrap: cluster.bootstrap, logger: silent }))
    const { group, committed, coordinator } = await cachedGroup(admin)
    await cluster.kill(coordinator)
    await cluster.startNode(coordinator)
    const moved = await cluster.coordinatorOf(group)
    const retriesBefore = await adminRetries()
    const startedAt = Date.now()
    const second = plain((await admin.listConsumerGroupOffsets(group, { timeoutMs: 60_000 })).get(group))
    const retries = await adminRetries() - retriesBefore
    console.log(`# coordinator ${coordinator} restarted; group now on ${moved}; second call answered in ${Date.now() - startedAt} ms after ${retries} retr${retries === 1 ? 'y' : 'ies'}`)
    assert.deepEqual(second, committed)
    assert.notEqual(moved, coordinator, 'the group moved while its broker was down, and stays moved')
    assert.ok(retries > 0, 'the cached coordinator answered first (dead connection or NOT_COORDINATOR), then the new one was found')
  })

  test('I3 + I4: the coordinator broker comes back on a new port between two calls', async () => {
    const { cluster } = suite
    const admin = suite.closeAfter(new Admin({ bootstrap: cluster.bootstrap, logger: silent }))
    const { group, committed, coordinator } = await cachedGroup(admin)
    const before = cluster.brokers.find((b) => b.id === coordinator)
    const after = await cluster.restartWithNewEndpoint(coordinator)
    assert.notEqual(after.port, before?.port)
    const startedAt = Date.now()
    const second = plain((await admin.listConsumerGroupOffsets(group, { timeoutMs: 60_000 })).get(group))
    console.log(`# coordinator ${coordinator} moved from port ${String(before?.port)} to ${after.port}; second call answered in ${Date.now() - startedAt} ms`)
    assert.deepEqual(second, committed)
    const brokers = await admin.describeCluster()
    assert.equal(brokers.brokers.find((b) => b.nodeId === coordinator)?.port, after.port, 'the admin client sees the new endpoint')
    assert.deepEqual(sorted(await cluster.groupOffsets(group)), committed)
  })
})
