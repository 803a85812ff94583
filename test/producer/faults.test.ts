/**
 * Producer fault scenarios from issue 4 against librdkafka's mock cluster, with assertions on the
 * data read back by kcat: leader elections under load (2), every broker down for 5 s (3), and
 * injected transient and fatal Produce errors (4).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Producer } from '../../src/producer/producer.ts'
import type { RecordMetadata } from '../../src/producer/batch.ts'
import { registry } from '../../src/observability/metrics.ts'
import { DeadlineExceededError, KafkaProtocolError } from '../../src/resilience/errors.ts'
import { ApiKey, TRANSPORT_ERROR } from '../../src/testkit/mock-cluster/api-keys.ts'
import { fetchBatches, kcatRead, producerSuite } from './helpers.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

interface Sent {
  partition: number
  value: string
  sentAt: number
  outcome: Promise<RecordMetadata>
}

/** Sends `perTick` records to each partition every `everyMs` until `stop()`; keeps every promise. */
function load (producer: Producer, topic: string, partitions: number, perTick: number, everyMs: number): { sent: Sent[], stop: () => Promise<void> } {
  const sent: Sent[] = []
  const state = { running: true }
  const seq = new Array(partitions).fill(0) as number[]
  const loop = (async () => {
    while (state.running) {
      for (let partition = 0; partition < partitions; partition++) {
        for (let i = 0; i < perTick; i++) {
          const value = `${partition}-${seq[partition]}`
          seq[partition] = (seq[partition] ?? 0) + 1
          const outcome = producer.send({ topic, partition, value })
          outcome.catch(() => {})
          sent.push({ partition, value, sentAt: Date.now(), outcome })
        }
      }
      await sleep(everyMs)
    }
  })()
  return { sent, stop: async () => { state.running = false; await loop } }
}

/** Settles every send, failing the test (instead of hanging) if any never settles. */
async function settleAll (sent: Sent[], withinMs: number): Promise<Array<PromiseSettledResult<RecordMetadata>>> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`some of ${sent.length} sends never settled within ${withinMs} ms: they vanished`)), withinMs)
  })
  try {
    return await Promise.race([Promise.allSettled(sent.map(async (s) => await s.outcome)), guard])
  } finally {
    clearTimeout(timer)
  }
}

function retries (reason: string): number {
  const metric = registry.getSingleMetric('steadfast_retries_total') as unknown as { hashMap: Record<string, { value: number, labels: Record<string, string> }> }
  return Object.values(metric.hashMap)
    .filter((e) => e.labels.component === 'producer' && e.labels.operation === 'produce' && e.labels.reason === reason)
    .reduce((sum, e) => sum + e.value, 0)
}

async function violations (topic: string): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_producer_ordering_violations_total')?.get()
  return (metric?.values ?? []).filter((v) => v.labels.topic === topic).reduce((sum, v) => sum + v.value, 0)
}

