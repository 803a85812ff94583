/**
 * maxPollIntervalMs (Java's max.poll.interval.ms), the same scenario for both group protocols
 * against real Kafka: an application that holds one record for too long must not keep its
 * partitions from the group. The member leaves, the other member takes its partition from the last
 * committed offset (the held record is read again there: it was never processed), the stuck
 * member's partitions are reported lost (no commit: the group moved on), and once the application
 * asks for the next record the member joins again and gets a share back. Nothing is lost, order is
 * kept, and the only record read twice is the one that was held.
 */
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { Admin } from '../../src/admin/admin.ts'
import type { TopicPartition } from '../../src/consumer/message.ts'
import type { ConsumerOptions } from '../../src/consumer/options.ts'
import { produce } from '../testkit/mock-cluster/support.ts'
import { Collector, consumer, testLogger, toRead } from './helpers.ts'

const PER_PARTITION = 20
const HELD_OFFSET = 5

async function committed (bootstrap: string, groupId: string, topic: string): Promise<number[]> {
  const admin = new Admin({ bootstrap, logger: testLogger })
  try {
    const offsets = (await admin.listConsumerGroupOffsets(groupId, { topics: [{ topic, partitions: [0, 1] }] })).get(groupId) ?? []
    return [0, 1].map((p) => Number(offsets.find((o) => o.partition === p)?.offset ?? -1n))
  } finally {
    await admin.close()
  }
}

const names = (ps: TopicPartition[]): string => ps.map((p) => p.partition).sort().join(',')

/** `topic` has two partitions and no records; `extra` picks the protocol and its timings. */
export async function pollTimeoutScenario (t: TestContext, bootstrap: string, topic: string, extra: Partial<ConsumerOptions>): Promise<void> {
  const options = { groupId: topic, autoOffsetReset: 'earliest' as const, autoCommitIntervalMs: 100, ...extra }
  const registry = new Registry()
  const events: string[] = []
  const stuck = consumer(t, bootstrap, { ...options, maxPollIntervalMs: 1_500, registry })
  const other = consumer(t, bootstrap, options)
  const collector = new Collector()
  stuck.subscribe([topic], {
    onAssigned: (ps) => { events.push(`stuck assigned ${names(ps)}`); collector.changed() },
    onRevoked: (ps) => { events.push(`stuck revoked ${names(ps)}`); collector.changed() },
    onLost: (ps) => { events.push(`stuck lost ${names(ps)}`); collector.changed() },
  })
  other.subscribe([topic], { onAssigned: () => { collector.changed() }, onRevoked: () => { collector.changed() } })
  const shares = (): string => `stuck ${names(stuck.assignment())}, other ${names(other.assignment())}; events ${events.join('; ')}`
  await collector.until(() => stuck.assignment().length === 1 && other.assignment().length === 1, shares, 30_000)

  // The stuck member's partition, as the group gave it before any record exists.
  const held = (stuck.assignment()[0] as TopicPartition).partition
  let release = (): void => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let holding = false
  const reading = (async () => {
    for await (const m of stuck) {
      collector.push({ ...toRead(m), by: 'stuck' })
      if (m.partition === held && Number(m.offset) === HELD_OFFSET && !holding) {
        holding = true
        collector.changed()
        await gate
      }
    }
  })()
  collector.drain(other, 'other')
  for (const p of [0, 1]) assert.equal((await produce(bootstrap, topic, p, Array.from({ length: PER_PARTITION }, (_, i) => `p${p}-${i}`))).code, 0)

  await collector.until(() => holding, shares, 30_000)
  // What the stuck member is told from here on (before, the group may have moved partitions
  // between the two members while they joined).
  const sinceHold = events.length
  const later = (): string[] => events.slice(sinceHold)
  // Every record of both partitions read while the stuck member still holds its record: the
  // other member has its partition and read the held one again.
  await collector.until(() => collector.distinct === 2 * PER_PARTITION && other.assignment().length === 2, shares, 30_000)
  const twice = collector.reads.filter((r) => r.partition === held && r.offset === HELD_OFFSET).map((r) => r.by)
  assert.deepEqual(twice, ['stuck', 'other'], 'the held record is read again by the member that took its partition')
  const timeouts = (await registry.getSingleMetric('steadfast_consumer_poll_timeouts_total')?.get())?.values ?? []
  assert.deepEqual(timeouts.map((v) => ({ group: v.labels.group, value: v.value })), [{ group: topic, value: 1 }])
  assert.deepEqual(stuck.assignment(), [], 'the stuck member no longer holds a partition')

  release()
  await collector.until(() => later().some((e) => e.startsWith('stuck assigned')) && stuck.assignment().length === 1 && other.assignment().length === 1, shares, 30_000)
  assert.equal(later()[0], `stuck lost ${held}`, `its partition lost (not revoked: the group had moved on) first; then ${later().join('; ')}`)
  assert.equal(later().filter((e) => e.startsWith('stuck lost')).length, 1, `lost once: ${later().join('; ')}`)
  await stuck.close()
  await reading
  await other.close()

  assert.equal(collector.distinct, 2 * PER_PARTITION, 'nothing lost')
  assert.equal(collector.duplicates, 1, 'only the held record was read twice')
  for (const p of [0, 1]) {
    const offsets = collector.merged().filter((r) => r.partition === p).map((r) => r.offset)
    assert.deepEqual(offsets, Array.from({ length: PER_PARTITION }, (_, i) => i), `partition ${p} in order`)
  }
  assert.deepEqual(await committed(bootstrap, topic, topic), [PER_PARTITION, PER_PARTITION], 'everything processed is committed')
}
