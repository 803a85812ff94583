/**
 * Static membership and follower fetching against real Apache Kafka, on one 3-broker cluster
 * whose brokers sit in racks rack-1..rack-3 with Kafka's rack-aware replica selector.
 *
 * Static membership (KIP-345, classic protocol): the group's leader, closed and started again
 * with its groupInstanceId within the session, gets its partitions back and the other member is
 * never revoked (no rebalance); a second consumer started with the same groupInstanceId takes the
 * place, and the one it replaced stops with GroupInstanceIdConflictError and stops reading.
 * Follower fetching (KIP-392): with clientRack the partition is read from the replica in that
 * rack (Fetches counted per broker through the chaos proxy); that broker killed, it is read from
 * its leader again. Every record once, in order per partition, as kcat reads it.
 */
import { after, before, describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ChaosProxy, RealCluster } from '../../src/testkit/index.ts'
import { GroupInstanceIdConflictError } from '../../src/consumer/errors.ts'
import type { Consumer } from '../../src/consumer/consumer.ts'
import type { TopicPartition } from '../../src/consumer/message.ts'
import type { ConsumerOptions } from '../../src/consumer/options.ts'
import { kcatProduce } from '../producer/helpers.ts'
import { assertSameAsKcat, Collector, consumer, kcatPartitions, keyed, readCount, testLogger } from './helpers.ts'

