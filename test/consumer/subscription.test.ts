/**
 * Subscriptions that follow the cluster's topics, on librdkafka's mock (classic protocol): a
 * pattern picks up a topic created after the member joined and drops one deleted; a named topic
 * that does not exist yet is assigned once it appears. The look comes every metadataMaxAgeMs
 * (short here); every record is read once, in order per partition, as kcat reads it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Consumer } from '../../src/consumer/consumer.ts'
import type { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { consume, produce } from '../testkit/mock-cluster/support.ts'
import { Collector, consumer, startGroupMock } from './helpers.ts'

let mock: MockCluster
before(async () => { mock = await startGroupMock() })
after(async () => { await mock?.stop() })

const groupOptions = (groupId: string): Record<string, unknown> =>
  ({ groupId, autoOffsetReset: 'earliest', sessionTimeoutMs: 3_000, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 5_000, metadataMaxAgeMs: 300 })

/** `offset:value` lines per `topic/partition`, as the consumer read them. */
function readBy (c: Consumer): { lines: Map<string, string[]>, collector: Collector } {
  const lines = new Map<string, string[]>()
  const collector = new Collector()
  ;(async () => {
    for await (const m of c) {
      const key = `${m.topic}/${m.partition}`
      lines.set(key, [...(lines.get(key) ?? []), `${m.offset}:${m.value?.toString() ?? ''}`])
      collector.changed()
    }
  })().catch(() => {})
  return { lines, collector }
}

const count = (lines: Map<string, string[]>, topic: string): number =>
  [...lines].filter(([key]) => key.startsWith(`${topic}/`)).reduce((n, [, l]) => n + l.length, 0)

const assigned = (c: Consumer): string[] => c.assignment().map((tp) => `${tp.topic}/${tp.partition}`).sort()

describe('consumer subscriptions following topics (mock cluster)', { timeout: 60_000 }, () => {
  test('a pattern picks up a topic created later and drops one deleted', async (t) => {
    await mock.createTopic({ name: 'sp.orders.a', partitions: 2 })
    await mock.createTopic({ name: 'sp.other', partitions: 1 })
    for (const p of [0, 1]) assert.equal((await produce(mock.bootstrap, 'sp.orders.a', p, Array.from({ length: 20 }, (_, i) => `a${p}-${i}`))).code, 0)
    assert.equal((await produce(mock.bootstrap, 'sp.other', 0, ['not-matched'])).code, 0)
    const c = consumer(t, mock.bootstrap, groupOptions('sp-pattern'))
    c.subscribe([/^sp\.orders\./], { onAssigned: () => { read.collector.changed() }, onRevoked: () => { read.collector.changed() } })
    const read = readBy(c)
    await read.collector.until(() => count(read.lines, 'sp.orders.a') === 40)
    assert.deepEqual(assigned(c), ['sp.orders.a/0', 'sp.orders.a/1'])

    await mock.createTopic({ name: 'sp.orders.b', partitions: 2 })
    for (const p of [0, 1]) assert.equal((await produce(mock.bootstrap, 'sp.orders.b', p, Array.from({ length: 30 }, (_, i) => `b${p}-${i}`))).code, 0)
    await read.collector.until(() => count(read.lines, 'sp.orders.b') === 60)
    assert.deepEqual(assigned(c), ['sp.orders.a/0', 'sp.orders.a/1', 'sp.orders.b/0', 'sp.orders.b/1'])
    for (const topic of ['sp.orders.a', 'sp.orders.b']) {
      for (const p of [0, 1]) assert.deepEqual(read.lines.get(`${topic}/${p}`), await consume(mock.bootstrap, topic, p), `${topic}-${p}`)
    }
    assert.equal(count(read.lines, 'sp.other'), 0, 'a topic the pattern does not match is not read')

    await mock.deleteTopic('sp.orders.a')
    await read.collector.until(() => !assigned(c).some((tp) => tp.startsWith('sp.orders.a/')))
    assert.deepEqual(assigned(c), ['sp.orders.b/0', 'sp.orders.b/1'])
  })

  test('a named topic that does not exist at the start is assigned when it appears', async (t) => {
    await mock.createTopic({ name: 'sn-now', partitions: 1 })
    assert.equal((await produce(mock.bootstrap, 'sn-now', 0, Array.from({ length: 10 }, (_, i) => `now-${i}`))).code, 0)
    const c = consumer(t, mock.bootstrap, groupOptions('sn-later'))
    c.subscribe(['sn-now', 'sn-later'], { onAssigned: () => { read.collector.changed() } })
    const read = readBy(c)
    await read.collector.until(() => count(read.lines, 'sn-now') === 10)
    assert.deepEqual(assigned(c), ['sn-now/0'])

    await mock.createTopic({ name: 'sn-later', partitions: 2 })
    for (const p of [0, 1]) assert.equal((await produce(mock.bootstrap, 'sn-later', p, Array.from({ length: 25 }, (_, i) => `later${p}-${i}`))).code, 0)
    await read.collector.until(() => count(read.lines, 'sn-later') === 50)
    assert.deepEqual(assigned(c), ['sn-later/0', 'sn-later/1', 'sn-now/0'])
    for (const p of [0, 1]) assert.deepEqual(read.lines.get(`sn-later/${p}`), await consume(mock.bootstrap, 'sn-later', p), `sn-later-${p}`)
    assert.deepEqual(read.lines.get('sn-now/0'), await consume(mock.bootstrap, 'sn-now', 0))
  })
})
