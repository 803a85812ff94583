/**
 * sendBatch against the mock cluster: one promise for many records, each record's outcome kept
 * (metadata in the order given, or every outcome when some fail), and what was written read back
 * by kcat partition by partition.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { RecordTooLargeError, SendBatchError } from '../../src/producer/errors.ts'
import { InvalidArgumentError, KafkaProtocolError } from '../../src/resilience/errors.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'
import { kcatRead, producerSuite } from './helpers.ts'

describe('sendBatch', { timeout: 120_000 }, () => {
  const suite = producerSuite()
  let topicCount = 0
  const topic = async (partitions: number): Promise<string> => {
    const name = `sb${++topicCount}`
    await suite.mock.createTopic({ name, partitions, replicationFactor: 3 })
    return name
  }

  test('resolves with every record\'s metadata in the order given; each partition holds its records in that order', async () => {
    const t = await topic(3)
    const p = suite.producer()
    const records = Array.from({ length: 300 }, (_, i) => ({ topic: t, partition: i % 3, key: `k${i}`, value: `v${i}` }))
    const sent = await p.sendBatch(records)
    assert.equal(sent.length, records.length)
    sent.forEach((m, i) => {
      assert.equal(m.topic, t)
      assert.equal(m.partition, i % 3, `record ${i}`)
      assert.equal(m.offset, BigInt(Math.floor(i / 3)), `record ${i}: offsets follow the order given within its partition`)
    })
    for (let partition = 0; partition < 3; partition++) {
      const log = await kcatRead(suite.mock.bootstrap, t, partition)
      assert.deepEqual(log.map((r) => [r.key, r.value, r.offset]), records.filter((r) => r.partition === partition).map((r, n) => [r.key, r.value, n]))
    }
  })

  test('records of send and sendBatch calls interleave in call order within a partition', async () => {
    const t = await topic(1)
    const p = suite.producer()
    const [a, bc, d, e] = await Promise.all([
      p.send({ topic: t, value: 'a' }),
      p.sendBatch([{ topic: t, value: 'b' }, { topic: t, value: 'c' }]),
      p.send({ topic: t, value: 'd' }),
      p.sendBatch([{ topic: t, value: 'e' }]),
    ])
    assert.deepEqual([a.offset, ...bc.map((m) => m.offset), d.offset, ...e.map((m) => m.offset)], [0n, 1n, 2n, 3n, 4n])
    assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, 0)).map((r) => r.value), ['a', 'b', 'c', 'd', 'e'])
  })

  test('when some records fail, it rejects with a SendBatchError giving each record\'s outcome', async () => {
    const t = await topic(3)
    const p = suite.producer()
    await p.send({ topic: t, partition: 1, value: 'warm-up' })
    // RECORD_LIST_TOO_LARGE (18) is fatal: partition 1's batch fails; partitions 0 and 2 are written.
    await suite.mock.pushPartitionRequestErrors(t, 1, ApiKey.Produce, [18])
    const records = Array.from({ length: 30 }, (_, i) => ({ topic: t, partition: i % 3, value: `v${i}` }))
    const error = await p.sendBatch(records).then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof SendBatchError, `got ${String(error)}`)
    assert.equal(error.failed, 10)
    assert.equal(error.outcomes.length, 30)
    assert.ok(error.cause instanceof KafkaProtocolError && error.cause.errorCode === 18)
    assert.equal(error.action, 'fatal')
    error.outcomes.forEach((outcome, i) => {
      if (i % 3 === 1) {
        assert.equal(outcome.status, 'rejected', `record ${i}`)
      } else {
        assert.ok(outcome.status === 'fulfilled', `record ${i}`)
        assert.deepEqual([outcome.value.partition, outcome.value.offset], [i % 3, BigInt(Math.floor(i / 3))])
      }
    })
    for (const partition of [0, 2]) {
      assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, partition)).map((r) => r.value), records.filter((r) => r.partition === partition).map((r) => r.value))
    }
    assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, 1)).map((r) => r.value), ['warm-up'], 'nothing of the failed batch was written')
  })

  test('an invalid or oversized record fails the whole call and nothing is sent', async () => {
    const t = await topic(1)
    const p = suite.producer({ maxRequestSize: 2048 })
    await assert.rejects(p.sendBatch([{ topic: t, value: 'ok' }, { topic: t, value: 42 as unknown as string }]), InvalidArgumentError)
    await assert.rejects(p.sendBatch([{ topic: t, value: 'ok' }, { topic: t, value: 'x'.repeat(4096) }]), RecordTooLargeError)
    assert.deepEqual(await p.sendBatch([]), [])
    await p.send({ topic: t, value: 'after' })
    assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, 0)).map((r) => r.value), ['after'])
  })
})
