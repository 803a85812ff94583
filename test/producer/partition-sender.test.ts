/**
 * PartitionSender against a scripted in-memory broker that applies Kafka's idempotence rules
 * (duplicates acknowledged with their first offset, gaps refused with OUT_OF_ORDER_SEQUENCE_NUMBER),
 * which the mock cluster only does for transactional producers. Faults are chosen per request:
 * answered errors, connections lost before the write, and connections lost after the write (the
 * batch is in the log but its answer never arrives).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { Produce } from '../../src/protocol/apis/produce.ts'
import type { RequestBody, ResponseBody } from '../../src/protocol/messages.ts'
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.ts'
import { DeadlineExceededError, KafkaProtocolError, TransportError } from '../../src/resilience/errors.ts'
import { ProducerBatch, type ProducerIdentity, type RecordMetadata } from '../../src/producer/batch.ts'
import { UncertainDeliveryError } from '../../src/producer/errors.ts'
import { resolveProducerOptions } from '../../src/producer/options.ts'
import { PartitionSender } from '../../src/producer/partition-sender.ts'
import { ProduceRequests } from '../../src/producer/produce-requests.ts'
import { createLogger, type Logger } from '../../src/observability/logger.ts'
import { registry } from '../../src/observability/metrics.ts'
import { silent } from './helpers.ts'

/** 'duplicate': written, then answered DUPLICATE_SEQUENCE_NUMBER, as a broker does for a resend older than the batches it remembers. */
type Fault = 'ok' | 'drop-before' | 'drop-after' | 'duplicate' | { code: number }

interface Written { producerId: bigint, baseSequence: number, values: string[] }

class IdempotentBroker {
  readonly log: string[] = []
  readonly writes: Written[] = []
  readonly #producers = new Map<bigint, { next: number, recent: Map<number, number> }>()
  /** False: write whatever arrives, as librdkafka's mock does for non-transactional producers. */
  readonly #enforce: boolean

  constructor (enforce: boolean) {
    this.#enforce = enforce
  }

  append (batch: { producerId: bigint, baseSequence: number, values: string[] }): { errorCode: number, baseOffset: bigint } {
    if (this.#enforce && batch.producerId >= 0n) {
      const state = this.#producers.get(batch.producerId) ?? { next: 0, recent: new Map<number, number>() }
      this.#producers.set(batch.producerId, state)
      const earlier = state.recent.get(batch.baseSequence)
      if (earlier !== undefined) return { errorCode: 0, baseOffset: BigInt(earlier) }
      if (batch.baseSequence !== state.next) return { errorCode: 45, baseOffset: -1n }
      state.recent.set(batch.baseSequence, this.log.length)
      state.next += batch.values.length
    }
    const baseOffset = BigInt(this.log.length)
    this.log.push(...batch.values)
    this.writes.push(batch)
    return { errorCode: 0, baseOffset }
  }
}

