/**
 * Group faults injected at exact points with librdkafka's mock cluster (JoinGroup, SyncGroup and
 * LeaveGroup capped at v5/v3/v2, which it parses correctly): coordinator errors and dropped
 * connections on every coordinator-bound request are recovered from, a commit the group refuses
 * fails with CommitFailedError, a generation ended under a member is rejoined, and a static
 * member does not leave the group on close.
 */
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { Admin } from '../../src/admin/admin.ts'
import { CommitFailedError, GroupInstanceIdConflictError } from '../../src/consumer/errors.ts'
import type { TopicPartition } from '../../src/consumer/message.ts'
import type { RetryDiagnostic } from '../../src/observability/tracing.ts'
import { COORDINATOR_RETRY_MS } from '../../src/resilience/coordinator-looks.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { ApiKey, TRANSPORT_ERROR } from '../../src/testkit/mock-cluster/api-keys.ts'
import { produce } from '../testkit/mock-cluster/support.ts'
import { Collector, consumer, testLogger, startGroupMock } from './helpers.ts'

let mock: MockCluster
before(async () => {
  mock = await startGroupMock()
})
after(async () => { await mock?.stop() })

const groupOptions = (groupId: string): Record<string, unknown> =>
  ({ groupId, autoOffsetReset: 'earliest', sessionTimeoutMs: 3_000, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 5_000, autoCommit: false })

async function committed (groupId: string, topic: string, partitions: number[]): Promise<number[]> {
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  try {
    const offsets = (await admin.listConsumerGroupOffsets(groupId, { topics: [{ topic, partitions }] })).get(groupId) ?? []
    return partitions.map((p) => Number(offsets.find((o) => o.partition === p)?.offset ?? -1n))
  } finally {
    await admin.close()
  }
}

