/**
 * The consumer. Partitions come from `assign` (manual, no group) or `subscribe` (a consumer
 * group: the classic protocol, or KIP-848's consumer protocol with `groupProtocol: 'consumer'`); records are read by one fetch loop per leader broker (FetchManager)
 * and handed to the application either one at a time (`for await (const m of consumer)`) or one
 * partition's chunk at a time (`run({ eachBatch })`).
 *
 * Progress: a record counts as processed when the application asks the iterator for the next
 * one, or when `eachBatch` resolves for its chunk. `commit()` sends what is processed (never
 * what is only fetched or handed out), and so do auto-commit, a revocation (which first waits
 * for the record or batch in the application's hands) and `close`; a record handed out and not
 * processed when the consumer closes or crashes is read again by the partition's next owner.
 * A record or batch held past maxPollIntervalMs makes the member step out of its group (its
 * partitions lost, nothing committed for them) until the application asks for more.
 */
import { Cluster } from '../cluster/cluster.ts'
import { tpKey } from '../cluster/topic-partition.ts'
import type { BootstrapSource } from '../cluster/bootstrap-source.ts'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { ConsumerClosedError, OffsetOutOfRangeError, membershipError } from './errors.ts'
import { FetchManager } from './fetch-manager.ts'
import { Handout } from './handout.ts'
import { waitFor } from './notifier.ts'
import { commitOffsets, fetchCommitted, type OffsetsContext, type OffsetToCommit } from './group/offsets.ts'
import { ConsumerGroupMember } from './group/consumer-group-member.ts'
import { GroupMember, type Generation, type Membership, type MembershipHost } from './group/membership.ts'
import { TopicSubscription, type TopicSelector } from './group/subscription.ts'
import type { ConsumerBatch, ConsumerMessage, TopicPartition } from './message.ts'
import { COMMITS, DELIVERED_RECORDS, POLL_TIMEOUTS } from './metrics.ts'
import { resolveConsumerOptions, type ConsumerOptions, type Deserializer, type ResolvedConsumerOptions } from './options.ts'
import type { OffsetTarget, PartitionState } from './partition-state.ts'
import type { KafkaRecord } from '../protocol/records/types.ts'

/** Where `seek` goes: an offset, the first or next-to-be-written offset, or the first at or after a time (ms). */
export type SeekTarget = bigint | number | 'earliest' | 'latest' | { timestamp: number }

export interface RebalanceListeners {
  /** After the group gave this member its partitions and their positions are known. */
  onAssigned?: (partitions: TopicPartition[]) => Promise<void> | void
  /** Before the partitions go (rebalance or close): fetching has stopped; `commit()` still works here. */
  onRevoked?: (partitions: TopicPartition[]) => Promise<void> | void
  /**
   * The partitions were lost: the group dropped or fenced this member, so they may be another
   * member's already and nothing is committed (Java's onPartitionsLost). Without it, `onRevoked`
   * is called instead.
   */
  onLost?: (partitions: TopicPartition[]) => Promise<void> | void
}

/** A partition whose records are all handed out, its fetch position at the end of its log (`offset`). */
export interface PartitionEnd extends TopicPartition {
  offset: bigint
}

export interface MessagesOptions {
  /** Ends the iteration (no further record is handed out) when it aborts; the consumer stays open. */
  signal?: AbortSignal
}

export interface RunOptions<K, V> {
  /** Called with one partition's records at a time; they count as processed when it resolves. */
  eachBatch: (batch: ConsumerBatch<K, V>) => Promise<void> | void
  /** Most records per batch. Default 500. */
  maxBatchRecords?: number
}

const NOT_COMMITTING: Generation = { generationId: -1, memberId: '', groupInstanceId: null }

export class Consumer<K = Buffer | null, V = Buffer | null> implements AsyncIterable<ConsumerMessage<K, V>> {
  readonly #options: ResolvedConsumerOptions
  readonly #cluster: Cluster
  readonly #ownsCluster: boolean
  readonly #logger: Logger
  readonly #fetcher: FetchManager
  readonly #key: Deserializer<K>
  readonly #value: Deserializer<V>
  readonly #abort = new AbortController()
  #mode: 'none' | 'assign' | 'subscribe' = 'none'
  #member: Membership | undefined
  #listeners: RebalanceListeners = {}
  #consuming = false
  /** The record or batch the application holds now; held past maxPollIntervalMs, the member steps out of its group. */
  readonly #handout: Handout
  #autoCommit: NodeJS.Timeout | undefined
  #committing: Promise<void> = Promise.resolve()
  #closing: Promise<void> | undefined
  readonly #endListeners = new Set<(end: PartitionEnd) => void>()

