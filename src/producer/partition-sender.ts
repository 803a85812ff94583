/**
 * Delivery for one partition: an ordered queue of sealed batches and one drain loop that sends
 * them to the partition's leader, up to `maxInFlightPerPartition` requests at a time. The batches
 * travel in the leader's shared Produce requests (produce-requests.ts), one batch per request.
 *
 * The loop works in rounds. A round opens the leader's connection and pipelines batches from the
 * head of the queue; when a batch fails with a retriable error it stops sending, waits for the
 * requests still in flight, and fails as a whole, so the retry loop (resilience/retry.ts) backs
 * off, refreshes metadata or reconnects, and runs the next round, which resends what is left in
 * the same order with the same sequence numbers. The retry loop's deadline is the head batch's
 * delivery deadline; when it passes, the batches whose own deadline has passed fail with a
 * DeadlineExceededError and the others carry on. A partition whose leader is gone therefore
 * holds its batches (their bytes stay counted in the producer's buffer) while others keep going.
 *
 * After a round fails, the next round sends the head batch alone and pipelines again only once it
 * is acknowledged, so a broker that keeps failing it never receives later batches ahead of it.
 *
 * Idempotence: sequence numbers are assigned when a batch is first sent and kept across retries,
 * so the broker drops a retried batch it already wrote and refuses one that would jump a gap.
 * That check is what keeps order when a batch fails while later ones are already in flight; a
 * broker that does not check sequences (librdkafka's mock, for non-transactional producers) writes
 * those later batches first. That cannot be undone, so it is detected instead: a batch
 * acknowledged at an offset above a later batch's is an ordering violation, logged at error and
 * counted in steadfast_producer_ordering_violations_total.
 * When a numbered batch fails for good or expires, the numbers after it cannot be trusted: the
 * partition takes a fresh producer id and numbers its remaining batches from 0. A batch whose
 * answer was lost may already be in the log under the old id, where the broker would not
 * recognise a renumbered resend as a duplicate: such a batch is failed (UncertainDeliveryError,
 * saying it may have been written) instead of being sent again under the new id.
 */
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import type { Cluster } from '../cluster/cluster.ts'
import { UnsupportedApiError } from '../cluster/errors.ts'
import type { Logger } from '../observability/logger.ts'
import { apis } from '../protocol/apis/index.ts'
import { classify } from '../resilience/classify.ts'
import { sleep, systemClock } from '../resilience/clock.ts'
import { DeadlineExceededError } from '../resilience/errors.ts'
import { kafkaError } from '../resilience/kafka-errors.ts'
import { retry, type RetryContext } from '../resilience/retry.ts'
import type { ProducerBatch, ProducerIdentity } from './batch.ts'
import { UncertainDeliveryError } from './errors.ts'
import { produceVerdict } from './faults.ts'
import type { ProduceOutcome, ProduceRequests } from './produce-requests.ts'
import { BATCH_RECORDS, BATCH_SIZE_BYTES, ORDERING_VIOLATIONS, RECORD_ERRORS, RECORDS_SENT } from './metrics.ts'
import type { ResolvedProducerOptions } from './options.ts'

/** Batches one round may send, so a busy partition still ends rounds and drops settled batches. */
const ROUND_LIMIT = 64
const SEQUENCE_MODULUS = 2 ** 31

/** Where producer ids come from (ProducerIdManager); null means the cluster lacks idempotence. */
export interface ProducerIds {
  shared: () => Promise<ProducerIdentity | null>
  fresh: () => Promise<ProducerIdentity | null>
}

export interface SenderContext {
  cluster: Cluster
  options: ResolvedProducerOptions
  logger: Logger
  /** Undefined when the producer is not idempotent. */
  ids: ProducerIds | undefined
  /** Called once per batch when every record in it has its outcome. */
  onSettled: (batch: ProducerBatch) => void
  /** Where batches go out: one Produce request per broker carries every ready partition. */
  requests: ProduceRequests
}

/** A batch acknowledged while an earlier batch of the partition was still unsettled. */
interface AheadAck {
  ordinal: number
  offset: bigint
}