describe('consumer groups under injected faults (mock cluster)', { timeout: 60_000 }, () => {
  // An error a test queued and did not use up must not reach the next test.
  afterEach(async () => {
    for (const api of [ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.OffsetFetch, ApiKey.OffsetCommit]) await mock.clearRequestErrors(api)
  })

  test('coordinator errors and dropped connections on sync, heartbeat, offset fetch and commit are recovered from', async (t) => {
    await mock.createTopic({ name: 'gf-coord', partitions: 2 })
    for (const p of [0, 1]) assert.equal((await produce(mock.bootstrap, 'gf-coord', p, Array.from({ length: 30 }, (_, i) => `p${p}-${i}`))).code, 0)
    await mock.setCoordinator('group', 'gf-coord', 2)
    // Not FindCoordinator nor JoinGroup: the mock's error answers to those carry nulls where
    // Kafka's schema allows none (host; protocolName before v7), which no client can read.
    await mock.pushBrokerRequestErrors(2, ApiKey.SyncGroup, [TRANSPORT_ERROR])
    await mock.pushRequestErrors(ApiKey.OffsetFetch, [14, 16])
    await mock.pushRequestErrors(ApiKey.Heartbeat, [16, TRANSPORT_ERROR, 15])
    const c = consumer(t, mock.bootstrap, groupOptions('gf-coord'))
    const collector = new Collector()
    c.subscribe(['gf-coord'])
    collector.drain(c, 'c')
    await collector.until(() => collector.distinct === 60)
    await mock.pushRequestErrors(ApiKey.OffsetCommit, [16, TRANSPORT_ERROR, 14])
    await c.commit()
    // The collector asks for the next record as soon as it has stored one: all 60 are processed.
    assert.deepEqual(await committed('gf-coord', 'gf-coord', [0, 1]), [30, 30])
    assert.equal(collector.duplicates, 0)
  })

  test('while the coordinator\'s broker is down and FindCoordinator still names it, JoinGroup looks again every 100 ms, not at the member\'s backoff, and the member joins at the next look after the move', async (t) => {
    await mock.createTopic({ name: 'gf-looks', partitions: 2 })
    for (const p of [0, 1]) assert.equal((await produce(mock.bootstrap, 'gf-looks', p, Array.from({ length: 10 }, (_, i) => `p${p}-${i}`))).code, 0)
    const retries: Array<{ delayMs: number, reason: string }> = []
    let move: () => void = () => {}
    const moved = new Promise<void>((resolve) => { move = resolve })
    const onRetry = (message: unknown): void => {
      const event = message as RetryDiagnostic
      if (event.clientId !== 'gf-looks' || event.operation !== 'join-group') return
      retries.push({ delayMs: event.delayMs, reason: event.reason })
      // Three looks that still find the dead broker, then Kafka moves the coordinator.
      if (retries.length === 3) mock.setCoordinator('group', 'gf-looks', 2).then(move, move)
    }
    await mock.setCoordinator('group', 'gf-looks', 1)
    await mock.brokerDown(1)
    subscribe('steadfast:retry', onRetry)
    try {
      // A member whose own backoff is 5 s: only the coordinator rule (resilience/coordinator-looks.ts) keeps its looks short.
      const c = consumer(t, mock.bootstrap, { ...groupOptions('gf-looks'), clientId: 'gf-looks', retryBackoffMs: 5_000, retryBackoffMaxMs: 5_000 })
      const collector = new Collector()
      c.subscribe(['gf-looks'])
      collector.drain(c, 'c')
      await moved
      // Broker 1 also leads partitions: back up, so that every record can be read.
      await mock.brokerUp(1)
      await collector.until(() => collector.distinct === 20)
      assert.ok(retries.length >= 3 && retries.every((r) => r.delayMs <= COORDINATOR_RETRY_MS), JSON.stringify(retries))
      assert.equal(collector.duplicates, 0)
    } finally {
      unsubscribe('steadfast:retry', onRetry)
      await mock.brokerUp(1)
    }
  })

  test('a commit the group refuses fails with CommitFailedError; an ended generation is rejoined and reading goes on', async (t) => {
    await mock.createTopic({ name: 'gf-rejoin', partitions: 1 })
    assert.equal((await produce(mock.bootstrap, 'gf-rejoin', 0, ['r0', 'r1', 'r2'])).code, 0)
    const c = consumer(t, mock.bootstrap, groupOptions('gf-rejoin'))
    const collector = new Collector()
    let assigned = 0
    c.subscribe(['gf-rejoin'], { onAssigned: () => { assigned++; collector.changed() } })
    collector.drain(c, 'c')
    await collector.until(() => collector.distinct === 3)
    await mock.pushRequestErrors(ApiKey.OffsetCommit, [27])
    await assert.rejects(c.commit(), (error: unknown) => error instanceof CommitFailedError && /REBALANCE_IN_PROGRESS/.test(error.message))
    await mock.pushRequestErrors(ApiKey.Heartbeat, [22])
    await collector.until(() => assigned === 2)
    assert.equal((await produce(mock.bootstrap, 'gf-rejoin', 0, ['r3'])).code, 0)
    await collector.until(() => collector.reads.some((r) => r.value === 'r3'))
    assert.deepEqual(c.assignment(), [{ topic: 'gf-rejoin', partition: 0 }] satisfies TopicPartition[])
  })

  test('FENCED_INSTANCE_ID on a heartbeat: the static member stops with GroupInstanceIdConflictError, its partitions lost (onLost) and no longer read', async (t) => {
    await mock.createTopic({ name: 'gf-fenced', partitions: 2 })
    for (const p of [0, 1]) assert.equal((await produce(mock.bootstrap, 'gf-fenced', p, [`p${p}-0`, `p${p}-1`])).code, 0)
    const c = consumer(t, mock.bootstrap, { ...groupOptions('gf-fenced'), groupInstanceId: 'instance-f' })
    const revoked: TopicPartition[][] = []
    const lost: TopicPartition[][] = []
    const collector = new Collector()
    c.subscribe(['gf-fenced'], { onRevoked: (tps) => { revoked.push(tps) }, onLost: (tps) => { lost.push(tps) } })
    const reading = (async () => {
      for await (const m of c) collector.push({ partition: m.partition, offset: Number(m.offset), key: '', value: m.value?.toString() ?? '', by: 'c' })
    })()
    await collector.until(() => collector.distinct === 4)
    await mock.pushRequestErrors(ApiKey.Heartbeat, [82])
    await assert.rejects(reading, (error: unknown) => error instanceof GroupInstanceIdConflictError &&
      /^group gf-fenced: another consumer joined with groupInstanceId 'instance-f' and took this member's place \(FENCED_INSTANCE_ID\); this consumer stopped/.test(error.message))
    assert.deepEqual(c.assignment(), [])
    assert.deepEqual(lost.map((tps) => tps.map((tp) => tp.partition).sort()), [[0, 1]], 'lost, not revoked: nothing committed')
    assert.deepEqual(revoked, [])
    assert.deepEqual(collector.reads.map((r) => r.value).sort(), ['p0-0', 'p0-1', 'p1-0', 'p1-1'])
  })

  test('on close a dynamic member sends LeaveGroup; a static member (groupInstanceId) keeps its place and does not', async (t) => {
    await mock.createTopic({ name: 'gf-static', partitions: 1 })
    const leaves = async (groupInstanceId: string | undefined): Promise<number> => {
      const c = consumer(t, mock.bootstrap, { ...groupOptions(`gf-static-${groupInstanceId ?? 'dynamic'}`), groupInstanceId })
      const collector = new Collector()
      c.subscribe(['gf-static'], { onAssigned: () => { collector.changed() } })
      await collector.until(() => c.assignment().length === 1)
      await mock.startRequestTracking()
      await c.close()
      const requests = await mock.getRequests()
      await mock.stopRequestTracking()
      return requests.filter((r) => r.apiKey === ApiKey.LeaveGroup).length
    }
    assert.equal(await leaves(undefined), 1)
    assert.equal(await leaves('instance-1'), 0)
  })
})