  constructor (options: ConsumerOptions<K, V>) {
    this.#options = resolveConsumerOptions(options as ConsumerOptions<unknown, unknown>)
    this.#logger = (options.logger ?? rootLogger()).child({ component: 'consumer' })
    this.#ownsCluster = options.cluster === undefined
    this.#cluster = options.cluster ?? new Cluster({
      bootstrap: options.bootstrap as BootstrapSource,
      clientId: this.#options.metrics.clientId,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      logger: this.#logger,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      metadataMaxAgeMs: this.#options.metadataMaxAgeMs,
      ...(this.#options.endpointCheck === false ? {} : { endpointCheck: this.#options.endpointCheck }),
    })
    this.#key = options.keyDeserializer ?? ((bytes) => bytes as K)
    this.#value = options.valueDeserializer ?? ((bytes) => bytes as V)
    this.#handout = new Handout(this.#options.maxPollIntervalMs, (done) => { this.#overdue(done) })
    this.#fetcher = new FetchManager(this.#cluster, this.#options, this.#logger)
    this.#fetcher.onEnd = (state, offset) => {
      for (const listener of this.#endListeners) listener({ topic: state.topic, partition: state.partition, offset })
    }
  }

  /** The options in effect, defaults filled in. */
  get options (): Readonly<ResolvedConsumerOptions> {
    return this.#options
  }

  /** Bytes fetched and not yet handed to the application (each partition holds at most about maxBufferedBytesPerPartition plus one Fetch answer). */
  get bufferedBytes (): number {
    return this.#fetcher.bufferedBytes
  }

  /** The partitions currently assigned (by `assign` or by the group). */
  assignment (): TopicPartition[] {
    return [...this.#fetcher.partitions.values()].map((s) => ({ topic: s.topic, partition: s.partition }))
  }

  /**
   * Reads exactly these partitions (replacing any earlier `assign`). Each starts at the group's
   * committed offset when `groupId` is set and one exists, else where `autoOffsetReset` says; `seek`
   * moves it.
   */
  async assign (partitions: TopicPartition[]): Promise<void> {
    this.#checkOpen('assign')
    if (this.#mode === 'subscribe') throw new InvalidArgumentError('assign: this consumer subscribed to a group; use one consumer per mode')
    for (const tp of partitions) checkPartition(tp, 'assign')
    this.#mode = 'assign'
    const wanted = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)))
    this.#fetcher.remove([...this.#fetcher.partitions.values()].filter((s) => !wanted.has(s.key)))
    const added = partitions.filter((tp) => this.#fetcher.get(tp.topic, tp.partition) === undefined)
    await this.#addPartitions(added)
    this.#startAutoCommit()
  }

  /**
   * Joins the group and reads the partitions it assigns; listeners see every assignment and
   * revocation. `topics`: names (a topic that does not exist yet is assigned once it appears) and
   * patterns (`/^orders\./`, matched against every topic's name, internal topics left out);
   * topics created, grown or deleted are noticed within `metadataMaxAgeMs` and rebalanced.
   */
  subscribe (topics: TopicSelector[], listeners: RebalanceListeners = {}): void {
    this.#checkOpen('subscribe')
    const groupId = this.#options.groupId
    if (groupId === undefined) throw new InvalidArgumentError('subscribe: the consumer needs the groupId option')
    if (this.#mode !== 'none') throw new InvalidArgumentError(`subscribe: the consumer is already in ${this.#mode} mode`)
    if (!Array.isArray(topics) || topics.length === 0 || topics.some((t) => !(t instanceof RegExp) && (typeof t !== 'string' || t === ''))) {
      throw new InvalidArgumentError(`subscribe: topics must be a non-empty array of topic names and RegExp patterns, got ${Array.isArray(topics) ? `[${topics.map((t) => t instanceof RegExp ? String(t) : JSON.stringify(t)).join(', ')}]` : JSON.stringify(topics)}`)
    }
    this.#mode = 'subscribe'
    this.#listeners = listeners
    this.#member = this.#options.groupProtocol === 'consumer'
      ? new ConsumerGroupMember(this.#membershipHost(), groupId, new TopicSubscription(topics))
      : new GroupMember(this.#membershipHost(), groupId, new TopicSubscription(topics))
    this.#member.start()
    this.#startAutoCommit()
  }

  /**
   * Moves an assigned partition: the next record handed out is at the target; records fetched
   * before are dropped. The move happens at once; the promise (no need to await it) resolves
   * with the offset once it is known, which for 'earliest', 'latest' and timestamps takes a
   * ListOffsets (undefined if the partition stops or is unassigned first). A timestamp after
   * the last record goes to the end of the log.
   */
  seek (tp: TopicPartition, target: SeekTarget): Promise<bigint | undefined> {
    this.#checkOpen('seek')
    const state = this.#state(tp, 'seek')
    this.#fetcher.seek(state, toTarget(target))
    return state.whenPositioned()
  }

  /** Stops fetching and handing out records of these partitions until `resume`. */
  pause (partitions: TopicPartition[]): void {
    for (const tp of partitions) this.#fetcher.pause(this.#state(tp, 'pause'))
  }

  resume (partitions: TopicPartition[]): void {
    for (const tp of partitions) this.#fetcher.resume(this.#state(tp, 'resume'))
  }

  /**
   * Calls `listener` each time a partition reaches its end: every record fetched so far handed
   * out and the fetch position at the end of the log (the high watermark, or the last stable
   * offset under read_committed), as the latest Fetch answer says. Told once per arrival: again
   * only after new records were read or the partition was sought. Returns the remover.
   */
  onPartitionEnd (listener: (end: PartitionEnd) => void): () => void {
    this.#endListeners.add(listener)
    return () => { this.#endListeners.delete(listener) }
  }

  /**
   * Records one at a time. A record counts as processed when the next one is asked for. Ends
   * when the consumer closes or `signal` aborts; throws a partition's error (OffsetOutOfRangeError with
   * autoOffsetReset 'none', PartitionFetchError) in order with the data, after which the
   * consumer still works: seek the partition and iterate again.
   */
  async * messages (options: MessagesOptions = {}): AsyncGenerator<ConsumerMessage<K, V>, void, undefined> {
    this.#startConsuming('messages')
    const signal = options.signal === undefined ? this.#abort.signal : AbortSignal.any([this.#abort.signal, options.signal])
    let last: { state: PartitionState, offset: bigint } | undefined
    try {
      for (;;) {
        if (last !== undefined) this.#processed(last.state, last.offset)
        last = undefined
        this.#handout.end()
        if (options.signal?.aborted === true) return
        const chunk = await this.#fetcher.take(1, signal)
        if (chunk === undefined) return
        const record = chunk.records[0] as KafkaRecord
        last = { state: chunk.state, offset: record.offset }
        this.#options.metrics.counter(DELIVERED_RECORDS).inc({ topic: chunk.state.topic })
        this.#handout.begin()
        yield this.#message(chunk.state, record)
      }
    } finally {
      this.#handout.end()
      this.#consuming = false
    }
  }

  [Symbol.asyncIterator] (): AsyncIterator<ConsumerMessage<K, V>> {
    return this.messages()
  }

  /**
   * Hands out one partition's records at a time until the consumer closes (resolves) or
   * `eachBatch` or a partition fails (rejects with that error; the batch does not count as processed).
   */
  async run (options: RunOptions<K, V>): Promise<void> {
    if (typeof options?.eachBatch !== 'function') throw new InvalidArgumentError('run: eachBatch must be a function')
    const max = options.maxBatchRecords ?? 500
    if (!Number.isInteger(max) || max < 1) throw new InvalidArgumentError(`run: maxBatchRecords must be an integer >= 1, got ${String(max)}`)
    this.#startConsuming('run')
    try {
      for (;;) {
        const chunk = await this.#fetcher.take(max, this.#abort.signal)
        if (chunk === undefined) return
        this.#options.metrics.counter(DELIVERED_RECORDS).inc({ topic: chunk.state.topic }, chunk.records.length)
        this.#handout.begin()
        await options.eachBatch({
          topic: chunk.state.topic,
          partition: chunk.state.partition,
          messages: chunk.records.map((r) => this.#message(chunk.state, r)),
          highWatermark: chunk.highWatermark,
        })
        this.#processed(chunk.state, (chunk.records[chunk.records.length - 1] as KafkaRecord).offset)
        this.#handout.end()
      }
    } finally {
      this.#handout.end()
      this.#consuming = false
    }
  }

  /**
   * Commits the group's offsets: the given ones (each the offset of the next record to read), or
   * every assigned partition's processed position. Commits run one at a time, in call order.
   */
  async commit (offsets?: OffsetToCommit[]): Promise<void> {
    const groupId = this.#options.groupId
    if (groupId === undefined) throw new InvalidArgumentError('commit: the consumer needs the groupId option')
    const next = this.#committing.catch(() => {}).then(async () => { await this.#commitNow(groupId, offsets) })
    this.#committing = next
    await next
  }

  /**
   * Stops handing out records (an iterator ends, `run` resolves), commits what was processed,
   * leaves the group, and disconnects.
   */
  async close (): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#autoCommit)
      this.#handout.stop()
      this.#abort.abort()
      if (this.#member !== undefined) {
        await this.#member.close()
      } else if (this.#options.groupId !== undefined && this.#options.autoCommit) {
        await this.commit().catch((error: unknown) => { this.#logger.warn({ err: (error as Error).message }, 'commit on close failed') })
      }
      await this.#fetcher.close()
      if (this.#ownsCluster) await this.#cluster.close()
      this.#logger.debug('consumer closed')
    })()
    await this.#closing
  }

  async #commitNow (groupId: string, offsets: OffsetToCommit[] | undefined): Promise<void> {
    const list = offsets ?? [...this.#fetcher.partitions.values()]
      .filter((s) => s.processed !== undefined && s.processed !== s.committed)
      .map((s) => ({ topic: s.topic, partition: s.partition, offset: s.processed as bigint }))
    if (list.length === 0) return
    for (const o of list) checkPartition(o, 'commit')
    try {
      const member = this.#member
      await commitOffsets(this.#offsetsContext(groupId), () => member?.generation ?? NOT_COMMITTING, list)
      this.#options.metrics.counter(COMMITS).inc({ group: groupId, outcome: 'ok' })
    } catch (error) {
      this.#options.metrics.counter(COMMITS).inc({ group: groupId, outcome: 'failed' })
      throw error
    }
    for (const o of list) {
      const state = this.#fetcher.get(o.topic, o.partition)
      if (state !== undefined) state.committed = o.offset
    }
  }

  #offsetsContext (groupId: string): OffsetsContext {
    const o = this.#options
    return { cluster: this.#cluster, groupId, logger: this.#logger, retryBackoffMs: o.retryBackoffMs, retryBackoffMaxMs: o.retryBackoffMaxMs, timeoutMs: o.requestTimeoutMs, metrics: o.metrics }
  }

  /** Adds partitions at their committed offsets (with a group), else where autoOffsetReset says. */
  async #addPartitions (partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return
    const groupId = this.#options.groupId
    const committed = groupId === undefined ? new Map<string, bigint>() : await fetchCommitted(this.#offsetsContext(groupId), partitions, this.#abort.signal)
    const reset = this.#options.autoOffsetReset
    this.#fetcher.add(partitions.map((tp) => {
      const offset = committed.get(tpKey(tp.topic, tp.partition)) ?? -1n
      return { ...tp, target: offset >= 0n ? offset : reset === 'none' ? 'earliest' : reset }
    }))
    for (const tp of partitions) {
      const state = this.#fetcher.get(tp.topic, tp.partition) as PartitionState
      const offset = committed.get(tpKey(tp.topic, tp.partition)) ?? -1n
      if (offset >= 0n) state.committed = offset
      else if (reset === 'none') {
        const why = groupId === undefined ? 'it has no position yet (seek it)' : `group ${groupId} has no committed offset for it`
        this.#fetcher.fail(state, new OffsetOutOfRangeError(tp.topic, tp.partition, -1n, why))
      }
    }
  }

  #membershipHost (): MembershipHost {
    return {
      cluster: this.#cluster,
      options: this.#options,
      logger: this.#logger,
      assigned: async (partitions) => {
        await this.#addPartitions(partitions)
        await this.#listeners.onAssigned?.(partitions)
      },
      revoke: async (canCommit, only) => {
        const going = only === undefined ? undefined : new Set(only.map((tp) => tpKey(tp.topic, tp.partition)))
        // Partitions that stay (cooperative rebalancing) keep being fetched and handed out.
        const states = [...this.#fetcher.partitions.values()].filter((s) => going === undefined || going.has(s.key))
        for (const state of states) this.#fetcher.pause(state)
        // Lost partitions are another member's already: they go now, and nothing of theirs is
        // committed (the record in hand included: it is read again by their new owner).
        if (!canCommit) this.#fetcher.remove(states)
        // As in Java's poll loop, the record or batch in the application's hands is finished
        // first, so its offset is committed and its partition's next owner does not read it again
        // (bounded by the rebalance timeout, past which the group would drop us; not on close).
        if (this.#handout.active) await waitFor(this.#handout.done(), this.#options.rebalanceTimeoutMs, this.#abort.signal)
        const partitions = states.map((s) => ({ topic: s.topic, partition: s.partition }))
        const listener = canCommit ? 'onRevoked' : this.#listeners.onLost === undefined ? 'onRevoked' : 'onLost'
        try {
          await this.#listeners[listener]?.(partitions)
        } catch (error) {
          this.#logger.error({ err: (error as Error).message }, `${listener} listener failed`)
        }
        if (canCommit && this.#options.autoCommit) {
          await this.commit().catch((error: unknown) => { this.#logger.warn({ err: (error as Error).message }, 'commit before revocation failed') })
        }
        if (canCommit) this.#fetcher.remove(states)
      },
      failed: (cause) => {
        const error = membershipError(this.#options.groupId as string, this.#options.groupInstanceId, cause)
        this.#logger.error({ err: error.message }, 'group membership stopped')
        this.#fetcher.fail(undefined, error)
      },
    }
  }

  #startAutoCommit (): void {
    if (this.#options.groupId === undefined || !this.#options.autoCommit || this.#autoCommit !== undefined) return
    this.#autoCommit = setInterval(() => {
      this.commit().catch((error: unknown) => { this.#logger.warn({ err: (error as Error).message }, 'auto-commit failed') })
    }, this.#options.autoCommitIntervalMs)
    this.#autoCommit.unref()
  }

  #startConsuming (how: string): void {
    this.#checkOpen(how)
    if (this.#consuming) throw new InvalidArgumentError(`${how}: the consumer is already being read (one iterator or run at a time)`)
    this.#consuming = true
  }

  /** The application has held its record or batch for maxPollIntervalMs: the member steps out until it is done. */
  #overdue (done: Promise<void>): void {
    const member = this.#member
    if (member === undefined) return
    const group = this.#options.groupId as string
    this.#options.metrics.counter(POLL_TIMEOUTS).inc({ group })
    member.stepOut(`the application held a record or batch for more than maxPollIntervalMs (${this.#options.maxPollIntervalMs} ms)`, done)
  }

  #processed (state: PartitionState, offset: bigint): void {
    // A partition revoked (or sought) since the record was handed out keeps its new owner's view.
    if (this.#fetcher.get(state.topic, state.partition) === state) state.processed = offset + 1n
  }

  #message (state: PartitionState, record: KafkaRecord): ConsumerMessage<K, V> {
    return {
      topic: state.topic,
      partition: state.partition,
      offset: record.offset,
      key: this.#key(record.key, state.topic),
      value: this.#value(record.value, state.topic),
      headers: record.headers,
      timestamp: record.timestamp,
    }
  }

  #state (tp: TopicPartition, where: string): PartitionState {
    checkPartition(tp, where)
    const state = this.#fetcher.get(tp.topic, tp.partition)
    if (state === undefined) throw new InvalidArgumentError(`${where}: ${tp.topic}-${tp.partition} is not assigned to this consumer`)
    return state
  }

  #checkOpen (where: string): void {
    if (this.#closing !== undefined) throw new ConsumerClosedError(`${where}: the consumer is closing or closed`)
  }
}

function checkPartition (tp: TopicPartition, where: string): void {
  if (typeof tp?.topic !== 'string' || tp.topic === '' || !Number.isInteger(tp.partition) || tp.partition < 0) {
    throw new InvalidArgumentError(`${where}: expected { topic, partition } with a topic name and a partition >= 0, got ${JSON.stringify(tp, (_, v: unknown) => typeof v === 'bigint' ? String(v) : v)}`)
  }
}

function toTarget (target: SeekTarget): OffsetTarget {
  if (target === 'earliest' || target === 'latest') return target
  if (typeof target === 'bigint' && target >= 0n) return target
  if (typeof target === 'number' && Number.isSafeInteger(target) && target >= 0) return BigInt(target)
  if (typeof target === 'object' && target !== null && Number.isFinite(target.timestamp) && target.timestamp >= 0) return { timestamp: target.timestamp }
  throw new InvalidArgumentError(`seek: target must be an offset >= 0, 'earliest', 'latest' or { timestamp: ms >= 0 }, got ${String(target)}`)
}
