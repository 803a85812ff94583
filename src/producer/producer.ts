/**
 * The producer: `send` resolves per record with its partition and offset. Records are grouped
 * per partition into batches (sealed when `batchSize` is reached or `lingerMs` has passed) and
 * each partition's batches are delivered in order by its PartitionSender, which retries through
 * leader elections and lost connections until the delivery deadline. Idempotent by default with
 * acks=all. Memory is bounded by `maxBufferedBytes` and, per partition, by
 * `maxBufferedBytesPerPartition`: when full, `send` waits up to `maxBlockMs` and then fails with
 * BufferFullError. `close` delivers (or fails) everything accepted.
 *
 * Records of one partition are appended in the order `send` was called. A record waiting for its
 * topic's metadata makes later records of the topic wait behind it; one waiting for buffer space
 * makes only later records of its partition wait, so a partition that cannot drain does not stop
 * the others.
 */
import { Cluster } from '../cluster/cluster.ts'
import { tpKey } from '../cluster/topic-partition.ts'
import type { TopicInfo } from '../cluster/metadata.ts'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { DeadlineExceededError, InvalidArgumentError } from '../resilience/errors.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { KeyedSerial } from '../resilience/keyed-serial.ts'
import { retry } from '../resilience/retry.ts'
import { Accumulator } from './accumulator.ts'
import type { PendingRecord, ProducerBatch, RecordMetadata } from './batch.ts'
import { BufferBudget } from './buffer-budget.ts'
import { ProducerClosedError, RecordTooLargeError } from './errors.ts'
import { BatchOutcomes, BatchRecord } from './send-batch.ts'
import { BUFFERED_BYTES } from './metrics.ts'
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './options.ts'
import { PartitionSender, type SenderContext } from './partition-sender.ts'
import { ProduceRequests } from './produce-requests.ts'
import { ProducerIdManager } from './producer-id.ts'
import { SentRecord, type AcceptedRecord, type ProducerRecord } from './record.ts'

/**
 * Requests pipelined on one broker connection, over every partition it leads: the cluster the
 * producer makes uses it, and so should a cluster made to be given to a producer.
 */
export const CONNECTION_MAX_IN_FLIGHT = 32

interface PartitionNames {
  key: string
  label: string
}

export class Producer {
  readonly #options: ResolvedProducerOptions
  readonly #cluster: Cluster
  readonly #ownsCluster: boolean
  readonly #logger: Logger
  readonly #budget: BufferBudget
  readonly #context: SenderContext
  readonly #accumulator: Accumulator
  readonly #senders = new Map<string, PartitionSender>()
  /** Per topic: the last record still waiting for metadata; later records of the topic queue behind it. */
  readonly #waiting = new KeyedSerial<string>()
  /** Per partition: the last record still waiting for buffer space; later records of the partition queue behind it. */
  readonly #waitingForSpace = new KeyedSerial<string>()
  readonly #available = new WeakMap<TopicInfo, number[]>()
  readonly #partitionNames = new Map<string, PartitionNames[]>()
  #closing: Promise<void> | undefined
  /** Buffer changes not yet on the gauge, and whether a report is due. */
  #unreported = 0
  #reportDue = false
  /** Flushes under way: records placed meanwhile are sealed at once instead of lingering. */
  #flushing = 0

