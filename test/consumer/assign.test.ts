/**
 * Manual assignment against librdkafka's mock cluster: data produced by kcat read back exactly
 * (per partition, in order, once), seeks, pause/resume, backpressure, autoOffsetReset, and the
 * per-broker fetch loops under leader moves, injected leader errors and a broker going down.
 * One 3-broker mock for the file; each test has its own topic.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'
import { OffsetOutOfRangeError } from '../../src/consumer/errors.ts'
import { kcatProduce } from '../producer/helpers.ts'
import { produce } from '../testkit/mock-cluster/support.ts'
import { Consumer } from '../../src/consumer/consumer.ts'
import { assertSameAsKcat, byPartition, consumer, kcatPartitions, keyed, readCount, testLogger } from './helpers.ts'

let mock: MockCluster
before(async () => { mock = await MockCluster.start({ brokers: 3 }) })
after(async () => { await mock?.stop() })

const all = (topic: string, n = 3): Array<{ topic: string, partition: number }> => Array.from({ length: n }, (_, partition) => ({ topic, partition }))

async function fromStart (c: ReturnType<typeof consumer>, topic: string, n = 3): Promise<void> {
  await c.assign(all(topic, n))
  await Promise.all(all(topic, n).map(async (tp) => await c.seek(tp, 'earliest')))
}

describe('consumer, manual assignment (mock cluster)', { timeout: 120_000 }, () => {
  test('reads keyed records produced by kcat exactly as kcat reads them back', async (t) => {
    await mock.createTopic({ name: 'a-keyed', partitions: 3 })
    await kcatProduce(mock.bootstrap, 'a-keyed', keyed('first', 400))
    await kcatProduce(mock.bootstrap, 'a-keyed', keyed('second', 200))
    const expected = await kcatPartitions(mock.bootstrap, 'a-keyed', [0, 1, 2])
    const total = [...expected.values()].reduce((n, list) => n + list.length, 0)
    assert.equal(total, 600)
    const c = consumer(t, mock.bootstrap)
    await fromStart(c, 'a-keyed')
    assertSameAsKcat(await readCount(c, total), expected)
  })

  test('seek to an offset inside a compressed batch, to latest, and back to earliest', async (t) => {
    await mock.createTopic({ name: 'a-seek', partitions: 1 })
    assert.equal((await produce(mock.bootstrap, 'a-seek', 0, Array.from({ length: 10 }, (_, i) => `v${i}`), ['-z', 'gzip'])).code, 0)
    const c = consumer(t, mock.bootstrap)
    const tp = { topic: 'a-seek', partition: 0 }
    await c.assign([tp])
    assert.equal(await c.seek(tp, 6n), 6n)
    assert.deepEqual((await readCount(c, 4)).map((r) => [r.offset, r.value]), [[6, 'v6'], [7, 'v7'], [8, 'v8'], [9, 'v9']])
    assert.equal(await c.seek(tp, 'latest'), 10n)
    assert.equal((await produce(mock.bootstrap, 'a-seek', 0, ['after-latest'])).code, 0)
    assert.deepEqual((await readCount(c, 1)).map((r) => [r.offset, r.value]), [[10, 'after-latest']])
    assert.equal(await c.seek(tp, 'earliest'), 0n)
    assert.deepEqual((await readCount(c, 11)).map((r) => r.offset), Array.from({ length: 11 }, (_, i) => i))
  })

  test('deserialisers shape key and value; headers and timestamps come through', async (t) => {
    await mock.createTopic({ name: 'a-shape', partitions: 1 })
    const before = Date.now()
    assert.equal((await produce(mock.bootstrap, 'a-shape', 0, ['k1:{"n":1}', 'k2:{"n":2}'], ['-K', ':', '-H', 'trace=abc'])).code, 0)
    const c = new Consumer({
      bootstrap: mock.bootstrap,
      logger: testLogger,
      fetchMaxWaitMs: 100,
      keyDeserializer: (bytes) => bytes?.toString() ?? '',
      valueDeserializer: (bytes, topic) => ({ topic, ...JSON.parse(bytes?.toString() ?? 'null') as { n: number } }),
    })
    t.after(async () => { await c.close() })
    await c.assign([{ topic: 'a-shape', partition: 0 }])
    await c.seek({ topic: 'a-shape', partition: 0 }, 'earliest')
    const got = []
    for await (const m of c) {
      got.push(m)
      if (got.length === 2) break
    }
    assert.deepEqual(got.map((m) => [m.key, m.value]), [['k1', { topic: 'a-shape', n: 1 }], ['k2', { topic: 'a-shape', n: 2 }]])
    assert.deepEqual(got.map((m) => m.headers.map((h) => [h.key, String(h.value)])), [[['trace', 'abc']], [['trace', 'abc']]])
    assert.ok(got.every((m) => m.timestamp >= before - 1000 && m.timestamp <= Date.now()), 'create times from the producer')
  })

  test('eachBatch gets one partition at a time, in order; a paused partition waits for resume', async (t) => {
    await mock.createTopic({ name: 'a-pause', partitions: 3 })
    for (const p of [0, 1, 2]) assert.equal((await produce(mock.bootstrap, 'a-pause', p, Array.from({ length: 50 }, (_, i) => `p${p}-${i}`))).code, 0)
    const c = consumer(t, mock.bootstrap)
    await fromStart(c, 'a-pause')
    c.pause([{ topic: 'a-pause', partition: 0 }])
    const seen: Array<{ partition: number, offset: number }> = []
    let resumed = false
    await new Promise<void>((resolve, reject) => {
      c.run({
        maxBatchRecords: 7,
        eachBatch: (batch) => {
          assert.ok(batch.messages.length >= 1 && batch.messages.length <= 7)
          assert.ok(batch.messages.every((m) => m.partition === batch.partition))
          for (const m of batch.messages) seen.push({ partition: m.partition, offset: Number(m.offset) })
          if (!resumed) assert.notEqual(batch.partition, 0, 'nothing of the paused partition before resume')
          const others = seen.filter((s) => s.partition !== 0).length
          if (others === 100 && !resumed) {
            resumed = true
            c.resume([{ topic: 'a-pause', partition: 0 }])
          }
          if (seen.length === 150) resolve()
        },
      }).catch(reject)
    })
    for (const [partition, list] of byPartition(seen.map((s) => ({ ...s, key: '', value: '' })))) {
      assert.deepEqual(list.map((r) => r.offset), Array.from({ length: 50 }, (_, i) => i), `partition ${partition}`)
    }
  })

  test('backpressure: a partition whose buffer is full is left out of Fetches until the application takes its records', async (t) => {
    await mock.createTopic({ name: 'a-full', partitions: 2 })
    await mock.setPartitionLeader('a-full', 0, 1)
    await mock.setPartitionLeader('a-full', 1, 1)
    for (let round = 0; round < 5; round++) {
      assert.equal((await produce(mock.bootstrap, 'a-full', 0, Array.from({ length: 20 }, (_, i) => `r${round}-${i}`))).code, 0)
    }
    // One byte: any chunk fills the partition's buffer.
    const c = consumer(t, mock.bootstrap, { maxBufferedBytesPerPartition: 1, maxPartitionFetchBytes: 1024 })
    await mock.startRequestTracking()
    await fromStart(c, 'a-full', 2)
    // Partition 1 is empty, so broker 1's loop keeps polling: count its Fetches as the clock.
    const fetches = async (): Promise<number> => (await mock.getRequests()).filter((r) => r.brokerId === 1 && r.apiKey === ApiKey.Fetch).length
    while (c.bufferedBytes === 0) await new Promise((resolve) => setImmediate(resolve))
    const held = c.bufferedBytes
    const start = await fetches()
    while (await fetches() < start + 5) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(c.bufferedBytes, held, 'five more Fetches to the broker, none of them for the full partition')
    await mock.stopRequestTracking()
    const read = await readCount(c, 100)
    assert.deepEqual(read.map((r) => r.offset), Array.from({ length: 100 }, (_, i) => i))
  })

  test('OFFSET_OUT_OF_RANGE: earliest resets; none throws OffsetOutOfRangeError and the partition works after a seek', async (t) => {
    await mock.createTopic({ name: 'a-range', partitions: 1 })
    assert.equal((await produce(mock.bootstrap, 'a-range', 0, ['x0', 'x1', 'x2'])).code, 0)
    const tp = { topic: 'a-range', partition: 0 }
    const resetting = consumer(t, mock.bootstrap, { autoOffsetReset: 'earliest' })
    await resetting.assign([tp])
    await resetting.seek(tp, 1000n)
    assert.deepEqual((await readCount(resetting, 3)).map((r) => r.value), ['x0', 'x1', 'x2'])
    const strict = consumer(t, mock.bootstrap, { autoOffsetReset: 'none' })
    await strict.assign([tp])
    await strict.seek(tp, 1000n)
    await assert.rejects(readCount(strict, 1), (error: unknown) => error instanceof OffsetOutOfRangeError && /a-range-0: offset 1000 is out of range/.test(error.message))
    await strict.seek(tp, 2n)
    assert.deepEqual((await readCount(strict, 1)).map((r) => r.value), ['x2'])
  })

  test('leader moves and injected leader errors: every record read once, in order per partition', async (t) => {
    await mock.createTopic({ name: 'a-move', partitions: 3 })
    for (const p of [0, 1, 2]) await mock.setPartitionLeader('a-move', p, p + 1)
    await kcatProduce(mock.bootstrap, 'a-move', keyed('m1', 300))
    const c = consumer(t, mock.bootstrap)
    await fromStart(c, 'a-move')
    const first = await readCount(c, 50)
    await mock.setPartitionLeader('a-move', 0, 2)
    await mock.setPartitionLeader('a-move', 1, 3)
    await mock.pushPartitionRequestErrors('a-move', 2, ApiKey.Fetch, [6, 5, 74, 75, 3])
    await kcatProduce(mock.bootstrap, 'a-move', keyed('m2', 300))
    const expected = await kcatPartitions(mock.bootstrap, 'a-move', [0, 1, 2])
    assertSameAsKcat([...first, ...await readCount(c, 600 - first.length)], expected)
  })

  test('a broker down stalls only the partitions it leads; they resume when it returns', async (t) => {
    await mock.createTopic({ name: 'a-down', partitions: 3 })
    for (const p of [0, 1, 2]) await mock.setPartitionLeader('a-down', p, p + 1)
    for (const p of [0, 1, 2]) assert.equal((await produce(mock.bootstrap, 'a-down', p, Array.from({ length: 20 }, (_, i) => `before-${i}`))).code, 0)
    const c = consumer(t, mock.bootstrap)
    await fromStart(c, 'a-down')
    const before = await readCount(c, 60)
    await mock.brokerDown(1)
    try {
      for (const p of [1, 2]) assert.equal((await produce(mock.bootstrap, 'a-down', p, Array.from({ length: 20 }, (_, i) => `during-${i}`))).code, 0)
      // Completes only if partitions 1 and 2 kept being read while broker 1 was down.
      const during = await readCount(c, 40)
      assert.deepEqual([...byPartition(during).keys()].sort(), [1, 2])
    } finally {
      await mock.brokerUp(1)
    }
    assert.equal((await produce(mock.bootstrap, 'a-down', 0, Array.from({ length: 20 }, (_, i) => `after-${i}`))).code, 0)
    const rest = await readCount(c, 20)
    const reads = [...before, ...rest]
    assert.deepEqual(reads.filter((r) => r.partition === 0).map((r) => r.offset), Array.from({ length: 40 }, (_, i) => i))
  })
})
