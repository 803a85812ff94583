/**
 * Fault test 5 on real Apache Kafka, cooperative-sticky (the mock cannot serve it: its SyncGroup
 * error answers carry a null assignment, which Kafka's schema does not allow and which the quick
 * rejoins of cooperative rebalancing meet at once): under a steady stream, a second and a third member
 * join and leave, twice. Partitions that stay with a member are never revoked (every revocation
 * names only partitions the member does not hold afterwards, and a joining member costs the others
 * only their share); every record sent is read, in order per partition, and — since revocations
 * and leaving members commit what they processed — none twice.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { cooperativeStickyAssignor } from '../../src/consumer/group/cooperative-sticky.ts'
import type { TopicPartition } from '../../src/consumer/message.ts'
import { Producer } from '../../src/producer/producer.ts'
import { RealCluster } from '../../src/testkit/index.ts'
import { assertSameAsKcat, consumer, kcatPartitions, longestUnaffectedGap, testLogger, TimedCollector } from './helpers.ts'

const TOPIC = 'coop'
const PARTITIONS = 6

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({ brokers: 3, topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

interface Member {
  close: () => Promise<void>
  held: () => number[]
}

describe('cooperative-sticky group under load (real Kafka)', { timeout: 420_000 }, () => {
  test('members join and leave twice: kept partitions never revoked, every record once and in order', async (t) => {
    const collector = new TimedCollector()
    const holdings = new Map<string, Set<number>>()
    const revocations: Array<{ member: string, partitions: number[] }> = []
    const revokedAt: Array<{ partition: number, at: number }> = []
    const problems: string[] = []

    const join = (name: string): Member => {
      const c = consumer(t, cluster.bootstrap, { groupId: 'coop-group', assignors: [cooperativeStickyAssignor], autoOffsetReset: 'earliest', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 10_000 })
      holdings.set(name, new Set())
      const mine = holdings.get(name) as Set<number>
      c.subscribe([TOPIC], {
        onAssigned: (tps: TopicPartition[]) => {
          for (const tp of tps) {
            if (mine.has(tp.partition)) problems.push(`${name} was given partition ${tp.partition} it already held`)
            mine.add(tp.partition)
          }
          collector.changed()
        },
        onRevoked: (tps: TopicPartition[]) => {
          revocations.push({ member: name, partitions: tps.map((tp) => tp.partition) })
          for (const tp of tps) revokedAt.push({ partition: tp.partition, at: performance.now() })
          for (const tp of tps) mine.delete(tp.partition)
          collector.changed()
        },
      })
      collector.drain(c, name)
      return { close: async () => { await c.close(); holdings.delete(name); collector.changed() }, held: () => [...mine].sort() }
    }
    const state = (): string => {
      const read = Array.from({ length: PARTITIONS }, (_, p) => new Set(collector.reads.filter((r) => r.partition === p).map((r) => r.offset)).size)
      return `holdings ${JSON.stringify(Object.fromEntries([...holdings].map(([n, s]) => [n, [...s].sort()])))}, ${sent} sent (${sent / PARTITIONS} per partition), distinct read per partition ${JSON.stringify(read)}, revocations ${JSON.stringify(revocations)}`
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
    await collector.until(() => split(PARTITIONS) && collector.distinct >= 60, () => `a starts: ${state()}`)
    // Each join or leave until the group settles: a window in which to measure the partitions it did not move.
    const windows: Array<{ step: string, from: number, to: number }> = []
    const step = async (name: string, change: () => Promise<unknown>, settled: () => boolean): Promise<void> => {
      const from = performance.now()
      await change()
      await collector.until(settled, () => `${name}: ${state()}`)
      windows.push({ step: name, from, to: performance.now() })
    }
    for (let round = 0; round < 2; round++) {
      let b: Member | undefined
      let c: Member | undefined
      await step(`b${round} joins`, async () => { b = join(`b${round}`) }, () => split(3, 3))
      await step(`c${round} joins`, async () => { c = join(`c${round}`) }, () => split(2, 2, 2))
      await step(`c${round} leaves`, async () => { await c?.close() }, () => split(3, 3))
      await step(`b${round} leaves`, async () => { await b?.close() }, () => split(PARTITIONS))
    }
    sending.on = false
    await stream
    await collector.until(() => collector.distinct === sent, () => `the rest of the stream: ${state()}`)
    const whileRunning = revocations.filter((r) => r.member === 'a').map((r) => r.partitions.length)
    await a.close()

    assert.deepEqual(problems, [])
    // Each revocation named only partitions the member gave up: when b joined, a gave 3 of 6, not 6.
    assert.deepEqual(whileRunning, [3, 1, 3, 1], 'a revoked only the partitions it lost, at each join (and all six only on close)')
    const expected = await kcatPartitions(cluster.bootstrap, TOPIC, Array.from({ length: PARTITIONS }, (_, p) => p))
    assert.equal([...expected.values()].reduce((n, l) => n + l.length, 0), sent)
    assertSameAsKcat(collector.merged(), expected)
    for (const p of expected.keys()) {
      const offsets = collector.reads.filter((r) => r.partition === p).map((r) => r.offset)
      assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `partition ${p} read in order`)
    }
    const gaps = windows.map((w) => ({ step: w.step, ...longestUnaffectedGap(collector, revokedAt, w.from, w.to) }))
    t.diagnostic(`longest gap of a partition the step did not move: ${Math.max(...gaps.map((g) => g.ms))} ms (${gaps.map((g) => `${g.step}: ${g.ms} ms over ${g.partitions.join(',')}`).join('; ')})`)
    t.diagnostic(`${sent} records sent and read, ${collector.duplicates} duplicates, ${revocations.length} revocations (${revocations.map((r) => `${r.member}:${r.partitions.length}`).join(' ')})`)
    assert.equal(collector.duplicates, 0)
  })
})
