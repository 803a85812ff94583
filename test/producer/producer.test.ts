/**
 * The producer against a real third-party broker (librdkafka's mock cluster), with what was
 * written read back by kcat (librdkafka 2.0.2, an independent client) or by a raw Fetch.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { BufferFullError, ProducerClosedError, RecordTooLargeError } from '../../src/producer/errors.ts'
import { DeadlineExceededError, InvalidArgumentError, KafkaProtocolError } from '../../src/resilience/errors.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'
import { fetchBatches, kcatProduce, kcatRead, producerSuite } from './helpers.ts'

describe('producer against the mock cluster', { timeout: 120_000 }, () => {
  const suite = producerSuite()
  const producer = suite.producer
  let topicCount = 0
  const topic = async (partitions = 1): Promise<string> => {
    const name = `p${++topicCount}`
    await suite.mock.createTopic({ name, partitions, replicationFactor: 3 })
    return name
  }

  test('send resolves per record with partition and offset; kcat reads keys, values, headers and timestamps in order', async () => {
    const t = await topic()
    const p = producer()
    const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => p.send({
      topic: t, key: `k${i}`, value: `v${i}`, headers: [{ key: 'n', value: String(i) }, { key: 'n', value: 'again' }], timestamp: 1_700_000_000_000 + i,
    })))
    assert.deepEqual(sent.map((m) => [m.topic, m.partition, m.offset]), sent.map((_, i) => [t, 0, BigInt(i)]))
    const log = await kcatRead(suite.mock.bootstrap, t, 0)
    assert.deepEqual(log.map((r) => [r.key, r.value, r.offset, r.timestamp, r.headers]),
      sent.map((_, i) => [`k${i}`, `v${i}`, i, 1_700_000_000_000 + i, `n=${i},n=again`]))
  })

  test('keyed records land where the Java-compatible murmur2 partitioner of librdkafka puts them', async () => {
    const viaKcat = await topic(7)
    const ours = await topic(7)
    // Keys with bytes above 0x7f too (UTF-8), where a hash reading bytes as signed would differ.
    const keys = Array.from({ length: 40 }, (_, i) => i % 2 === 0 ? `customer-${i * 7919}` : `${['clé', 'ключ', '鍵', 'ü🔑'][(i >> 1) % 4]}-${i}`)
    await kcatProduce(suite.mock.bootstrap, viaKcat, keys.map((k) => `${k}:x`))
    const placed = new Map<string, number>()
    const logs = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(async (partition) => await kcatRead(suite.mock.bootstrap, viaKcat, partition)))
    logs.forEach((log, partition) => { for (const r of log) placed.set(r.key, partition) })
    assert.equal(placed.size, keys.length)
    const p = producer()
    for (const key of keys) {
      const m = await p.send({ topic: ours, key, value: 'x' })
      assert.equal(m.partition, placed.get(key), `partition of ${key}`)
    }
  })

  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    test(`${compression}-compressed batches are read back intact by kcat`, async () => {
      const t = await topic()
      const p = producer({ compression })
      const values = Array.from({ length: 200 }, (_, i) => `${compression} record ${i} `.repeat(1 + (i % 5)))
      await Promise.all(values.map((value) => p.send({ topic: t, value })))
      const batches = await fetchBatches(suite.mock.bootstrap, t, 0)
      assert.ok(batches.every((b) => b.compression === compression))
      assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, 0)).map((r) => r.value), values)
    })
  }

  test('acks=1 resolves with offsets, acks=0 resolves without one; both are written', async () => {
    const t = await topic()
    const one = await producer({ acks: 1 }).send({ topic: t, value: 'one' })
    assert.equal(one.offset, 0n)
    const zero = producer({ acks: 0 })
    const z = await zero.send({ topic: t, value: 'zero' })
    assert.equal(z.offset, -1n)
    await zero.flush()
    for (let i = 0; i < 50; i++) {
      if ((await kcatRead(suite.mock.bootstrap, t, 0)).length === 2) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, 0)).map((r) => r.value), ['one', 'zero'])
  })

  test('records sent together form one batch; batchSize splits them; sequences run on across batches under one producer id', async () => {
    const t = await topic()
    const p = producer({ batchSize: 4096, lingerMs: 50 })
    const value = 'x'.repeat(100)
    await Promise.all(Array.from({ length: 100 }, () => p.send({ topic: t, value })))
    await Promise.all(Array.from({ length: 10 }, () => p.send({ topic: t, value })))
    const batches = await fetchBatches(suite.mock.bootstrap, t, 0)
    const counts = batches.map((b) => b.records.length)
    assert.equal(counts.reduce((a, b) => a + b, 0), 110)
    assert.ok(batches.length >= 4, `100 records of ~120 bytes need several 4 KiB batches, got ${counts.join(',')}`)
    assert.ok(counts.every((c) => c * 122 <= 4096 + 122), `no batch beyond batchSize: ${counts.join(',')}`)
    assert.equal(counts.at(-1), 10, 'the second group of sends is one batch')
    const ids = new Set(batches.map((b) => b.producerId))
    assert.equal(ids.size, 1)
    assert.ok((batches[0]?.producerId ?? -1n) >= 0n)
    let expected = 0
    for (const b of batches) {
      assert.equal(b.baseSequence, expected)
      expected += b.records.length
    }
  })

  test('an out-of-order answer for the head batch moves the partition to a fresh producer id numbered from 0', async () => {
    const t = await topic()
    const p = producer()
    await p.send({ topic: t, value: 'a' })
    await p.send({ topic: t, value: 'b' })
    await suite.mock.pushRequestErrors(ApiKey.Produce, [45])
    await p.send({ topic: t, value: 'c' })
    const batches = await fetchBatches(suite.mock.bootstrap, t, 0)
    assert.deepEqual(batches.map((b) => b.records.map((r) => r.value?.toString())), [['a'], ['b'], ['c']])
    assert.equal(batches[0]?.producerId, batches[1]?.producerId)
    assert.notEqual(batches[2]?.producerId, batches[1]?.producerId)
    assert.deepEqual(batches.map((b) => b.baseSequence), [0, 1, 0])
  })

  test('flush sends lingering batches at once and waits for every record accepted so far', async () => {
    const t = await topic(2)
    const p = producer({ lingerMs: 60_000 })
    const pending = Array.from({ length: 20 }, (_, i) => p.send({ topic: t, partition: i % 2, value: String(i) }))
    await p.flush()
    const settled = await Promise.allSettled(pending)
    assert.deepEqual(settled.map((r) => r.status), pending.map(() => 'fulfilled'), 'flush returned after every record had its outcome')
    assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, 1)).map((r) => r.value), ['1', '3', '5', '7', '9', '11', '13', '15', '17', '19'])
  })

  test('flush with the buffer full of lingering records: it seals them first, so the records waiting for space get it', async () => {
    const t = await topic()
    // ~522 bytes a record: three fill the buffer and sit in a batch that would linger for a minute.
    const p = producer({ lingerMs: 60_000, batchSize: 2048, maxBufferedBytes: 2048, maxBlockMs: 3000 })
    const value = 'z'.repeat(500)
    const pending = Array.from({ length: 7 }, () => p.send({ topic: t, value }))
    await p.flush()
    const settled = await Promise.allSettled(pending)
    assert.deepEqual(settled.map((r) => r.status === 'fulfilled' ? r.value.offset : String(r.reason)), [0n, 1n, 2n, 3n, 4n, 5n, 6n])
    assert.equal((await kcatRead(suite.mock.bootstrap, t, 0)).length, 7)
  })

  test('without InitProducerId on the brokers the default producer carries on without idempotence; idempotent: true refuses', async () => {
    const t = await topic()
    await suite.mock.setApiVersion(ApiKey.InitProducerId, -1, -1)
    try {
      const fallback = producer()
      assert.equal((await fallback.send({ topic: t, value: 'plain' })).offset, 0n)
      const batches = await fetchBatches(suite.mock.bootstrap, t, 0)
      assert.deepEqual(batches.map((b) => [b.producerId, b.baseSequence]), [[-1n, -1]])
      const strict = producer({ idempotent: true })
      const error = await strict.send({ topic: t, value: 'strict' }).catch((e: unknown) => e)
      assert.ok(error instanceof Error)
      assert.match(error.message, /InitProducerId is not supported by (broker \d|bootstrap 127\.0\.0\.1:\d+): the broker does not offer this API/)
    } finally {
      await suite.mock.setApiVersion(ApiKey.InitProducerId, 0, 4)
    }
  })

  test('close delivers every record accepted, then refuses new ones', async () => {
    const t = await topic(3)
    const p = producer({ lingerMs: 1000 })
    const pending = Array.from({ length: 300 }, (_, i) => p.send({ topic: t, key: String(i), value: String(i) }))
    await p.close()
    const results = await Promise.allSettled(pending)
    assert.ok(results.every((r) => r.status === 'fulfilled'))
    let total = 0
    for (let partition = 0; partition < 3; partition++) total += (await kcatRead(suite.mock.bootstrap, t, partition)).length
    assert.equal(total, 300)
    await assert.rejects(p.send({ topic: t, value: 'late' }), ProducerClosedError)
  })

  test('a partition without a leader holds its batches while the others flow; a full buffer makes send wait, then fail clearly', async () => {
    const t = await topic(2)
    await suite.mock.setPartitionLeader(t, 1, -1)
    const p = producer({ batchSize: 2048, maxBufferedBytes: 4096, maxBufferedBytesPerPartition: 4096, maxBlockMs: 300, lingerMs: 0 })
    const value = 'y'.repeat(500)
    const held = [0, 1, 2].map(() => p.send({ topic: t, partition: 1, value }))
    assert.equal((await p.send({ topic: t, partition: 0, value: 'flows' })).offset, 0n, 'the other partition is not held up')
    // ~522 bytes a record: 7 fit in 4096 bytes; the 8th and later wait for space, then give up.
    const more = Array.from({ length: 6 }, () => p.send({ topic: t, partition: 1, value }))
    const accepted = [...held, ...more.slice(0, 4)]
    const refused = await Promise.allSettled(more.slice(4))
    for (const r of refused) {
      assert.equal(r.status, 'rejected')
      assert.ok(r.reason instanceof BufferFullError, String(r.reason))
      assert.match((r.reason as Error).message, /maxBufferedBytes.*found no space within 300 ms \(maxBlockMs\)/)
    }
    assert.ok(p.bufferedBytes <= 4096, `buffered ${p.bufferedBytes}`)
    await suite.mock.setPartitionLeader(t, 1, 2)
    const delivered = await Promise.all(accepted)
    assert.deepEqual(delivered.map((m) => m.offset), [0n, 1n, 2n, 3n, 4n, 5n, 6n])
    await p.flush()
    assert.equal(p.bufferedBytes, 0, 'delivered records give their space back')
  })

  test('a leaderless partition filling its share of the buffer does not stop sends to a healthy partition', async () => {
    const t = await topic(2)
    await suite.mock.setPartitionLeader(t, 1, -1)
    // ~522 bytes a record; the stuck partition may hold 2048 bytes (3 records) of the 8192.
    const p = producer({ batchSize: 1024, maxBufferedBytes: 8192, maxBufferedBytesPerPartition: 2048, maxBlockMs: 300, lingerMs: 0 })
    const value = 'w'.repeat(500)
    const stuck = Array.from({ length: 6 }, () => p.send({ topic: t, partition: 1, value }))
    stuck.forEach((s) => { s.catch(() => {}) })
    const healthy = await Promise.all(Array.from({ length: 12 }, () => p.send({ topic: t, partition: 0, value })))
    assert.deepEqual(healthy.map((m) => m.offset), Array.from({ length: 12 }, (_, i) => BigInt(i)), 'the healthy partition is not held up')
    const refused = await Promise.allSettled(stuck.slice(3))
    for (const r of refused) {
      assert.equal(r.status, 'rejected')
      assert.ok(r.reason instanceof BufferFullError, String(r.reason))
      assert.match((r.reason as Error).message, new RegExp(`partition ${t}-1 holds 1566 of 2048 bytes \\(maxBufferedBytesPerPartition\\)`))
    }
    await suite.mock.setPartitionLeader(t, 1, 2)
    assert.deepEqual((await Promise.all(stuck.slice(0, 3))).map((m) => m.offset), [0n, 1n, 2n], 'what was accepted is delivered once a leader returns')
  })

  test('records without a key stick to partitions that have a leader, moving on as batches fill', async () => {
    const t = await topic(3)
    await suite.mock.setPartitionLeader(t, 1, -1)
    const p = producer({ batchSize: 1024, lingerMs: 0 })
    const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => p.send({ topic: t, key: null, value: `${i}`.padStart(100, '.') })))
    const used = new Set(sent.map((m) => m.partition))
    assert.ok(!used.has(1), 'the leaderless partition gets nothing')
    assert.deepEqual([...used].sort(), [0, 2], 'sticky, but not stuck: both partitions with a leader get batches')
    const logs = await Promise.all([0, 2].map(async (partition) => await kcatRead(suite.mock.bootstrap, t, partition)))
    assert.equal(logs[0]!.length + logs[1]!.length, 200)
    await suite.mock.setPartitionLeader(t, 1, 3)
  })

  test('a partition that stays leaderless fails its records with DeadlineExceededError after deliveryTimeoutMs', async () => {
    const t = await topic()
    await suite.mock.setPartitionLeader(t, 0, -1)
    const p = producer({ deliveryTimeoutMs: 800, requestTimeoutMs: 500, lingerMs: 0 })
    const error = await p.send({ topic: t, value: 'lost?' }).catch((e: unknown) => e)
    assert.ok(error instanceof DeadlineExceededError, String(error))
    assert.match(error.message, new RegExp(`delivery of 1 record\\(s\\) to ${t}-0 did not succeed within deliveryTimeoutMs \\(800 ms\\)`))
    assert.ok(error.cause instanceof KafkaProtocolError)
    assert.equal(error.cause.errorName, 'LEADER_NOT_AVAILABLE')
    await suite.mock.setPartitionLeader(t, 0, 1)
    assert.equal((await p.send({ topic: t, value: 'after' })).offset, 0n, 'the partition recovers, numbering again under a fresh id')
    assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, 0)).map((r) => r.value), ['after'])
  })

  test('bad input is refused with an error naming what is wrong', async () => {
    const t = await topic(2)
    const p = producer({ maxRequestSize: 2048, batchSize: 1024 })
    await assert.rejects(p.send({ topic: '', value: 'x' }), (e: unknown) => e instanceof InvalidArgumentError && /topic must be a non-empty string/.test(e.message))
    await assert.rejects(p.send({ topic: t, value: 42 as never }), /value must be a Buffer, a Uint8Array, a string or null, got number/)
    await assert.rejects(p.send({ topic: t, value: 'x', partition: 5 }), /partition 5 does not exist; topic p\d+ has 2 partition\(s\)/)
    await assert.rejects(p.send({ topic: t, value: 'x', timestamp: -5 }), /timestamp must be a Date or an integer/)
    await assert.rejects(p.send({ topic: t, value: 'x'.repeat(3000) }), (e: unknown) => e instanceof RecordTooLargeError && /more than maxRequestSize \(2048\)/.test(e.message))
    const wild = producer({ partitioner: () => 9 })
    await assert.rejects(wild.send({ topic: t, value: 'x' }), /the partitioner chose partition 9 for topic p\d+, which has 2 partition\(s\)/)
  })

  test('a maxBlockMs too short for the first metadata answer fails saying so, not with a bare timeout', async () => {
    const t = await topic()
    // Every broker holds its answers back for longer than maxBlockMs, so the first Metadata
    // answer cannot arrive in time however fast the machine is.
    await suite.mock.setBrokerRtt(-1, 1000)
    const error = await producer({ maxBlockMs: 50 }).send({ topic: t, value: 'x' }).catch((e: unknown) => e)
      .finally(async () => { await suite.mock.setBrokerRtt(-1, 0) })
    assert.ok(error instanceof DeadlineExceededError, String(error))
    assert.match(error.message, new RegExp(`send to ${t}: no metadata for the topic within maxBlockMs \\(50 ms\\): the brokers had not answered yet`))
    assert.doesNotMatch(error.message, /UNKNOWN_TOPIC/, 'the topic exists: it is not blamed')
  })

  test('a topic the cluster does not know fails after maxBlockMs with UNKNOWN_TOPIC_OR_PARTITION as cause', async () => {
    const p = producer({ maxBlockMs: 400 })
    const error = await p.send({ topic: 'no-such-topic', value: 'x' }).catch((e: unknown) => e)
    assert.ok(error instanceof DeadlineExceededError)
    assert.equal((error.cause as KafkaProtocolError).errorName, 'UNKNOWN_TOPIC_OR_PARTITION')
  })
})