type Outcome = ProduceOutcome

export class PartitionSender {
  readonly topic: string
  readonly partition: number
  readonly #ctx: SenderContext
  #queue: ProducerBatch[] = []
  #draining = false
  /** Undefined until first needed; null when the cluster does not support idempotence. */
  #identity: ProducerIdentity | null | undefined
  #nextSequence = 0
  /** Set when the sequence can no longer be trusted: take a fresh producer id before sending. */
  #renumber = false
  /** Set when a round failed: send the head batch alone until it is acknowledged. */
  #recovering = false
  /** Position of each batch in send order, to compare with the offsets the broker gives. */
  readonly #ordinals = new WeakMap<ProducerBatch, number>()
  #enqueued = 0
  #ahead: AheadAck[] = []

  constructor (ctx: SenderContext, topic: string, partition: number) {
    this.#ctx = ctx
    this.topic = topic
    this.partition = partition
  }

  get label (): string {
    return `${this.topic}-${this.partition}`
  }

  /** Batches waiting or in flight. */
  get queued (): number {
    return this.#queue.length
  }

  /** Settles when every batch queued so far has its outcome. */
  async idle (): Promise<void> {
    await Promise.all(this.#queue.map((b) => b.done))
  }

  enqueue (batch: ProducerBatch): void {
    this.#ordinals.set(batch, this.#enqueued++)
    this.#queue.push(batch)
    if (!this.#draining) this.#drain().catch((error: unknown) => this.#ctx.logger.error({ partition: this.label, err: (error as Error).message }, 'partition sender stopped'))
  }

  async #drain (): Promise<void> {
    this.#draining = true
    try {
      while (this.#queue.length > 0) await this.#deliverHead()
    } finally {
      this.#draining = false
    }
  }

  async #deliverHead (): Promise<void> {
    const head = this.#queue[0] as ProducerBatch
    const remaining = head.deadline - Date.now()
    if (remaining <= 0) {
      this.#expire(head.deadline, undefined)
      return
    }
    const { options, logger } = this.#ctx
    const state: { round: Promise<void> | undefined } = { round: undefined }
    // The cluster owns metadata: senders of one topic that fail together share its one refresh.
    const refresh = async (): Promise<void> => { await this.#ctx.cluster.refreshMetadata([this.topic]) }
    try {
      await retry(async (context) => {
        state.round = this.#round(context)
        await state.round
      }, {
        component: 'producer',
        operation: 'produce',
        policy: { ...options.retry, maxAttempts: Infinity, deadlineMs: remaining },
        hooks: { 'refresh-metadata': refresh, reconnect: refresh },
        logger,
        metrics: options.metrics,
      })
    } catch (error) {
      // The retry loop stops waiting at the deadline; the requests of the last round may still be
      // in flight, and their answers decide what was written. Wait for them before judging.
      await state.round?.catch(() => {})
      if (!(error instanceof DeadlineExceededError)) this.#failAll(error)
      else {
        const last = await this.#lastAttempt(head, error)
        if (last.failed) this.#expire(head.deadline, last.cause)
      }
    }
    this.#dropSettled()
  }

  /**
   * The retry loop gives up as soon as its next wait would end past the deadline, but the head
   * batch still has until then: wait for the deadline and try once more, so records never fail
   * before their deliveryTimeoutMs.
   */
  async #lastAttempt (head: ProducerBatch, error: DeadlineExceededError): Promise<{ failed: boolean, cause: unknown }> {
    if (head.settled) return { failed: false, cause: undefined }
    const early = head.deadline - Date.now()
    if (early <= 0) return { failed: true, cause: error.cause }
    await sleep(systemClock, early)
    try {
      await this.#round({ attempt: error.attempts + 1, signal: new AbortController().signal, deadline: undefined })
      return { failed: false, cause: undefined }
    } catch (last) {
      return { failed: true, cause: last }
    }
  }

  async #round (context: RetryContext): Promise<void> {
    const connection = await this.#ctx.cluster.leaderConnection(this.topic, this.partition, 'produce')
    if (connection.versionFor(apis.Produce) < 3) {
      throw new UnsupportedApiError('Produce', connection.label, 'record batches (magic v2) need Produce v3 or later')
    }
    await this.#prepareIdentity()
    const max = this.#ctx.options.maxInFlightPerPartition
    let failure: unknown
    let stop = false
    let inFlight = 0
    let sent = 0
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (!stop && failure === undefined && !context.signal.aborted && inFlight < (this.#recovering ? 1 : max) && sent < ROUND_LIMIT) {
          const batch = this.#queue[sent]
          if (batch === undefined) break
          sent++
          inFlight++
          this.#number(batch)
          this.#send(connection, batch).then((outcome) => {
            inFlight--
            const verdict = this.#judge(batch, outcome, connection)
            if (verdict === 'stop') stop = true
            else if (verdict !== 'ok') failure ??= verdict
            pump()
          })
        }
        if (inFlight === 0) resolve()
      }
      pump()
    })
    this.#dropSettled()
    if (failure !== undefined) {
      this.#recovering = true
      throw failure
    }
  }

  async #prepareIdentity (): Promise<void> {
    const ids = this.#ctx.ids
    if (ids === undefined) return
    if (this.#identity !== undefined && !this.#renumber) return
    const renumber = this.#renumber
    if (renumber) this.#failUncertain()
    this.#identity = renumber ? await ids.fresh() : await ids.shared()
    this.#renumber = false
    this.#nextSequence = 0
    if (renumber) this.#ctx.logger.info({ partition: this.label, producerId: String(this.#identity?.producerId) }, 'sequence reset: the partition continues under a fresh producer id')
  }

  /** Before a sequence reset: fails the batches that may have been written under the old producer id. */
  #failUncertain (): void {
    const old = this.#identity
    for (const batch of this.#queue) {
      if (batch.settled || !batch.ambiguous || old === undefined || old === null || batch.identity !== old) continue
      this.#fail(batch, new UncertainDeliveryError(
        `delivery of ${batch.records.length} record(s) to ${this.label} is uncertain: an attempt got no answer, so the broker may have written them, ` +
        'and an earlier batch\'s failure forces a new producer id under which a resend could be written twice; not sent again',
        { attempts: batch.attempts }))
    }
    this.#dropSettled()
  }

  /** Assigns the next sequence numbers to a batch not yet numbered under the current identity. */
  #number (batch: ProducerBatch): void {
    const identity = this.#identity
    if (identity === undefined || identity === null || batch.identity === identity) return
    batch.identity = identity
    batch.baseSequence = this.#nextSequence
    this.#nextSequence = (this.#nextSequence + batch.records.length) % SEQUENCE_MODULUS
  }

  async #send (connection: BrokerConnection, batch: ProducerBatch): Promise<Outcome> {
    const { options } = this.#ctx
    batch.attempts++
    try {
      const records = await batch.encode(options.compression)
      this.#ctx.options.metrics.histogram(BATCH_SIZE_BYTES).observe({ topic: this.topic }, records.length)
      this.#ctx.options.metrics.histogram(BATCH_RECORDS).observe({ topic: this.topic }, batch.records.length)
      return await this.#ctx.requests.send(connection, this.topic, this.partition, records)
    } catch (error) {
      return { kind: 'thrown', error }
    }
  }

  /** 'ok' (settled or will be retried after an earlier failure), 'stop' (settled for good) or the error to retry on. */
  #judge (batch: ProducerBatch, outcome: Outcome, connection: BrokerConnection): 'ok' | 'stop' | unknown {
    const verdict = produceVerdict(
      outcome.kind === 'thrown'
        ? outcome
        : { kind: 'answer', errorCode: outcome.errorCode, error: () => kafkaError(outcome.errorCode, `Produce to ${this.label} on ${connection.label}`, { serverMessage: outcome.errorMessage }) },
      () => this.#queue.slice(0, this.#queue.indexOf(batch)).some((b) => !b.settled))
    if (verdict.kind === 'delivered') {
      // Only an answer delivers; a duplicate was written by an earlier attempt whose answer was lost.
      const answer = outcome as Extract<Outcome, { kind: 'answer' }>
      const { duplicate } = verdict
      this.#recovering = false
      if (!duplicate) this.#checkOrder(batch, answer.baseOffset)
      batch.complete(duplicate ? -1n : answer.baseOffset, duplicate ? -1 : Number(answer.logAppendTimeMs))
      this.#ctx.options.metrics.counter(RECORDS_SENT).inc({ topic: this.topic }, batch.records.length)
      this.#ctx.onSettled(batch)
      return 'ok'
    }
    if (verdict.kind === 'fail') {
      this.#fail(batch, verdict.error)
      return 'stop'
    }
    if (verdict.written !== undefined) batch.ambiguous = verdict.written === 'maybe'
    if (verdict.renumber) this.#renumber = true
    return verdict.error
  }

  /**
   * Compares an acknowledged batch's offset with the batches behind it that were acknowledged
   * first: one of them at a lower offset means the broker wrote it ahead of this one.
   */
  #checkOrder (batch: ProducerBatch, offset: bigint): void {
    if (offset < 0n) return
    const ordinal = this.#ordinals.get(batch) as number
    const overtaken = this.#ahead.filter((a) => a.ordinal > ordinal && a.offset < offset)
    if (overtaken.length > 0) {
      this.#ctx.options.metrics.counter(ORDERING_VIOLATIONS).inc({ topic: this.topic }, batch.records.length)
      this.#ctx.logger.error({
        partition: this.label,
        records: batch.records.length,
        offset: String(offset),
        laterBatchesAt: overtaken.map((a) => String(a.offset)),
      }, 'ordering violation: the broker wrote later batches of the partition before this one (it does not check producer sequences)')
    }
    const first = this.#queue.find((b) => !b.settled)
    if (first !== undefined && first !== batch) this.#ahead.push({ ordinal, offset })
  }

  #fail (batch: ProducerBatch, error: unknown): void {
    if (batch.settled) return
    // A numbered batch that will never be written leaves a gap the broker would refuse to jump.
    if (batch.baseSequence >= 0 && batch.identity === this.#identity) this.#renumber = true
    batch.fail(error)
    this.#ctx.options.metrics.counter(RECORD_ERRORS).inc({ topic: this.topic, reason: classify(error).reason }, batch.records.length)
    this.#ctx.onSettled(batch)
    this.#ctx.logger.warn({ partition: this.label, records: batch.records.length, attempts: batch.attempts, err: (error as Error).message }, 'batch failed')
  }

  /** Fails every queued batch whose delivery deadline is at or before `deadline`. */
  #expire (deadline: number, cause: unknown): void {
    const now = Date.now()
    for (const batch of this.#queue) {
      if (batch.settled || batch.deadline > Math.max(deadline, now)) continue
      const last = cause instanceof Error ? `; last error: ${cause.message}` : ''
      const unknown = batch.ambiguous ? ' (an earlier attempt got no answer, so the broker may have written it)' : ''
      this.#fail(batch, new DeadlineExceededError(
        `delivery of ${batch.records.length} record(s) to ${this.label} did not succeed within deliveryTimeoutMs ` +
        `(${this.#ctx.options.deliveryTimeoutMs} ms) after ${batch.attempts} attempt(s)${unknown}${last}`,
        { attempts: batch.attempts, elapsedMs: now - batch.createdAt, cause }))
    }
    this.#dropSettled()
  }

  /** A failure no retry can fix (unsupported API, authorization): every queued batch gets it. */
  #failAll (error: unknown): void {
    for (const batch of this.#queue) this.#fail(batch, error)
    this.#dropSettled()
  }

  #dropSettled (): void {
    if (this.#queue.some((b) => b.settled)) this.#queue = this.#queue.filter((b) => !b.settled)
    const head = this.#queue[0]
    const oldest = head === undefined ? Infinity : this.#ordinals.get(head) as number
    if (this.#ahead.length > 0) this.#ahead = this.#ahead.filter((a) => a.ordinal > oldest)
  }
}
