/**
 * One Produce request per broker carrying every ready partition, against the mock cluster: the
 * requests are counted by the brokers themselves (request tracking) and what was written is read
 * back by kcat, partition by partition, in order.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Producer } from '../../src/producer/producer.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'
import { kcatRead, producerSuite } from './helpers.ts'

const PARTITIONS = 6

describe('Produce requests per broker', { timeout: 120_000 }, () => {
  const suite = producerSuite()
  let topicCount = 0
  /** A topic whose partitions are all led by broker 1. */
  const topic = async (): Promise<string> => {
    const name = `pr${++topicCount}`
    await suite.mock.createTopic({ name, partitions: PARTITIONS, replicationFactor: 3 })
    for (let p = 0; p < PARTITIONS; p++) await suite.mock.setPartitionLeader(name, p, 1)
    return name
  }
  const produceRequests = async (): Promise<number> => (await suite.mock.getRequests()).filter((r) => r.apiKey === ApiKey.Produce).length
  /** One record first, so the producer knows the topic and has its connections and producer id. */
  const warmUp = async (p: Producer, t: string): Promise<void> => {
    const sent = p.send({ topic: t, partition: 0, value: 'warm-up' })
    await p.flush()
    await sent
  }
  const values = (partition: number, count: number): string[] => Array.from({ length: count }, (_, i) => `p${partition}-r${i}`)

  test('batches of every partition sealed together travel in one request to their leader', async () => {
    const t = await topic()
    const p = suite.producer({ lingerMs: 60_000 })
    await warmUp(p, t)
    await suite.mock.startRequestTracking()
    const sent = Array.from({ length: PARTITIONS }, (_, partition) => values(partition, 20).map(async (value) => await p.send({ topic: t, partition, value })))
    await p.flush()
    const outcomes = await Promise.all(sent.map(async (list) => await Promise.all(list)))
    assert.equal(await produceRequests(), 1, 'six partitions led by one broker, sealed at once: one Produce request')
    outcomes.forEach((list, partition) => {
      assert.deepEqual(list.map((m) => [m.partition, m.offset]), list.map((_, i) => [partition, BigInt(i + (partition === 0 ? 1 : 0))]))
    })
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const log = (await kcatRead(suite.mock.bootstrap, t, partition)).map((r) => r.value)
      assert.deepEqual(log, [...(partition === 0 ? ['warm-up'] : []), ...values(partition, 20)], `partition ${partition}`)
    }
    await suite.mock.stopRequestTracking()
  })

  test('a partition\'s later batches go in later requests, so every partition keeps its order', async () => {
    const t = await topic()
    // 10 records of ~30 bytes a batch: 40 records make 4 batches per partition, all sealed in one go.
    const p = suite.producer({ lingerMs: 60_000, batchSize: 300 })
    await warmUp(p, t)
    await suite.mock.startRequestTracking()
    const sent = Array.from({ length: PARTITIONS }, (_, partition) => values(partition, 40).map(async (value) => await p.send({ topic: t, partition, value })))
    await p.flush()
    await Promise.all(sent.map(async (list) => await Promise.all(list)))
    const requests = await produceRequests()
    assert.ok(requests < PARTITIONS * 4, `${PARTITIONS * 4} batches went in ${requests} requests: partitions share them`)
    assert.ok(requests >= 4, `${requests} requests: no request carries two batches of one partition`)
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const log = (await kcatRead(suite.mock.bootstrap, t, partition)).map((r) => r.value)
      assert.deepEqual(log, [...(partition === 0 ? ['warm-up'] : []), ...values(partition, 40)], `partition ${partition}, in send order`)
    }
    await suite.mock.stopRequestTracking()
  })

  test('a request is capped at maxRequestSize of batches', async () => {
    const t = await topic()
    const value = 'x'.repeat(900)
    // One ~920-byte record a batch; a 1024-byte request cap fits one batch, so six go in six requests.
    const p = suite.producer({ lingerMs: 60_000, batchSize: 1000, maxRequestSize: 1024 })
    await warmUp(p, t)
    await suite.mock.startRequestTracking()
    const sent = Array.from({ length: PARTITIONS }, (_, partition) => p.send({ topic: t, partition, value }))
    await p.flush()
    await Promise.all(sent)
    assert.equal(await produceRequests(), PARTITIONS)
    await suite.mock.stopRequestTracking()
  })

  test('an error for one partition in a shared request fails or retries that partition alone', async () => {
    const t = await topic()
    const p = suite.producer({ lingerMs: 60_000, retry: { initialDelayMs: 10, maxDelayMs: 20 } })
    await warmUp(p, t)
    // NOT_LEADER_OR_FOLLOWER (6) twice for partition 2: refresh and retry; RECORD_LIST_TOO_LARGE (18, fatal) for partition 4.
    await suite.mock.pushPartitionRequestErrors(t, 2, ApiKey.Produce, [6, 6])
    await suite.mock.pushPartitionRequestErrors(t, 4, ApiKey.Produce, [18])
    const sent = Array.from({ length: PARTITIONS }, (_, partition) => Promise.allSettled(values(partition, 5).map(async (value) => await p.send({ topic: t, partition, value }))))
    await p.flush()
    const settled = await Promise.all(sent)
    settled.forEach((list, partition) => {
      if (partition === 4) assert.ok(list.every((s) => s.status === 'rejected'), 'partition 4 failed')
      else assert.ok(list.every((s) => s.status === 'fulfilled'), `partition ${partition} delivered`)
    })
    for (const partition of [1, 2, 3, 5]) {
      assert.deepEqual((await kcatRead(suite.mock.bootstrap, t, partition)).map((r) => r.value), values(partition, 5), `partition ${partition}`)
    }
    assert.deepEqual(await kcatRead(suite.mock.bootstrap, t, 4), [], 'nothing written to partition 4')
  })
})
