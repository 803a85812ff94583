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
  key: string
  /** Position in the partition's send order, from 0; also the record's value. */
  seq: number
  sentAt: number
  outcome: Promise<RecordMetadata>
  acknowledged: boolean
}

interface Load {
  sent: Sent[]
  stop: () => Promise<void>
  /** Resolves once `count` records sent from now on are acknowledged (a sign the producer moved past what just changed). */
  acknowledgedFromNow: (count: number) => Promise<void>
}

/** Sends `perTick` keyed records to each partition every `everyMs` until `stop()`; keeps every promise. */
function load (producer: Producer, topic: string, partitions: number, perTick: number, everyMs: number): Load {
  const sent: Sent[] = []
  const state = { running: true }
  const seq = new Array(partitions).fill(0) as number[]
  const loop = (async () => {
    while (state.running) {
      for (let partition = 0; partition < partitions; partition++) {
        for (let i = 0; i < perTick; i++) {
          const key = `key-${partition}`
          const n = seq[partition] ?? 0
          seq[partition] = n + 1
          const sentAt = Date.now()
          const record: Sent = { partition, key, seq: n, sentAt, outcome: producer.send({ topic, partition, key, value: String(n) }), acknowledged: false }
          record.outcome.then(() => { record.acknowledged = true }, () => {})
          sent.push(record)
        }
      }
      await sleep(everyMs)
    }
  })()
  const acknowledgedFromNow = async (count: number): Promise<void> => {
    const from = sent.length
    // Bounded by attempts, not asserted on: a loaded machine only makes this take longer.
    for (let i = 0; i < 3000; i++) {
      if (sent.slice(from).filter((r) => r.acknowledged).length >= count) return
      await sleep(10)
    }
    throw new Error(`fewer than ${count} of the ${sent.length - from} records sent since were acknowledged`)
  }
  return { sent, stop: async () => { state.running = false; await loop }, acknowledgedFromNow }
}

interface LogCheck {
  /** Records in the log that the producer did not acknowledge (failed sends the broker wrote anyway). */
  unacknowledged: number[]
}

/**
 * Reads a partition back with kcat and compares every record by key and sequence with what was
 * sent: nothing foreign, nothing twice, nothing out of send order, every acknowledged record
 * present. Records that were not acknowledged but are in the log are returned, not ignored.
 */