describe('producer fault scenarios', { timeout: 120_000 }, () => {
  const suite = producerSuite()
  const producer = suite.producer

  test('2. leader elections under load: every acknowledged record is in the log once, in send order per partition', async () => {
    const topic = 'elections'
    await suite.mock.createTopic({ name: topic, partitions: 3, replicationFactor: 3 })
    for (let p = 0; p < 3; p++) await suite.mock.setPartitionLeader(topic, p, 1)
    const p = producer({ lingerMs: 2 })
    const traffic = load(p, topic, 3, 10, 5)
    await sleep(400)
    // Broker 1 loses every partition it leads, then goes down; later it returns and takes one back.
    await suite.mock.setPartitionLeader(topic, 0, 2)
    await suite.mock.setPartitionLeader(topic, 1, 3)
    await sleep(100)
    await suite.mock.setPartitionLeader(topic, 2, 2)
    await suite.mock.brokerDown(1)
    await sleep(800)
    await suite.mock.setPartitionLeader(topic, 2, 3)
    await sleep(400)
    await suite.mock.brokerUp(1)
    await suite.mock.setPartitionLeader(topic, 0, 1)
    await sleep(500)
    await traffic.stop()
    await p.flush()
    const results = await settleAll(traffic.sent, 30_000)
    const failed = results.filter((r) => r.status === 'rejected')
    assert.deepEqual(failed.map((r) => String((r as PromiseRejectedResult).reason)), [], 'nothing fails: the deadline is far away')
    assert.ok(traffic.sent.length > 1000, `enough load (${traffic.sent.length} records)`)
    for (let partition = 0; partition < 3; partition++) {
      const acknowledged = traffic.sent.filter((s) => s.partition === partition)
      const log = await kcatRead(suite.mock.bootstrap, topic, partition)
      assert.deepEqual(log.map((r) => r.value), acknowledged.map((s) => s.value), `partition ${partition}: exactly once, in send order`)
      const offsets = await Promise.all(acknowledged.map(async (s) => (await s.outcome).offset))
      assert.deepEqual(offsets, log.map((r) => BigInt(r.offset)), `partition ${partition}: the offsets send reported are where kcat finds the records`)
    }
    assert.ok(retries('NOT_LEADER_OR_FOLLOWER') > 0, 'the leader moves were seen and retried')
    assert.equal(await violations(topic), 0, 'a leader move refuses every batch in flight to the old leader, so nothing overtakes')
  })

  test('3. every broker down for 5 s: the producer resumes by itself; each send succeeds after recovery or fails with a timeout', async () => {
    const topic = 'outage'
    await suite.mock.createTopic({ name: topic, partitions: 3, replicationFactor: 3 })
    const deliveryTimeoutMs = 3000
    const p = producer({ deliveryTimeoutMs, requestTimeoutMs: 2000, lingerMs: 2 })
    const traffic = load(p, topic, 3, 1, 50)
    await sleep(500)
    const downAt = Date.now()
    await suite.mock.brokerDown(-1)
    await sleep(5000)
    await suite.mock.brokerUp(-1)
    const upAt = Date.now()
    await sleep(1500)
    await traffic.stop()
    await p.flush()
    const results = await settleAll(traffic.sent, 30_000)
    const outcomes = traffic.sent.map((s, i) => ({ ...s, result: results[i] as PromiseSettledResult<RecordMetadata> }))
    for (const o of outcomes.filter((x) => x.result.status === 'rejected')) {
      const reason = (o.result as PromiseRejectedResult).reason as unknown
      assert.ok(reason instanceof DeadlineExceededError, `a failed send fails with a timeout, got ${String(reason)}`)
      assert.match(reason.message, /did not succeed within deliveryTimeoutMs \(3000 ms\)/)
      assert.ok(o.sentAt >= downAt - 100, 'only sends around the outage may fail')
    }
    const during = outcomes.filter((o) => o.sentAt > downAt && o.sentAt < upAt)
    assert.ok(during.some((o) => o.result.status === 'rejected'), 'sends early in the outage time out')
    assert.ok(during.some((o) => o.result.status === 'fulfilled'), 'sends late in the outage succeed after recovery')
    assert.ok(outcomes.filter((o) => o.sentAt > upAt).every((o) => o.result.status === 'fulfilled'), 'after recovery everything succeeds')
    for (let partition = 0; partition < 3; partition++) {
      const log = (await kcatRead(suite.mock.bootstrap, topic, partition)).map((r) => r.value)
      const delivered = outcomes.filter((o) => o.partition === partition && o.result.status === 'fulfilled').map((o) => o.value)
      const written = log.filter((v) => delivered.includes(v))
      assert.deepEqual(written, delivered, `partition ${partition}: every acknowledged record is in the log once, in order`)
    }
  })

  test('4a. transient Produce errors (LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, a dropped connection) are retried transparently, in order with one batch in flight', async () => {
    const topic = 'transient'
    await suite.mock.createTopic({ name: topic, partitions: 1, replicationFactor: 3 })
    // The mock does not check producer sequences, so order is only guaranteed with one request in flight.
    const p = producer({ maxInFlightPerPartition: 1, batchSize: 64, lingerMs: 0 })
    await p.send({ topic, value: 'warm-up' })
    const before = ['LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT', 'econnclosed', 'eof'].map(retries)
    const violationsBefore = await violations(topic)
    await suite.mock.pushRequestErrors(ApiKey.Produce, [5, 6, 7, TRANSPORT_ERROR])
    const values = Array.from({ length: 20 }, (_, i) => `r${i}`)
    const sent = await Promise.all(values.map(async (value) => await p.send({ topic, value })))
    const batches = await fetchBatches(suite.mock.bootstrap, topic, 0)
    assert.ok(batches.length >= 10, `the records travelled in several batches (${batches.length})`)
    assert.deepEqual(sent.map((m) => m.offset), values.map((_, i) => BigInt(i + 1)))
    assert.deepEqual((await kcatRead(suite.mock.bootstrap, topic, 0)).map((r) => r.value), ['warm-up', ...values])
    assert.equal(await violations(topic), violationsBefore)
    const after = ['LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT', 'econnclosed', 'eof'].map(retries)
    assert.deepEqual(after.slice(0, 3).map((n, i) => n - (before[i] ?? 0)), [1, 1, 1], 'one retry per injected error, counted by reason')
    assert.equal((after[3] ?? 0) + (after[4] ?? 0) - (before[3] ?? 0) - (before[4] ?? 0), 1, 'the dropped connection was one retry')
  })

  test('4a. a transient error with five batches in flight on a broker that does not check sequences: every record once, and each one written out of order is counted', async () => {
    const topic = 'transient-pipelined'
    await suite.mock.createTopic({ name: topic, partitions: 1, replicationFactor: 3 })
    const p = producer({ maxInFlightPerPartition: 5, batchSize: 64, lingerMs: 0 })
    await p.send({ topic, value: 'warm-up' })
    await suite.mock.pushRequestErrors(ApiKey.Produce, [7])
    const values = Array.from({ length: 20 }, (_, i) => `v${i}`)
    const sent = await Promise.all(values.map(async (value) => await p.send({ topic, value })))
    assert.ok((await fetchBatches(suite.mock.bootstrap, topic, 0)).length >= 10, 'several batches')
    const log = await kcatRead(suite.mock.bootstrap, topic, 0)
    assert.deepEqual(log.map((r) => r.value).sort(), ['warm-up', ...values].sort(), 'every record exactly once')
    assert.deepEqual(sent.map((m) => m.offset), values.map((v) => BigInt(log.find((r) => r.value === v)?.offset ?? -1)), 'send reports where each record is')
    const offsets = sent.map((m) => m.offset)
    const outOfOrder = offsets.filter((o, i) => offsets.slice(i + 1).some((later) => later < o)).length
    assert.ok(outOfOrder > 0, 'the mock wrote the batches in flight behind the failed one first')
    assert.equal(await violations(topic), outOfOrder, 'every record written out of order is counted as an ordering violation')
  })

  for (const [code, name] of [[29, 'TOPIC_AUTHORIZATION_FAILED'], [10, 'MESSAGE_TOO_LARGE']] as const) {
    test(`4b. ${name} on Produce is surfaced at once, after exactly one request, and the partition carries on`, async () => {
      const topic = `fatal-${code}`
      await suite.mock.createTopic({ name: topic, partitions: 1, replicationFactor: 3 })
      const p = producer()
      await p.send({ topic, value: 'before' })
      const retriesBefore = retries(name)
      await suite.mock.startRequestTracking()
      await suite.mock.pushRequestErrors(ApiKey.Produce, [code])
      const error = await p.send({ topic, value: 'refused' }).catch((e: unknown) => e)
      const produces = (await suite.mock.getRequests()).filter((r) => r.apiKey === ApiKey.Produce)
      await suite.mock.stopRequestTracking()
      assert.ok(error instanceof KafkaProtocolError, String(error))
      assert.equal(error.errorName, name)
      assert.equal(error.action, 'fatal')
      assert.match(error.message, new RegExp(`Produce to ${topic}-0 on broker \\d`))
      assert.equal(produces.length, 1, 'not retried: one Produce request')
      assert.equal(retries(name), retriesBefore)
      assert.equal((await p.send({ topic, value: 'after' })).offset, 1n)
      assert.deepEqual((await kcatRead(suite.mock.bootstrap, topic, 0)).map((r) => r.value), ['before', 'after'])
    })
  }
})