function harness (faults: (request: number) => Fault, options: Record<string, unknown> = {}, rig: { enforce?: boolean, logger?: Logger, logAppendTimeMs?: bigint } = {}) {
  const broker = new IdempotentBroker(rig.enforce ?? true)
  let requests = 0
  let active = 0
  let maxActive = 0
  let nextId = 100n
  /** Bytes of the record batches the broker received, request by request. */
  const received: number[] = []
  const connection = {
    label: 'broker 1 (scripted)',
    versionFor: () => 10,
    request: async (_api: unknown, body: RequestBody<typeof Produce>): Promise<{ version: number, body: ResponseBody<typeof Produce> }> => {
      const fault = faults(requests++)
      maxActive = Math.max(maxActive, ++active)
      const given = body.topicData[0]?.partitionData[0]?.records
      // The producer hands its batch over as pieces (encodeRecordBatchPieces).
      const records = given === undefined || given === null ? Buffer.alloc(0) : Array.isArray(given) ? Buffer.concat(given) : Buffer.from(given as Uint8Array)
      received.push(records.length)
      const decoded = await decodeRecordBatch(records)
      await new Promise((resolve) => setImmediate(resolve))
      active--
      const answer = (errorCode: number, baseOffset: bigint): { version: number, body: ResponseBody<typeof Produce> } =>
        ({ version: 10, body: { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode, baseOffset, logAppendTimeMs: rig.logAppendTimeMs ?? -1n, errorMessage: null }] }] } })
      if (fault === 'drop-before') throw new TransportError('connection reset before the write', 'ECONNRESET')
      if (typeof fault === 'object') return answer(fault.code, -1n)
      const result = broker.append({ producerId: decoded.producerId, baseSequence: decoded.baseSequence, values: decoded.records.map((r) => r.value?.toString() ?? '') })
      if (fault === 'drop-after') throw new TransportError('connection reset after the write', 'ECONNRESET')
      if (fault === 'duplicate') return answer(46, -1n)
      return answer(result.errorCode, result.baseOffset)
    },
  }
  const ids = {
    shared: async (): Promise<ProducerIdentity> => ({ producerId: 1n, producerEpoch: 0 }),
    fresh: async (): Promise<ProducerIdentity> => ({ producerId: nextId++, producerEpoch: 0 }),
  }
  const resolved = resolveProducerOptions({ bootstrap: '127.0.0.1:1', retryBackoffMs: 1, retryBackoffMaxMs: 2, ...options })
  const settled: ProducerBatch[] = []
  const sender = new PartitionSender({
    cluster: { leaderConnection: async () => connection, refreshMetadata: async () => {} } as unknown as Cluster,
    options: resolved,
    logger: rig.logger ?? silent,
    ids: resolved.idempotent ? ids : undefined,
    onSettled: (batch) => settled.push(batch),
    requests: new ProduceRequests({ acks: resolved.acks, requestTimeoutMs: resolved.requestTimeoutMs, maxRequestSize: resolved.maxRequestSize, maxInFlight: resolved.maxInFlightPerPartition }),
  }, 't', 0)
  /** Queues batches of the given sizes, created `ages[b]` ms ago (default now); values are "b<batch>r<record>". */
  const send = (sizes: number[], ages: number[] = []): Array<Promise<RecordMetadata>> => sizes.flatMap((size, b) => {
    const batch = new ProducerBatch('t', 0, Date.now() - (ages[b] ?? 0), resolved.deliveryTimeoutMs)
    const outcomes = Array.from({ length: size }, (_, r) => new Promise<RecordMetadata>((resolve, reject) => {
      batch.add({ key: null, value: Buffer.from(`b${b}r${r}`), headers: [], timestamp: 1_700_000_000_000, size: 30, resolve, reject })
    }))
    sender.enqueue(batch)
    return outcomes
  })
  return { broker, sender, send, settled, received, requests: () => requests, maxInFlight: () => maxActive }
}

/** The sum of a metric's values for topic t whose other labels match `labels` (a histogram's `_sum` or `_count` by `series`). */
async function metricTotal (name: string, labels: Record<string, string> = {}, series = name): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get()
  return (metric?.values ?? [])
    .filter((v) => ((v as { metricName?: string }).metricName ?? name) === series && v.labels.topic === 't' && Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    .reduce((sum, v) => sum + v.value, 0)
}

async function violations (): Promise<number> {
  return await metricTotal('steadfast_producer_ordering_violations_total')
}

/** A logger whose lines are kept, to check what was reported. */
function capturing (): { logger: Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } } })
  return { logger, lines }
}

const expectedLog = (sizes: number[]): string[] => sizes.flatMap((size, b) => Array.from({ length: size }, (_, r) => `b${b}r${r}`))