async function checkLog (bootstrap: string, topic: string, partition: number, sent: Sent[]): Promise<LogCheck> {
  const mine = sent.filter((s) => s.partition === partition)
  const log = (await kcatRead(bootstrap, topic, partition)).map((r) => ({ key: r.key, seq: Number(r.value) }))
  const where = `${topic}-${partition}`
  assert.deepEqual(log.filter((r) => r.key !== `key-${partition}` || !(r.seq >= 0 && r.seq < mine.length)), [], `${where}: records that were never sent to this partition`)
  const seqs = log.map((r) => r.seq)
  assert.deepEqual(seqs.filter((q, i) => seqs.indexOf(q) !== i), [], `${where}: records written more than once`)
  assert.deepEqual(seqs.filter((q, i) => i > 0 && q < (seqs[i - 1] ?? 0)), [], `${where}: records written before one sent earlier`)
  const acknowledged = mine.filter((s) => s.acknowledged).map((s) => s.seq)
  const present = new Set(seqs)
  assert.deepEqual(acknowledged.filter((q) => !present.has(q)), [], `${where}: acknowledged records missing from the log`)
  return { unacknowledged: seqs.filter((q) => mine[q]?.acknowledged !== true) }
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
    const notLeaderBefore = retries('NOT_LEADER_OR_FOLLOWER')
    // Each step waits until records sent after the previous change are acknowledged: the
    // producer has followed it, however slowly the machine runs.
    await traffic.acknowledgedFromNow(300)
    // Broker 1 loses every partition it leads, then goes down; later it returns and takes one back.
    await suite.mock.setPartitionLeader(topic, 0, 2)
    await suite.mock.setPartitionLeader(topic, 1, 3)
    await traffic.acknowledgedFromNow(100)
    await suite.mock.setPartitionLeader(topic, 2, 2)
    await suite.mock.brokerDown(1)
    await traffic.acknowledgedFromNow(300)
    await suite.mock.setPartitionLeader(topic, 2, 3)
    await traffic.acknowledgedFromNow(300)
    await suite.mock.brokerUp(1)
    await suite.mock.setPartitionLeader(topic, 0, 1)
    await traffic.acknowledgedFromNow(300)
    await traffic.stop()
    await p.flush()
    const results = await settleAll(traffic.sent, 30_000)
    const failed = results.filter((r) => r.status === 'rejected')
    assert.deepEqual(failed.map((r) => String((r as PromiseRejectedResult).reason)), [], 'nothing fails: the deadline is far away')
    for (let partition = 0; partition < 3; partition++) {
      const mine = traffic.sent.filter((s) => s.partition === partition)
      const log = await kcatRead(suite.mock.bootstrap, topic, partition)
      assert.deepEqual(log.map((r) => [r.key, Number(r.value)]), mine.map((s) => [s.key, s.seq]), `partition ${partition}: every record exactly once, in send order`)
      const offsets = await Promise.all(mine.map(async (s) => (await s.outcome).offset))
      assert.deepEqual(offsets, log.map((r) => BigInt(r.offset)), `partition ${partition}: the offsets send reported are where kcat finds the records`)
    }
    assert.ok(retries('NOT_LEADER_OR_FOLLOWER') > notLeaderBefore, 'the leader moves were seen and retried')
    assert.equal(await violations(topic), 0, 'a leader move refuses every batch in flight to the old leader, so nothing overtakes')
  })

  test('3. every broker down for 5 s: the producer resumes by itself; each send succeeds after recovery or fails with a timeout', async (t) => {
    const topic = 'outage'
    await suite.mock.createTopic({ name: topic, partitions: 3, replicationFactor: 3 })
    const deliveryTimeoutMs = 3000
    const p = producer({ deliveryTimeoutMs, requestTimeoutMs: 2000, lingerMs: 2 })
    const traffic = load(p, topic, 3, 1, 50)
    await traffic.acknowledgedFromNow(15)
    const downAt = Date.now()
    await suite.mock.brokerDown(-1)
    // The outage itself lasts 5 s: longer than deliveryTimeoutMs, so early sends must time out.
    await sleep(5000)
    await suite.mock.brokerUp(-1)
    const upAt = Date.now()
    await traffic.acknowledgedFromNow(30)
    await traffic.stop()
    await p.flush()
    const results = await settleAll(traffic.sent, 30_000)
    const outcomes = traffic.sent.map((s, i) => ({ ...s, result: results[i] as PromiseSettledResult<RecordMetadata> }))
    for (const o of outcomes.filter((x) => x.result.status === 'rejected')) {
      const reason = (o.result as PromiseRejectedResult).reason as unknown
      assert.ok(reason instanceof DeadlineExceededError, `a failed send fails with a timeout, got ${String(reason)}`)
      assert.match(reason.message, /did not succeed within deliveryTimeoutMs \(3000 ms\)/)
      // A send older than one delivery timeout at the outage's start had brokers for all of it.
      assert.ok(o.sentAt >= downAt - deliveryTimeoutMs, `only sends pending during the outage may fail: ${o.key}/${o.seq} was sent ${downAt - o.sentAt} ms before it`)
    }
    const during = outcomes.filter((o) => o.sentAt > downAt && o.sentAt < upAt)
    assert.ok(during.some((o) => o.result.status === 'rejected'), 'sends early in the outage time out')
    assert.ok(during.some((o) => o.result.status === 'fulfilled'), 'sends late in the outage succeed after recovery')
    assert.ok(outcomes.filter((o) => o.sentAt > upAt).every((o) => o.result.status === 'fulfilled'), 'after recovery everything succeeds')
    for (let partition = 0; partition < 3; partition++) {
      const { unacknowledged } = await checkLog(suite.mock.bootstrap, topic, partition, traffic.sent)
      // A send that timed out may still have been written (the broker took it as the outage began).
      if (unacknowledged.length > 0) t.diagnostic(`${topic}-${partition}: ${unacknowledged.length} records that failed with a timeout are in the log: seq ${unacknowledged.join(', ')}`)
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
