/**
 * The KIP-848 consumer group protocol (`groupProtocol: 'consumer'`) on real Apache Kafka 4.x:
 * under a steady stream, a second and a third member join, the coordinator's broker is killed and
 * comes back, and the members leave again. The coordinator assigns (uniform); a member is never
 * given a partition that another member still holds (the coordinator waits for the revocation to
 * be reported), every record sent is read once, in order per partition, and the group's committed
 * offsets (OffsetCommit v9 with the member epoch) end at each partition's end.
 *
 * Then fencing: one member's heartbeats are black-holed (chaos proxy, API key 68) past the
 * broker's session timeout (the rig's group.consumer.session.timeout.ms, 10 s): the coordinator
 * drops it and hands its partitions to the other member; once heartbeats pass again it is told so
 * (UNKNOWN_MEMBER_ID / FENCED_MEMBER_EPOCH), gives its partitions up without a commit, and joins
 * again at epoch 0. Nothing is lost; the only records read twice are ones the dropped member read
 * before it learned it was dropped (its commits were refused by then) and that their new owner
 * read again from the last commit: once by each, in partitions it held; they are counted.
 *
 * And maxPollIntervalMs under this protocol: a member whose application holds a record too long
 * leaves (epoch -1) and joins again at epoch 0 when it is back (poll-timeout-scenario.ts).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { TopicPartition } from '../../src/consumer/message.ts'
import { Producer } from '../../src/producer/producer.ts'
import { ApiKey, ChaosProxy, RealCluster } from '../../src/testkit/index.ts'
import { pollTimeoutScenario } from './poll-timeout-scenario.ts'
import { assertSameAsKcat, Collector, consumer, kcatPartitions, longestUnaffectedGap, testLogger, TimedCollector } from './helpers.ts'

const TOPIC = 'kip848'
const PARTITIONS = 6
const GROUP = 'kip848-group'
const FENCED_TOPIC = 'kip848-fenced'
const FENCED_PARTITIONS = 4
const POLL_TOPIC = 'kip848-poll-timeout'

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({
    brokers: 3,
    kafkaVersion: '4',
    topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }, { name: FENCED_TOPIC, partitions: FENCED_PARTITIONS, replicationFactor: 3 }, { name: POLL_TOPIC, partitions: 2, replicationFactor: 3 }],
  })
})
after(async () => { await cluster?.stop() })

describe('KIP-848 consumer group under load (real Kafka 4)', { timeout: 600_000 }, () => {
  test('members join and leave and the coordinator\'s broker dies: no partition held twice, every record once and in order, committed to the end', async (t) => {
    const collector = new TimedCollector()
    const holdings = new Map<string, Set<number>>()
    const problems: string[] = []
    const revocations: Array<{ partition: number, at: number }> = []

    const join = (name: string): { close: () => Promise<void> } => {
      const c = consumer(t, cluster.bootstrap, { groupId: GROUP, groupProtocol: 'consumer', serverAssignor: 'uniform', autoOffsetReset: 'earliest', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 20_000 })
      const mine = new Set<number>()
      holdings.set(name, mine)
      c.subscribe([TOPIC], {
        onAssigned: (tps: TopicPartition[]) => {
          for (const tp of tps) {
            for (const [other, theirs] of holdings) if (theirs.has(tp.partition)) problems.push(`${name} was given partition ${tp.partition} while ${other} held it`)
            mine.add(tp.partition)
          }
          collector.changed()
        },
        onRevoked: (tps: TopicPartition[]) => {
          for (const tp of tps) {
            mine.delete(tp.partition)
            revocations.push({ partition: tp.partition, at: performance.now() })
          }
          collector.changed()
        },
      })
      collector.drain(c, name)
      return { close: async () => { await c.close(); holdings.delete(name); collector.changed() } }
    }
    const split = (...sizes: number[]): boolean => {
      const held = [...holdings.values()].map((s) => s.size).sort()
      const all = [...holdings.values()].flatMap((s) => [...s])
      return JSON.stringify(held) === JSON.stringify([...sizes].sort()) && new Set(all).size === PARTITIONS
    }

    const producer = new Producer({ bootstrap: cluster.bootstrap, logger: testLogger, lingerMs: 5 })
    t.after(() => producer.close())
    const sending = { on: true }
    let sent = 0
    const stream = (async () => {
      for (let i = 0; sending.on; i++) {
        await Promise.all(Array.from({ length: PARTITIONS }, async (_, p) => await producer.send({ topic: TOPIC, partition: p, key: `k${i}`, value: `p${p}-${i}` })))
        sent += PARTITIONS
      }
    })()

    const a = join('a')
    await collector.until(() => split(PARTITIONS) && collector.distinct >= 60)
    const joining = performance.now()
    const b = join('b')
    await collector.until(() => split(3, 3))
    const c = join('c')
    await collector.until(() => split(2, 2, 2))
    const joined = performance.now()

    const coordinator = await cluster.coordinatorOf(GROUP)
    await cluster.kill(coordinator)
    const readAtKill = collector.distinct
    await collector.until(() => collector.distinct >= readAtKill + 120)
    await cluster.startNode(coordinator)

    const leaving = performance.now()
    await c.close()
    await collector.until(() => split(3, 3))
    await b.close()
    await collector.until(() => split(PARTITIONS))
    const left = performance.now()
    sending.on = false
    await stream
    await collector.until(() => collector.distinct === sent)
    await a.close()

    assert.deepEqual(problems, [])
    const expected = await kcatPartitions(cluster.bootstrap, TOPIC, Array.from({ length: PARTITIONS }, (_, p) => p))
    assert.equal([...expected.values()].reduce((n, l) => n + l.length, 0), sent)
    assertSameAsKcat(collector.merged(), expected)
    for (const p of expected.keys()) {
      const offsets = collector.reads.filter((r) => r.partition === p).map((r) => r.offset)
      assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `partition ${p} read in order`)
    }
    assert.equal(collector.duplicates, 0)
    const committed = (await cluster.groupOffsets(GROUP)).filter((o) => o.topic === TOPIC).sort((x, y) => x.partition - y.partition)
    assert.deepEqual(committed.map((o) => [o.partition, o.offset]), [...expected].sort(([x], [y]) => x - y).map(([p, list]) => [p, list.length]))
    t.diagnostic(`${sent} records sent and read, ${collector.duplicates} duplicates; coordinator ${coordinator} killed with ${readAtKill} read`)
    const whileJoining = longestUnaffectedGap(collector, revocations, joining, joined)
    const whileLeaving = longestUnaffectedGap(collector, revocations, leaving, left)
    t.diagnostic(`longest gap of a partition no rebalance touched: ${whileJoining.ms} ms while b and c joined (partitions ${whileJoining.partitions.join(',')}), ${whileLeaving.ms} ms while they left (partitions ${whileLeaving.partitions.join(',')})`)
  })

  test('a member dropped by the coordinator (heartbeats black-holed past the session) gives its partitions up and joins again; nothing lost', async (t) => {
    const proxy = await ChaosProxy.start({ upstream: cluster.bootstrap, logger: testLogger })
    t.after(() => proxy.close())
    const collector = new Collector()
    const holdings = new Map<string, Set<number>>()
    const lostByA: number[][] = []
    const join = (name: string, bootstrap: string): ReturnType<typeof consumer> => {
      // a's own deadline for an unanswered heartbeat is longer than the black hole: the coordinator drops it first.
      const c = consumer(t, bootstrap, { groupId: 'kip848-fenced-group', groupProtocol: 'consumer', autoOffsetReset: 'earliest', sessionTimeoutMs: 60_000, requestTimeoutMs: 4_000, autoCommitIntervalMs: 500 })
      const mine = new Set<number>()
      holdings.set(name, mine)
      c.subscribe([FENCED_TOPIC], {
        onAssigned: (tps) => { for (const tp of tps) mine.add(tp.partition); collector.changed() },
        onRevoked: (tps) => {
          if (name === 'a') lostByA.push(tps.map((tp) => tp.partition).sort())
          for (const tp of tps) mine.delete(tp.partition)
          collector.changed()
        },
      })
      collector.drain(c, name)
      return c
    }
    const held = (name: string): number => holdings.get(name)?.size ?? 0

    const producer = new Producer({ bootstrap: cluster.bootstrap, logger: testLogger, lingerMs: 5 })
    t.after(() => producer.close())
    const sending = { on: true }
    let sent = 0
    const stream = (async () => {
      for (let i = 0; sending.on; i++) {
        await Promise.all(Array.from({ length: FENCED_PARTITIONS }, async (_, p) => await producer.send({ topic: FENCED_TOPIC, partition: p, key: `k${i}`, value: `p${p}-${i}` })))
        sent += FENCED_PARTITIONS
      }
    })()

    const a = join('a', proxy.bootstrap)
    await collector.until(() => held('a') === FENCED_PARTITIONS && collector.distinct >= 40)
    const b = join('b', cluster.bootstrap)
    await collector.until(() => held('a') === 2 && held('b') === 2)
    const aHadBeforeFence = [...(holdings.get('a') as Set<number>)].sort()

    await proxy.blackhole({ apiKey: ApiKey.ConsumerGroupHeartbeat })
    // The coordinator drops a after its session and gives b everything.
    await collector.until(() => held('b') === FENCED_PARTITIONS)
    await proxy.heal()
    // a learns it was dropped (its partitions go, uncommitted), joins again and gets its share back.
    await collector.until(() => lostByA.length >= 2 && held('a') === 2 && held('b') === 2)
    const readAfterRejoin = collector.distinct
    await collector.until(() => collector.distinct >= readAfterRejoin + 80)
    sending.on = false
    await stream
    await collector.until(() => collector.distinct === sent)
    await Promise.all([a.close(), b.close()])

    // a gave up exactly what it held when it was dropped (after the 2 it handed b when b joined).
    assert.deepEqual(lostByA.slice(0, 2).map((l) => l.length), [2, 2])
    assert.deepEqual(lostByA[1], aHadBeforeFence)
    const expected = await kcatPartitions(cluster.bootstrap, FENCED_TOPIC, Array.from({ length: FENCED_PARTITIONS }, (_, p) => p))
    assert.equal([...expected.values()].reduce((n, l) => n + l.length, 0), sent)
    assertSameAsKcat(collector.merged(), expected)
    const readers = new Map<string, string[]>()
    for (const r of collector.reads) readers.set(`${r.partition}:${r.offset}`, [...(readers.get(`${r.partition}:${r.offset}`) ?? []), r.by])
    const twice = [...readers].filter(([, by]) => by.length > 1)
    for (const [record, by] of twice) {
      // a (still reading until it heard it was dropped) and b (its new owner, from a's last commit) read it, in either order.
      assert.deepEqual([...by].sort(), ['a', 'b'], `${record} read twice: once by the dropped member, once by b`)
      assert.ok(aHadBeforeFence.includes(Number(record.split(':')[0])), `${record} is in a partition a held when dropped`)
    }
    for (const p of expected.keys()) {
      const offsets = collector.reads.filter((r) => r.partition === p && r.by === 'b').map((r) => r.offset)
      assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `b read partition ${p} in order`)
    }
    const committed = (await cluster.groupOffsets('kip848-fenced-group')).filter((o) => o.topic === FENCED_TOPIC).sort((x, y) => x.partition - y.partition)
    assert.deepEqual(committed.map((o) => [o.partition, o.offset]), [...expected].sort(([x], [y]) => x - y).map(([p, list]) => [p, list.length]))
    t.diagnostic(`${sent} records sent and read; ${twice.length} read twice (once by the dropped member, once by b)`)
  })

  test('a member whose application holds a record past maxPollIntervalMs leaves (epoch -1), its partition goes on at the other member, and it joins again when back', async (t) => {
    await pollTimeoutScenario(t, cluster.bootstrap, POLL_TOPIC, { groupProtocol: 'consumer', serverAssignor: 'uniform', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5_000 })
  })
})