  constructor (options: ProducerOptions) {
    this.#options = resolveProducerOptions(options)
    this.#logger = (options.logger ?? rootLogger()).child({ component: 'producer' })
    this.#ownsCluster = options.cluster === undefined
    this.#cluster = options.cluster ?? new Cluster({
      bootstrap: options.bootstrap as string | readonly string[],
      clientId: this.#options.metrics.clientId,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      logger: this.#logger,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      maxInFlight: CONNECTION_MAX_IN_FLIGHT,
    })
    this.#accumulator = new Accumulator(this.#options, (batch) => this.#sealed(batch))
    this.#budget = new BufferBudget({ total: this.#options.maxBufferedBytes, perPartition: this.#options.maxBufferedBytesPerPartition }, (delta) => { this.#bufferedChange(delta) })
    this.#context = {
      cluster: this.#cluster,
      options: this.#options,
      logger: this.#logger,
      ids: this.#options.idempotent
        ? new ProducerIdManager(this.#cluster, { required: options.idempotent === true, logger: this.#logger, requestTimeoutMs: this.#options.requestTimeoutMs })
        : undefined,
      onSettled: (batch) => this.#budget.release(batch.sizeBytes, batch.label),
      requests: new ProduceRequests({
        acks: this.#options.acks,
        requestTimeoutMs: this.#options.requestTimeoutMs,
        maxRequestSize: this.#options.maxRequestSize,
        maxInFlight: this.#options.maxInFlightPerPartition,
      }),
    }
  }

  /** The options in effect, defaults filled in. */
  get options (): Readonly<ResolvedProducerOptions> {
    return this.#options
  }

  /** Bytes of records accepted and not yet acknowledged. */
  get bufferedBytes (): number {
    return this.#budget.used
  }

  /**
   * Sends one record. Resolves once the broker acknowledged it (per `acks`) with its partition and
   * offset; rejects when it cannot be delivered: a fatal broker answer at once, a transient one
   * only after `deliveryTimeoutMs` (DeadlineExceededError, with the last failure as cause).
   */
  send (record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      const now = Date.now()
      let accepted: SentRecord
      try {
        this.#checkOpen(record, 'send')
        accepted = this.#checkSize(new SentRecord(record, now, resolve, reject))
      } catch (error) {
        reject(error)
        return
      }
      this.#accept(accepted, now)
    })
  }

  /**
   * Sends many records at once, each exactly as `send` would (same partitioning, order, limits
   * and retries), with one promise for all: it resolves with every record's metadata, in the
   * order given, once all are acknowledged; if any fails, it rejects (once every record has its
   * outcome) with a SendBatchError whose `outcomes` give each record's result. A record that
   * `send` would refuse at once (invalid, too large) makes the whole call fail with that error
   * and nothing is sent.
   */
  async sendBatch (records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (!Array.isArray(records)) throw new InvalidArgumentError(`sendBatch: records must be an array, got ${typeof records}`)
    const now = Date.now()
    const outcomes = new BatchOutcomes(records.length)
    // Every record is checked before the first is placed: a refused one means nothing is sent.
    const accepted = records.map((record, i) => {
      this.#checkOpen(record, 'sendBatch')
      return this.#checkSize(new BatchRecord(record, now, outcomes, i))
    })
    // Records of one topic in a row share one metadata look-up (it reads the clock).
    let topic: string | undefined
    let info: TopicInfo | undefined
    for (const record of accepted) {
      if (record.topic !== topic) {
        topic = record.topic
        info = undefined
      }
      info = this.#accept(record, now, info)
    }
    return await outcomes.promise
  }

  #checkOpen (record: ProducerRecord, operation: string): void {
    if (this.#closing !== undefined) throw new ProducerClosedError(`${operation} to ${String(record?.topic)}: the producer is closing or closed`)
  }

  /**
   * Takes an accepted record to its partition: at once when the topic's metadata is fresh, else
   * after it comes. Returns the metadata when it was fresh: `fresh`, given by a caller placing
   * more records of the topic in the same synchronous run, stands for the look-up (nothing can
   * have made the topic wait for metadata in between).
   */
  #accept (record: AcceptedRecord, now: number, fresh?: TopicInfo): TopicInfo | undefined {
    const topic = record.topic
    const blockDeadline = now + this.#options.maxBlockMs
    const cached = fresh ?? (this.#waiting.has(topic) ? undefined : this.#cluster.freshTopic(topic))
    if (cached !== undefined) {
      this.#toPartition(record, cached, blockDeadline, false)
      return cached
    }
    this.#waiting.run(topic, async () => {
      let info: TopicInfo
      try {
        info = this.#cluster.freshTopic(topic) ?? await this.#topicInfo(topic, blockDeadline)
      } catch (error) {
        record.reject(error)
        return
      }
      this.#toPartition(record, info, blockDeadline, true)
    })
    return undefined
  }

  /**
   * Sends every record accepted so far without waiting for linger, and waits for their outcomes.
   * Open batches are sealed before waiting for the records still waiting to be placed: those may
   * wait for buffer space that only delivering the open batches frees.
   */
  async flush (): Promise<void> {
    this.#flushing++
    try {
      this.#accumulator.sealAll()
      await this.#waiting.idle()
      await this.#waitingForSpace.idle()
      this.#accumulator.sealAll()
      await Promise.all([...this.#senders.values()].map(async (s) => { await s.idle() }))
    } finally {
      this.#flushing--
    }
  }

  /** Stops accepting records, delivers (or fails, at their deadline) every record accepted, then disconnects. */
  async close (): Promise<void> {
    this.#closing ??= (async () => {
      await this.flush()
      if (this.#ownsCluster) await this.#cluster.close()
      this.#logger.debug('producer closed')
    })()
    await this.#closing
  }

  /** Buffer changes reach the gauge once per run of the event loop's microtasks, not once per record. */
  #bufferedChange (delta: number): void {
    this.#unreported += delta
    if (this.#reportDue) return
    this.#reportDue = true
    queueMicrotask(() => {
      this.#reportDue = false
      const change = this.#unreported
      this.#unreported = 0
      if (change !== 0) this.#options.metrics.gauge(BUFFERED_BYTES).inc({}, change)
    })
  }

  /** The record, if it fits the limits; throws RecordTooLargeError if not. */
  #checkSize<R extends AcceptedRecord> (record: R): R {
    const limit = Math.min(this.#options.maxRequestSize, this.#options.maxBufferedBytesPerPartition)
    if (record.size > limit) {
      const which = limit === this.#options.maxRequestSize ? 'maxRequestSize' : 'maxBufferedBytesPerPartition'
      throw new RecordTooLargeError(`send: the record for topic ${record.topic} is about ${record.size} bytes, more than ${which} (${limit})`, record.size)
    }
    return record
  }

  /**
   * Places the record in its partition's open batch: at once when there is space, else behind the
   * partition's waiting records. `waited`: the record already waited (for metadata).
   */
  #toPartition (record: AcceptedRecord, info: TopicInfo, blockDeadline: number, waited: boolean): void {
    let partition: number
    try {
      partition = this.#choosePartition(record, info)
    } catch (error) {
      record.reject(error)
      return
    }
    const { key, label } = this.#names(record.topic, partition)
    // The budget counts by the partition's label, the name its BufferFullError shows; a sealed
    // batch gives the same label back when it settles.
    if (!this.#waitingForSpace.has(key) && this.#budget.tryReserve(record.size, label)) {
      this.#append(record.topic, partition, record, waited)
      return
    }
    this.#waitingForSpace.run(key, async () => {
      try {
        await this.#budget.reserve(record.size, label, Math.max(0, blockDeadline - Date.now()), this.#options.maxBlockMs)
      } catch (error) {
        record.reject(error)
        return
      }
      this.#append(record.topic, partition, record, true)
    })
  }

  /** The partition's map key and label, made once per partition rather than per record. */
  #names (topic: string, partition: number): PartitionNames {
    let list = this.#partitionNames.get(topic)
    if (list === undefined) this.#partitionNames.set(topic, list = [])
    let names = list[partition]
    if (names === undefined) list[partition] = names = { key: tpKey(topic, partition), label: `${topic}-${partition}` }
    return names
  }

  /** A record that waited is sealed at once while a flush waits for it, rather than lingering. */
  #append (topic: string, partition: number, pending: PendingRecord, waited: boolean): void {
    this.#accumulator.append(topic, partition, pending)
    if (waited && this.#flushing > 0) this.#accumulator.seal(topic, partition)
  }

  async #topicInfo (topic: string, blockDeadline: number): Promise<TopicInfo> {
    const budgetMs = blockDeadline - Date.now()
    const noAnswer = (attempts: number): DeadlineExceededError => new DeadlineExceededError(
      `send to ${topic}: no metadata for the topic within maxBlockMs (${this.#options.maxBlockMs} ms): ` +
      'the brokers had not answered yet (maxBlockMs may be too short for a first connection)', { attempts, elapsedMs: this.#options.maxBlockMs })
    if (budgetMs <= 0) throw noAnswer(0)
    try {
      return await this.#fetchTopicInfo(topic, budgetMs)
    } catch (error) {
      // Cut off while its first request was still out, the retry loop has no failure to give as cause.
      if (!(error instanceof DeadlineExceededError) || error.cause !== undefined) throw error
      throw noAnswer(error.attempts)
    }
  }

  async #fetchTopicInfo (topic: string, budgetMs: number): Promise<TopicInfo> {
    return await retry(async () => {
      const metadata = await this.#cluster.metadata([topic])
      const info = metadata.topics.get(topic)
      if (info === undefined || info.errorCode !== KafkaErrorCode.NONE) throw kafkaError(info?.errorCode ?? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `metadata for topic ${topic}`)
      if (info.partitions.length === 0) throw kafkaError(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `metadata for topic ${topic} lists no partitions`)
      return info
    }, {
      component: 'producer',
      operation: 'metadata',
      policy: { ...this.#options.retry, maxAttempts: Infinity, deadlineMs: budgetMs },
      logger: this.#logger,
      metrics: this.#options.metrics,
    })
  }

  #choosePartition (record: AcceptedRecord, info: TopicInfo): number {
    const count = info.partitions.length
    if (record.partition !== undefined) {
      if (record.partition >= count) throw new InvalidArgumentError(`send: partition ${record.partition} does not exist; topic ${record.topic} has ${count} partition(s)`)
      return record.partition
    }
    const chosen = this.#options.partitioner.partition({ topic: record.topic, key: record.key, value: record.value, partitionCount: count, availablePartitions: this.#availablePartitions(info) })
    if (!Number.isInteger(chosen) || chosen < 0 || chosen >= count) {
      throw new InvalidArgumentError(`send: the partitioner chose partition ${String(chosen)} for topic ${record.topic}, which has ${count} partition(s)`)
    }
    return chosen
  }

  #availablePartitions (info: TopicInfo): number[] {
    let list = this.#available.get(info)
    if (list === undefined) {
      list = info.partitions.filter((p) => p.leader >= 0).map((p) => p.partition)
      this.#available.set(info, list)
    }
    return list
  }

  /** A batch is full or lingered out: its partition's sender delivers it. */
  #sealed (batch: ProducerBatch): void {
    const { topic, partition } = batch
    this.#options.partitioner.onBatchSealed?.(topic, partition)
    const { key } = this.#names(topic, partition)
    let sender = this.#senders.get(key)
    if (sender === undefined) {
      sender = new PartitionSender(this.#context, topic, partition)
      this.#senders.set(key, sender)
    }
    sender.enqueue(batch)
  }
}