describe('PartitionSender sequences and retries', () => {
  test('after a failure it sends one batch at a time until one succeeds, then pipelines again', async () => {
    const h = harness((n) => n === 0 ? { code: 7 } : 'ok')
    assert.equal((await Promise.all(h.send([1])))[0]?.offset, 0n)
    assert.equal(h.maxInFlight(), 1, 'a single batch so far')
    const results = await Promise.all(h.send([1, 1, 1, 1, 1, 1]))
    assert.deepEqual(results.map((m) => m.offset), [1n, 2n, 3n, 4n, 5n, 6n])
    assert.equal(h.maxInFlight(), 5, 'the recovery ended with the retried batch: five in flight again')
  })

  test('pipelined batches carry consecutive sequences from 0 under one producer id', async () => {
    const h = harness(() => 'ok')
    const results = await Promise.all(h.send([3, 1, 4, 2]))
    assert.equal(h.maxInFlight(), 4, 'the four batches were pipelined')
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence, w.values.length]), [[1n, 0, 3], [1n, 3, 1], [1n, 4, 4], [1n, 8, 2]])
    assert.deepEqual(results.map((m) => m.offset), Array.from({ length: 10 }, (_, i) => BigInt(i)))
    assert.equal(h.settled.length, 4)
    assert.equal(h.requests(), 4, 'one request per batch, none sent twice')
  })

  test('without idempotence batches carry no producer id and no sequence (-1), and are written as they come', async () => {
    const h = harness(() => 'ok', { idempotent: false, acks: 1 })
    const results = await Promise.all(h.send([2, 1]))
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence, w.values]), [[-1n, -1, ['b0r0', 'b0r1']], [-1n, -1, ['b1r0']]])
    assert.deepEqual(results.map((m) => m.offset), [0n, 1n, 2n])
  })

  test('DUPLICATE_SEQUENCE_NUMBER (46) delivers the batch without an offset, as the Java client does, and the partition carries on', async () => {
    // On a topic with LogAppendTime the broker's time is the records' timestamp; a duplicate's
    // answer carries neither offset nor time, so its records keep their create time.
    const h = harness((n) => n === 0 ? 'duplicate' : 'ok', {}, { logAppendTimeMs: 1_800_000_000_000n })
    const [duplicate] = await Promise.all(h.send([1]))
    assert.deepEqual([duplicate?.offset, duplicate?.timestamp], [-1n, 1_700_000_000_000])
    const [next] = await Promise.all(h.send([1]))
    assert.deepEqual([next?.offset, next?.timestamp], [1n, 1_800_000_000_000])
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence]), [[1n, 0], [1n, 1]], 'the next batch follows the duplicate\'s sequence')
  })

  test('records sent and failed are counted by topic (and reason), batches by records and by the bytes the broker received', async () => {
    const sent = await metricTotal('steadfast_producer_records_sent_total')
    const failed = await metricTotal('steadfast_producer_record_errors_total', { reason: 'MESSAGE_TOO_LARGE' })
    const batchRecords = await metricTotal('steadfast_producer_batch_records', {}, 'steadfast_producer_batch_records_sum')
    const batches = await metricTotal('steadfast_producer_batch_records', {}, 'steadfast_producer_batch_records_count')
    const bytes = await metricTotal('steadfast_producer_batch_size_bytes', {}, 'steadfast_producer_batch_size_bytes_sum')
    const h = harness((n) => n === 1 ? { code: 10 } : 'ok', { maxInFlightPerPartition: 1 })
    await Promise.allSettled(h.send([3, 2, 4]))
    assert.equal(await metricTotal('steadfast_producer_records_sent_total') - sent, 7)
    assert.equal(await metricTotal('steadfast_producer_record_errors_total', { reason: 'MESSAGE_TOO_LARGE' }) - failed, 2)
    assert.equal(await metricTotal('steadfast_producer_batch_records', {}, 'steadfast_producer_batch_records_sum') - batchRecords, 9, 'one observation per batch sent')
    assert.equal(await metricTotal('steadfast_producer_batch_records', {}, 'steadfast_producer_batch_records_count') - batches, 3)
    assert.equal(await metricTotal('steadfast_producer_batch_size_bytes', {}, 'steadfast_producer_batch_size_bytes_sum') - bytes,
      h.received.reduce((a, b) => a + b, 0))
  })

  test('an answer lost after the write is retried with the same sequence and acknowledged once, at its first offset', async () => {
    const h = harness((n) => n === 1 ? 'drop-after' : 'ok')
    const results = await Promise.all(h.send([2, 2, 2]))
    assert.deepEqual(h.broker.log, ['b0r0', 'b0r1', 'b1r0', 'b1r1', 'b2r0', 'b2r1'])
    assert.deepEqual(results.map((m) => m.offset), [0n, 1n, 2n, 3n, 4n, 5n])
  })

  test('a batch behind a failed one is refused as out of order and resent after it, keeping the order', async () => {
    const h = harness((n) => n === 0 ? { code: 6 } : 'ok')
    await Promise.all(h.send([1, 1, 1, 1]))
    assert.deepEqual(h.broker.log, ['b0r0', 'b1r0', 'b2r0', 'b3r0'])
    assert.ok(h.requests() > 4)
  })

  test('a transient error on one of five batches in flight: the broker refuses those behind it, they go again in order', async () => {
    const sizes = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    const h = harness((n) => n === 2 ? { code: 7 } : 'ok', { maxInFlightPerPartition: 5 })
    const results = await Promise.all(h.send(sizes))
    assert.equal(h.maxInFlight(), 5, 'five batches were in flight when the third failed')
    assert.deepEqual(h.broker.log, expectedLog(sizes))
    assert.deepEqual(results.map((m) => m.offset), expectedLog(sizes).map((_, i) => BigInt(i)))
    assert.ok(h.requests() > sizes.length, 'the refused batches were sent again')
  })

  test('a broker that does not check sequences: batches in flight behind a failed one are written first, and that is counted and logged', async () => {
    const sizes = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    const before = await violations()
    const { logger, lines } = capturing()
    // The first batch fails twice; its resend goes alone, so only the four batches that were in
    // flight with its first attempt overtake it.
    const h = harness((n) => n === 0 || n === 5 ? { code: 7 } : 'ok', { maxInFlightPerPartition: 5 }, { enforce: false, logger })
    const results = await Promise.all(h.send(sizes))
    assert.deepEqual(h.broker.log, ['b1r0', 'b2r0', 'b3r0', 'b4r0', 'b0r0', 'b5r0', 'b6r0', 'b7r0', 'b8r0', 'b9r0'])
    assert.deepEqual(results.map((m) => m.offset), [4n, 0n, 1n, 2n, 3n, 5n, 6n, 7n, 8n, 9n], 'each send reports where its record really is')
    assert.equal(await violations() - before, 1, 'one record was written behind later ones')
    const reported = lines.filter((l) => l.level === 50 && String(l.msg).startsWith('ordering violation'))
    assert.deepEqual(reported.map((l) => [l.partition, l.offset, l.laterBatchesAt]), [['t-0', '4', ['0', '1', '2', '3']]])
  })

  test('in order on a broker that does not check sequences when one batch is in flight at a time', async () => {
    const sizes = [1, 2, 1, 3, 1, 2]
    const before = await violations()
    const h = harness((n) => n % 3 === 0 ? { code: 7 } : n % 4 === 1 ? 'drop-before' : 'ok', { maxInFlightPerPartition: 1 }, { enforce: false })
    await Promise.all(h.send(sizes))
    assert.deepEqual(h.broker.log, expectedLog(sizes))
    assert.equal(await violations(), before)
  })

  test('a fatal answer fails that batch alone; the batches behind it move to a fresh producer id numbered from 0', async () => {
    const h = harness((n) => n === 1 ? { code: 10 } : 'ok')
    const outcomes = await Promise.allSettled(h.send([1, 2, 1, 1]))
    const failed = outcomes.map((o) => o.status === 'rejected' ? ((o.reason as KafkaProtocolError).errorName) : 'ok')
    assert.deepEqual(failed, ['ok', 'MESSAGE_TOO_LARGE', 'MESSAGE_TOO_LARGE', 'ok', 'ok'])
    assert.deepEqual(h.broker.log, ['b0r0', 'b2r0', 'b3r0'])
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence]), [[1n, 0], [100n, 0], [100n, 1]])
  })

  test('a failed batch and the sequence reset it causes are logged once each, naming the partition', async () => {
    const { logger, lines } = capturing()
    const h = harness((n) => n === 0 ? { code: 10 } : 'ok', { maxInFlightPerPartition: 1 }, { logger })
    const outcomes = await Promise.allSettled(h.send([2, 1]))
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'fulfilled'])
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence]), [[100n, 0]], 'the first batch (sequence 0) failed: fresh id')
    assert.equal(h.requests(), 2, 'the second batch went under the fresh id at once, never under the old one')
    const seen = lines.filter((l) => l.msg === 'batch failed' || String(l.msg).startsWith('sequence reset'))
    assert.deepEqual(seen.map((l) => [l.level, l.msg, l.partition, l.records ?? l.producerId, l.attempts ?? null]), [
      [40, 'batch failed', 't-0', 2, 1],
      [30, 'sequence reset: the partition continues under a fresh producer id', 't-0', '100', null],
    ])
    assert.match(String(seen[0]?.err), /MESSAGE_TOO_LARGE/)
  })

  test('a batch that fails until its delivery deadline is sent once more at the deadline, and delivered', async () => {
    // The broker answers REQUEST_TIMED_OUT until the batch's deadline (created no earlier than
    // sentAt; 2 ms of slack for clock rounding). The retry loop gives up before the deadline, so
    // only the last attempt the sender makes at the deadline itself can succeed. Fixed 200 ms
    // delays: attempts at about 0 and 200 ms, then the loop gives up (the next would be at 400),
    // about 100 ms before the deadline, so a loaded event loop cannot push the second answer past
    // it (with 50 ms delays that margin could be ~0, and a CI run once lost the race).
    const sentAt = Date.now()
    const h = harness(() => Date.now() >= sentAt + 298 ? 'ok' : { code: 7 }, {
      deliveryTimeoutMs: 300,
      requestTimeoutMs: 100,
      lingerMs: 0,
      retryBackoffMs: undefined,
      retryBackoffMaxMs: undefined,
      retry: { initialDelayMs: 200, maxDelayMs: 200, jitter: 'none' },
    })
    const [delivered] = await Promise.all(h.send([1]))
    assert.equal(delivered?.offset, 0n)
    assert.ok(h.requests() >= 2, `refused before the deadline, then sent again (${h.requests()} requests)`)
    assert.deepEqual(h.broker.log, ['b0r0'])
  })

  test('a batch that keeps failing expires at its deadline with the last error as cause, and the partition carries on', async () => {
    const broker = { healthy: false }
    const h = harness(() => broker.healthy ? 'ok' : { code: 7 }, { deliveryTimeoutMs: 300, requestTimeoutMs: 100, lingerMs: 0 })
    const [first] = await Promise.allSettled(h.send([1]))
    assert.equal(first?.status, 'rejected')
    const reason = (first as PromiseRejectedResult).reason as unknown
    assert.ok(reason instanceof DeadlineExceededError)
    assert.match(reason.message, /delivery of 1 record\(s\) to t-0 did not succeed within deliveryTimeoutMs \(300 ms\) after \d+ attempt\(s\)/)
    assert.equal((reason.cause as KafkaProtocolError).errorName, 'REQUEST_TIMED_OUT')
    broker.healthy = true
    assert.equal((await Promise.all(h.send([1])))[0]?.offset, 0n)
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence]), [[100n, 0]], 'the expired numbered batch left a gap: fresh id')
  })

  test('a batch that expires before it was ever sent leaves no gap: the next batch keeps the shared id and sequence 0', async () => {
    const h = harness(() => 'ok', { deliveryTimeoutMs: 1000, requestTimeoutMs: 100, lingerMs: 0 })
    const [stale, fresh] = h.send([1, 1], [1000, 0])
    const outcomes = await Promise.allSettled([stale, fresh])
    assert.ok(outcomes[0]?.status === 'rejected' && outcomes[0].reason instanceof DeadlineExceededError)
    assert.equal(outcomes[1]?.status, 'fulfilled')
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence, w.values]), [[1n, 0, ['b1r0']]])
  })

  test('a batch whose answer was lost is failed as uncertain, never renumbered, when an earlier batch expires and forces a new producer id', async () => {
    const broker = { healthy: false }
    // Both batches are written but their answers are lost; then the broker fails every request
    // until the first batch (created earlier) expires. Renumbering the second under a new id
    // would make the broker write it again.
    const h = harness((n) => n < 2 ? 'drop-after' : broker.healthy ? 'ok' : { code: 7 }, { deliveryTimeoutMs: 1000, requestTimeoutMs: 100, lingerMs: 0 })
    const [first, second] = h.send([1, 1], [850, 0])
    const outcomes = await Promise.allSettled([first?.finally(() => { broker.healthy = true }), second])
    assert.deepEqual(h.broker.log, ['b0r0', 'b1r0'], 'each record is in the log once')
    const [expired, uncertain] = outcomes.map((o) => o.status === 'rejected' ? o.reason as unknown : o.value)
    assert.ok(expired instanceof DeadlineExceededError, String(expired))
    assert.match(expired.message, /the broker may have written it/)
    assert.ok(uncertain instanceof UncertainDeliveryError, String(uncertain))
    assert.match(uncertain.message, /delivery of 1 record\(s\) to t-0 is uncertain: .*may have written them.*not sent again/)
    assert.equal(uncertain.action, 'fatal')
    assert.deepEqual(h.broker.writes.map((w) => w.producerId), [1n, 1n], 'nothing was sent under a new producer id')
  })

  test('a batch refused as out of order was not written, so the sequence reset it causes renumbers it instead of failing it', async () => {
    // The first attempt loses its answer; the resend is refused as out of order with nothing
    // before it: the broker never wrote it, so it moves to a fresh id and is delivered.
    const h = harness((n) => n === 0 ? 'drop-before' : n === 1 ? { code: 45 } : 'ok')
    const [result] = await Promise.all(h.send([1]))
    assert.equal(result?.offset, 0n)
    assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.values]), [[100n, ['b0r0']]])
  })

  for (const [code, name] of [[59, 'UNKNOWN_PRODUCER_ID'], [47, 'INVALID_PRODUCER_EPOCH']] as const) {
    test(`${name}: the broker rejects our sequence state, so the batch is numbered again under a fresh producer id`, async () => {
      const h = harness((n) => n === 0 ? { code } : 'ok')
      const [result] = await Promise.all(h.send([1]))
      assert.equal(result?.offset, 0n)
      assert.deepEqual(h.broker.writes.map((w) => [w.producerId, w.baseSequence, w.values]), [[100n, 0, ['b0r0']]])
    })
  }

  test('property: under any mix of transient faults every record is written exactly once, in order, at the offset reported, within the in-flight limit', async () => {
    const fault = fc.oneof(
      { weight: 6, arbitrary: fc.constant<Fault>('ok') },
      { weight: 1, arbitrary: fc.constant<Fault>('drop-before') },
      { weight: 1, arbitrary: fc.constant<Fault>('drop-after') },
      { weight: 1, arbitrary: fc.constantFrom<Fault>({ code: 6 }, { code: 5 }, { code: 7 }) })
    await fc.assert(fc.asyncProperty(
      fc.array(fault, { minLength: 1, maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 1, max: 5 }),
      async (schedule, sizes, maxInFlight) => {
        const h = harness((n) => schedule[n] ?? 'ok', { maxInFlightPerPartition: maxInFlight })
        const results = await Promise.all(h.send(sizes))
        const expected = sizes.flatMap((size, b) => Array.from({ length: size }, (_, r) => `b${b}r${r}`))
        assert.deepEqual(h.broker.log, expected)
        assert.deepEqual(results.map((m) => m.offset), expected.map((_, i) => BigInt(i)))
        assert.ok(h.maxInFlight() <= maxInFlight, `at most ${maxInFlight} requests in flight, saw ${h.maxInFlight()}`)
      }), { numRuns: 60 })
  })
})
