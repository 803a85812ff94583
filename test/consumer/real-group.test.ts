/**
 * Consumer groups (classic protocol) against real Apache Kafka: two members split the
 * partitions and together read everything; a member leaving hands its partitions over at the
 * committed offsets (duplicates only from what it had not committed, counted exactly); a kcat
 * (librdkafka) member in the same group gets its share from our assignor; the coordinator's
 * broker killed under a running group, which carries on and keeps its committed progress.
 * Data is compared with what kcat reads from the partitions. And maxPollIntervalMs: a member whose
 * application holds a record too long leaves, and joins again when it is back (poll-timeout-scenario.ts).
 */
import { after, before, describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { RealCluster } from '../../src/testkit/index.ts'
import type { TopicPartition } from '../../src/consumer/message.ts'
import type { ConsumerOptions } from '../../src/consumer/options.ts'
import { kcatProduce } from '../producer/helpers.ts'
import { kcat } from '../testkit/mock-cluster/support.ts'
import { pollTimeoutScenario } from './poll-timeout-scenario.ts'
import { assertSameAsKcat, Collector, consumer, kcatPartitions, keyed, type Read } from './helpers.ts'

let cluster: RealCluster
const POLL_TOPIC = 'rg-poll-timeout'
const TOPICS = { split: 'rg-split', leave: 'rg-leave', uncommitted: 'rg-uncommitted', kcat: 'rg-kcat', coordinator: 'rg-coordinator' }
before(async () => {
  cluster = await RealCluster.start({ brokers: 3, topics: [...Object.values(TOPICS).map((name) => ({ name, partitions: 4, replicationFactor: 3 })), { name: POLL_TOPIC, partitions: 2, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

const groupOptions = (groupId: string, extra: Partial<ConsumerOptions> = {}): Partial<ConsumerOptions> =>
  ({ groupId, autoOffsetReset: 'earliest', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 20_000, ...extra })

/** A member that reads in the background into the collector and records its latest assignment. */
function member (t: TestContext, collector: Collector, assignments: Map<string, TopicPartition[]>, name: string, groupId: string, topic: string, extra: Partial<ConsumerOptions> = {}): ReturnType<typeof consumer> {
  const c = consumer(t, cluster.bootstrap, groupOptions(groupId, extra))
  c.subscribe([topic], {
    onAssigned: (partitions) => { assignments.set(name, partitions); collector.changed() },
    onRevoked: () => { assignments.set(name, []); collector.changed() },
  })
  collector.drain(c, name)
  return c
}

const partitionsOf = (assignments: Map<string, TopicPartition[]>, name: string): number[] => (assignments.get(name) ?? []).map((tp) => tp.partition).sort()

/** Per consumer and partition, offsets only go up: nothing reordered. */
function assertOrdered (reads: Array<Read & { by: string }>): void {
  const last = new Map<string, number>()
  for (const r of reads) {
    const key = `${r.by}/${r.partition}`
    assert.ok((last.get(key) ?? -1) < r.offset, `${key}: offset ${r.offset} after ${last.get(key)}`)
    last.set(key, r.offset)
  }
}

describe('consumer groups (real Kafka)', { timeout: Number(process.env.STEADFAST_TEST_TIMEOUT ?? 300_000) }, () => {
  test('two members split the partitions with no overlap and together read everything once', async (t) => {
    const collector = new Collector()
    const assignments = new Map<string, TopicPartition[]>()
    member(t, collector, assignments, 'a', 'g-split', TOPICS.split)
    member(t, collector, assignments, 'b', 'g-split', TOPICS.split)
    await collector.until(() => partitionsOf(assignments, 'a').length === 2 && partitionsOf(assignments, 'b').length === 2)
    const [a, b] = [partitionsOf(assignments, 'a'), partitionsOf(assignments, 'b')]
    assert.deepEqual([...a, ...b].sort(), [0, 1, 2, 3])
    await kcatProduce(cluster.bootstrap, TOPICS.split, keyed('split', 800))
    await collector.until(() => collector.distinct === 800)
    for (const r of collector.reads) assert.ok((r.by === 'a' ? a : b).includes(r.partition), `${r.by} read partition ${r.partition}, not its own`)
    assert.equal(collector.duplicates, 0)
    assertOrdered(collector.reads)
    assertSameAsKcat(collector.merged(), await kcatPartitions(cluster.bootstrap, TOPICS.split, [0, 1, 2, 3]))
  })

  test('a member that leaves hands its partitions over at its committed offsets: nothing lost, nothing twice', async (t) => {
    const collector = new Collector()
    const assignments = new Map<string, TopicPartition[]>()
    const a = member(t, collector, assignments, 'a', 'g-leave', TOPICS.leave)
    member(t, collector, assignments, 'b', 'g-leave', TOPICS.leave)
    await collector.until(() => partitionsOf(assignments, 'a').length === 2 && partitionsOf(assignments, 'b').length === 2)
    await kcatProduce(cluster.bootstrap, TOPICS.leave, keyed('leave', 800))
    await collector.until(() => collector.reads.filter((r) => r.by === 'a').length >= 100)
    await a.close()
    await collector.until(() => partitionsOf(assignments, 'b').length === 4)
    await collector.until(() => collector.distinct === 800)
    t.diagnostic(`a read ${collector.reads.filter((r) => r.by === 'a').length}, b ${collector.reads.filter((r) => r.by === 'b').length}, duplicates ${collector.duplicates}`)
    assert.equal(collector.duplicates, 0)
    assertOrdered(collector.reads)
    assertSameAsKcat(collector.merged(), await kcatPartitions(cluster.bootstrap, TOPICS.leave, [0, 1, 2, 3]))
  })

  test('a member that leaves without committing its last records: exactly those are read again', async (t) => {
    const collector = new Collector()
    const assignments = new Map<string, TopicPartition[]>()
    const a = member(t, collector, assignments, 'a', 'g-uncommitted', TOPICS.uncommitted, { autoCommit: false })
    member(t, collector, assignments, 'b', 'g-uncommitted', TOPICS.uncommitted)
    await collector.until(() => partitionsOf(assignments, 'a').length === 2 && partitionsOf(assignments, 'b').length === 2)
    const mine = partitionsOf(assignments, 'a')
    await kcatProduce(cluster.bootstrap, TOPICS.uncommitted, keyed('uncommitted', 800))
    await collector.until(() => collector.reads.filter((r) => r.by === 'a').length >= 100)
    // Commit half of what a has read of each partition, then leave without committing the rest.
    const committed = new Map(mine.map((p) => [p, Math.floor(collector.reads.filter((r) => r.by === 'a' && r.partition === p).length / 2)]))
    await a.commit(mine.map((partition) => ({ topic: TOPICS.uncommitted, partition, offset: BigInt(committed.get(partition) ?? 0) })))
    await a.close()
    const readByA = collector.reads.filter((r) => r.by === 'a')
    const uncommitted = readByA.filter((r) => r.offset >= (committed.get(r.partition) ?? 0)).length
    await collector.until(() => collector.distinct === 800)
    // b takes a's partitions over and reads each to the end (production is over by now).
    const ends = new Map(mine.map((p) => [p, Math.max(...collector.reads.filter((r) => r.partition === p).map((r) => r.offset))]))
    await collector.until(() => mine.every((p) => collector.reads.some((r) => r.by === 'b' && r.partition === p && r.offset === ends.get(p))))
    t.diagnostic(`a read ${readByA.length} (${uncommitted} past its commit), b ${collector.reads.length - readByA.length}, duplicates ${collector.duplicates}`)
    assert.ok(uncommitted > 0)
    assert.equal(collector.duplicates, uncommitted, 'exactly what a read past its commit is read again by b')
    assertSameAsKcat(collector.merged(), await kcatPartitions(cluster.bootstrap, TOPICS.uncommitted, [0, 1, 2, 3]))
  })

  test('a kcat (librdkafka) member in the same group gets the partitions our member does not hold', async (t) => {
    await kcatProduce(cluster.bootstrap, TOPICS.kcat, keyed('kcat', 400))
    const expected = await kcatPartitions(cluster.bootstrap, TOPICS.kcat, [0, 1, 2, 3])
    const assignments = new Map<string, TopicPartition[]>()
    const collector = new Collector()
    // Our member holds its partitions without reading them, so kcat's share is all kcat reads.
    const ours = consumer(t, cluster.bootstrap, groupOptions('g-kcat'))
    ours.subscribe([TOPICS.kcat], { onAssigned: (p) => { assignments.set('ours', p); collector.changed() } })
    await collector.until(() => partitionsOf(assignments, 'ours').length === 4)
    const run = kcat(['-b', cluster.bootstrap, '-G', 'g-kcat', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=10000',
      '-e', '-q', '-f', '%p\\t%o\\t%k\\t%s\\n', TOPICS.kcat], '', 90_000)
    await collector.until(() => partitionsOf(assignments, 'ours').length === 2)
    const shared = partitionsOf(assignments, 'ours')
    const result = await run
    assert.equal(result.code, 0, result.stderr)
    const kcatReads = result.stdout.split('\n').filter((l) => l !== '').map((line) => {
      const [partition = '', offset = '', key = '', value = ''] = line.split('\t')
      return { partition: Number(partition), offset: Number(offset), key, value }
    })
    const kcatPartitionsRead = [...new Set(kcatReads.map((r) => r.partition))].sort()
    assert.deepEqual(kcatPartitionsRead, [0, 1, 2, 3].filter((p) => !shared.includes(p)), 'kcat read exactly the partitions we did not hold')
    assertSameAsKcat(kcatReads, new Map(kcatPartitionsRead.map((p) => [p, expected.get(p) ?? []])))
  })

  test('the coordinator killed under a running group: it carries on, and its committed progress stays', async (t) => {
    const collector = new Collector()
    const assignments = new Map<string, TopicPartition[]>()
    const a = member(t, collector, assignments, 'a', 'g-coordinator', TOPICS.coordinator)
    await collector.until(() => partitionsOf(assignments, 'a').length === 4)
    await kcatProduce(cluster.bootstrap, TOPICS.coordinator, keyed('before', 400))
    await collector.until(() => collector.distinct === 400)
    await a.commit()
    const coordinator = await cluster.coordinatorOf('g-coordinator')
    await cluster.kill(coordinator)
    try {
      await kcatProduce(cluster.bootstrap, TOPICS.coordinator, keyed('after', 400))
      await collector.until(() => collector.distinct === 800)
      // The commit goes to the new coordinator (found again after the old one's connection died).
      await a.commit()
      await a.close()
      assert.equal(collector.duplicates, 0)
      assertSameAsKcat(collector.merged(), await kcatPartitions(cluster.bootstrap, TOPICS.coordinator, [0, 1, 2, 3]))
      // A new member resumes where the group committed: only records written after that.
      await kcatProduce(cluster.bootstrap, TOPICS.coordinator, keyed('later', 40))
      const next = new Collector()
      member(t, next, new Map(), 'c', 'g-coordinator', TOPICS.coordinator)
      await next.until(() => next.distinct === 40)
      assert.deepEqual(next.reads.map((r) => r.value).filter((v) => !v.startsWith('later-')), [])
      t.diagnostic(`coordinator broker ${coordinator} killed; 800 records read once; the next member read only the 40 written later`)
    } finally {
      await cluster.startNode(coordinator)
    }
  })

  test('a member whose application holds a record past maxPollIntervalMs leaves, its partition goes on at the other member, and it joins again when back', async (t) => {
    await pollTimeoutScenario(t, cluster.bootstrap, POLL_TOPIC, { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 5_000 })
  })
})