let cluster: RealCluster
const TOPICS = { static: 'rs-static', rack: 'rs-rack' }
before(async () => {
  cluster = await RealCluster.start({
    brokers: 3,
    brokerConfig: { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' },
    nodeConfig: (id) => ({ 'broker.rack': `rack-${id}` }),
    topics: [{ name: TOPICS.static, partitions: 4, replicationFactor: 3 }, { name: TOPICS.rack, partitions: 1, replicationFactor: 3 }],
  })
})
after(async () => { await cluster?.stop() })

const groupOptions = (groupId: string, extra: Partial<ConsumerOptions> = {}): Partial<ConsumerOptions> =>
  ({ groupId, autoOffsetReset: 'earliest', sessionTimeoutMs: 30_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 20_000, ...extra })

interface Events { assigned: number, revoked: number, partitions: number[] }

/** A static member reading into the collector as `name`; counts its assignments and revocations. */
function staticMember (t: TestContext, collector: Collector, events: Map<string, Events>, name: string, instance: string): { c: Consumer, failure: Promise<unknown> } {
  const c = consumer(t, cluster.bootstrap, groupOptions('g-static', { groupInstanceId: instance }))
  const e: Events = { assigned: 0, revoked: 0, partitions: [] }
  events.set(name, e)
  c.subscribe([TOPICS.static], {
    onAssigned: (tps: TopicPartition[]) => { e.assigned++; e.partitions = tps.map((tp) => tp.partition).sort(); collector.changed() },
    onRevoked: () => { e.revoked++; e.partitions = []; collector.changed() },
  })
  // The reading loop's end: undefined when the consumer closed, else the error it threw.
  const failure = (async () => {
    for await (const m of c) collector.push({ partition: m.partition, offset: Number(m.offset), key: m.key?.toString() ?? '', value: m.value?.toString() ?? '', by: name })
  })().then(() => undefined, (error: unknown) => { collector.changed(); return error })
  return { c, failure }
}

describe('static membership and follower fetching (real Kafka)', { timeout: Number(process.env.STEADFAST_TEST_TIMEOUT ?? 300_000) }, () => {
  test('a static leader restarted within its session keeps its partitions, the other member is never revoked; a second process with its instance id fences it', async (t) => {
    const collector = new Collector()
    const events = new Map<string, Events>()
    const get = (name: string): Events => events.get(name) as Events
    // a joins first, so it is the group's leader.
    const a = staticMember(t, collector, events, 'a', 'instance-a')
    await collector.until(() => get('a').partitions.length === 4)
    staticMember(t, collector, events, 'b', 'instance-b')
    await collector.until(() => get('a').partitions.length === 2 && get('b').partitions.length === 2)
    const aPartitions = get('a').partitions
    const bAssigned = get('b').assigned
    await kcatProduce(cluster.bootstrap, TOPICS.static, keyed('s1', 400))
    await collector.until(() => collector.distinct === 400)

    // Closed (processed offsets committed, no LeaveGroup) and started again within the session.
    await a.c.close()
    await kcatProduce(cluster.bootstrap, TOPICS.static, keyed('s2', 400))
    const a2 = staticMember(t, collector, events, 'a2', 'instance-a')
    await collector.until(() => get('a2').partitions.length > 0)
    assert.deepEqual(get('a2').partitions, aPartitions, 'the restarted member holds what it held before')
    await collector.until(() => collector.distinct === 800)
    // What a2 read is committed before it is replaced: its replacement starts there, reading nothing twice.
    await a2.c.commit()
    assert.deepEqual({ assigned: get('b').assigned, revoked: get('b').revoked }, { assigned: bAssigned, revoked: 0 }, 'b saw no rebalance')

    // A second process with the same instance id: it takes the place, the one it replaced is fenced.
    const a3 = staticMember(t, collector, events, 'a3', 'instance-a')
    const error = await a2.failure
    assert.ok(error instanceof GroupInstanceIdConflictError, `a2 stopped with ${String(error)}`)
    assert.match(error.message, /group g-static: another consumer joined with groupInstanceId 'instance-a' and took this member's place \(FENCED_INSTANCE_ID\)/)
    assert.deepEqual(a2.c.assignment(), [], 'the fenced member stopped reading')
    await collector.until(() => get('a3').partitions.length > 0)
    assert.deepEqual(get('a3').partitions, aPartitions)
    await kcatProduce(cluster.bootstrap, TOPICS.static, keyed('s3', 400))
    await collector.until(() => collector.distinct === 1200)
    assert.equal(get('b').revoked, 0, 'b was never revoked')
    assert.equal(collector.duplicates, 0)
    for (const r of collector.reads) assert.ok((r.by === 'b' ? get('b').partitions : aPartitions).includes(r.partition), `${r.by} read partition ${r.partition}`)
    assertSameAsKcat(collector.merged(), await kcatPartitions(cluster.bootstrap, TOPICS.static, [0, 1, 2, 3]))
    await a3.c.close()
  })

  test('KIP-848: a pattern follows a topic created later; a static member restarted keeps its partitions; a second one with its instance id is refused', async (t) => {
    await cluster.createTopic({ name: 'rs848.a', partitions: 2, replicationFactor: 3 })
    const collector = new Collector()
    const events = new Map<string, Events>()
    const get = (name: string): Events => events.get(name) as Events
    const join = (name: string, instance: string): { c: Consumer, failure: Promise<unknown> } => {
      const c = consumer(t, cluster.bootstrap, { groupId: 'g-848-static', groupProtocol: 'consumer', groupInstanceId: instance, autoOffsetReset: 'earliest', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 20_000, metadataMaxAgeMs: 1_000 })
      const e: Events = { assigned: 0, revoked: 0, partitions: [] }
      events.set(name, e)
      const held = new Set<string>()
      const update = (): void => { e.partitions = [...held].map((k) => Number(k.split('/')[1]) + (k.startsWith('rs848.b/') ? 10 : 0)).sort((x, y) => x - y); collector.changed() }
      c.subscribe([/^rs848\./], {
        onAssigned: (tps) => { e.assigned++; for (const tp of tps) held.add(`${tp.topic}/${tp.partition}`); update() },
        onRevoked: (tps) => { e.revoked++; for (const tp of tps) held.delete(`${tp.topic}/${tp.partition}`); update() },
      })
      const failure = (async () => {
        for await (const m of c) collector.push({ partition: m.partition + (m.topic === 'rs848.b' ? 10 : 0), offset: Number(m.offset), key: m.key?.toString() ?? '', value: m.value?.toString() ?? '', by: name })
      })().then(() => undefined, (error: unknown) => { collector.changed(); return error })
      return { c, failure }
    }
    const a = join('a', 'k-a')
    join('b', 'k-b')
    await collector.until(() => get('a').partitions.length === 1 && get('b').partitions.length === 1)
    await kcatProduce(cluster.bootstrap, 'rs848.a', keyed('a1', 200))
    await collector.until(() => collector.distinct === 200)

    // A topic the pattern matches, created while the group runs (partitions 10 and 11 in the reads).
    await cluster.createTopic({ name: 'rs848.b', partitions: 2, replicationFactor: 3 })
    await collector.until(() => get('a').partitions.length + get('b').partitions.length === 4)
    await kcatProduce(cluster.bootstrap, 'rs848.b', keyed('b1', 200))
    await collector.until(() => collector.distinct === 400)
    const aHeld = get('a').partitions
    const bRevoked = get('b').revoked

    // Closed (epoch -2: it will be back) and started again within the session.
    await a.c.close()
    join('a2', 'k-a')
    await collector.until(() => get('a2').partitions.length === aHeld.length)
    assert.deepEqual(get('a2').partitions, aHeld, 'the restarted member holds what it held before')
    assert.equal(get('b').revoked, bRevoked, 'b lost nothing')

    // While a2 holds the instance id, another consumer with it is refused.
    const a3 = join('a3', 'k-a')
    const error = await a3.failure
    assert.ok(error instanceof GroupInstanceIdConflictError, `a3 stopped with ${String(error)}`)
    assert.match(error.message, /groupInstanceId 'k-a' is held by a member still in the group \(UNRELEASED_INSTANCE_ID/)
    await kcatProduce(cluster.bootstrap, 'rs848.a', keyed('a2', 200))
    await kcatProduce(cluster.bootstrap, 'rs848.b', keyed('b2', 200))
    await collector.until(() => collector.distinct === 800)
    assert.equal(collector.duplicates, 0)
    assert.deepEqual(get('a2').partitions, aHeld)
    const merged = collector.merged()
    assertSameAsKcat(merged.filter((r) => r.partition < 10), await kcatPartitions(cluster.bootstrap, 'rs848.a', [0, 1]))
    assertSameAsKcat(merged.filter((r) => r.partition >= 10).map((r) => ({ ...r, partition: r.partition - 10 })), await kcatPartitions(cluster.bootstrap, 'rs848.b', [0, 1]))
  })

  test('clientRack: read from the replica in the consumer\'s rack; its broker killed, from the leader again', async (t) => {
    const leader = await cluster.leaderOf(TOPICS.rack, 0)
    const follower = [1, 2, 3].find((id) => id !== leader) as number
    const proxy = await ChaosProxy.start({ upstream: cluster.bootstrap, logger: testLogger })
    t.after(() => proxy.close())
    const fetchesAt = (node: number): number => proxy.stats.byBroker[node]?.requests[ApiKey.Fetch] ?? 0
    await kcatProduce(cluster.bootstrap, TOPICS.rack, keyed('r1', 300))
    const c = consumer(t, proxy.bootstrap, { clientRack: `rack-${follower}`, requestTimeoutMs: 10_000 })
    const tp = { topic: TOPICS.rack, partition: 0 }
    await c.assign([tp])
    await c.seek(tp, 'earliest')
    const first = await readCount(c, 300)
    assert.ok(fetchesAt(follower) > 0, `Fetches reached broker ${follower} (rack-${follower}), which does not lead the partition (broker ${leader} does)`)

    const before = fetchesAt(leader)
    await cluster.kill(follower)
    try {
      await kcatProduce(cluster.bootstrap, TOPICS.rack, keyed('r2', 300))
      const second = await readCount(c, 300)
      assert.ok(fetchesAt(leader) > before, 'read from the leader while the replica is down')
      assertSameAsKcat([...first, ...second], await kcatPartitions(cluster.bootstrap, TOPICS.rack, [0]))
    } finally {
      await cluster.startNode(follower)
    }
  })
})
