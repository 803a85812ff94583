/**
 * The consumer's read path below the public API: the assigned partitions, one BrokerFetcher per
 * leader, and the placement loop that finds positions (ListOffsets) and leaders (metadata) for
 * partitions that lack them. A partition whose leader moved, or whose broker stopped answering,
 * leaves its loop and is placed again once metadata names a leader; every other partition keeps
 * being fetched meanwhile. Fetched records wait in their partition's buffer; partitions with
 * records queue in arrival order and are handed out a chunk at a time, round robin.
 *
 * Errors that stop a partition (autoOffsetReset 'none', authorization, a corrupt batch) are
 * queued and thrown by the next `take`, so the application sees them in order with its data.
 */
import type { Cluster } from '../cluster/cluster.ts'
import type { ClusterMetadata } from '../cluster/metadata.ts'
import type { Logger } from '../observability/logger.ts'
import { backoffDelay, resolveBackoff } from '../resilience/backoff.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { retry } from '../resilience/retry.ts'
import { TimeSlice } from '../resilience/time-slice.ts'
import type { KafkaRecord } from '../protocol/records/types.ts'
import { BrokerFetcher, type FetchHost } from './broker-fetcher.ts'
import { OffsetOutOfRangeError, PartitionFetchError } from './errors.ts'
import { partitionVerdict, type PartitionVerdict } from './faults.ts'
import { FETCHED_RECORDS } from './metrics.ts'
import { Notifier, waitFor } from './notifier.ts'
import { lookupOffsets, type LookupItem } from './offset-lookup.ts'
import type { ResolvedConsumerOptions } from './options.ts'
import type { PartitionRecords } from './partition-data.ts'
import { tpKey } from '../cluster/topic-partition.ts'
import { PartitionState, type OffsetTarget } from './partition-state.ts'

/** A partition the cluster does not know for this long stops with an error (the topic may have been deleted). */
const UNKNOWN_PARTITION_LIMIT_MS = 60_000

export interface TakenChunk {
  state: PartitionState
  records: KafkaRecord[]
  highWatermark: bigint
}

export class FetchManager implements FetchHost {
  readonly cluster: Cluster
  readonly options: ResolvedConsumerOptions
  readonly logger: Logger
  readonly #partitions = new Map<string, PartitionState>()
  readonly #loops = new Map<number, BrokerFetcher>()
  /** Partitions holding records, in the order their records arrived (each at most once). */
  readonly #withData = new Set<PartitionState>()
  /** Errors to throw from `take`, with the partition they stopped (dropped when it is sought or removed). */
  #errors: Array<{ state: PartitionState | undefined, error: Error }> = []
  readonly #dataReady = new Notifier()
  readonly #abort = new AbortController()
  /** How long `take` has handed out buffered records since the event loop last turned. */
  readonly #handoutSlice = new TimeSlice()
  /** Set when a partition failed in a way that means our metadata is stale. */
  #staleMetadata = false
  #placing: Promise<void> | undefined
  #placeAgain = false
  readonly #unknownSince = new Map<PartitionState, number>()
  /** Told when a partition reaches its end: every fetched record handed out, the fetch position at the end of the log. */
  onEnd: ((state: PartitionState, offset: bigint) => void) | undefined
  /** Where each partition's log ended in its last Fetch answer. */
  readonly #ends = new Map<PartitionState, bigint>()

  constructor (cluster: Cluster, options: ResolvedConsumerOptions, logger: Logger) {
    this.cluster = cluster
    this.options = options
    this.logger = logger
  }

  /** Bytes fetched and not yet handed to the application, over every partition. */
  get bufferedBytes (): number {
    let total = 0
    for (const state of this.#partitions.values()) total += state.bufferedBytes
    return total
  }

  get partitions (): ReadonlyMap<string, PartitionState> {
    return this.#partitions
  }

  get (topic: string, partition: number): PartitionState | undefined {
    return this.#partitions.get(tpKey(topic, partition))
  }

  /** Adds partitions, each starting from its target (an offset, or a lookup). */
  add (items: Array<{ topic: string, partition: number, target: OffsetTarget }>): void {
    for (const { topic, partition, target } of items) {
      const key = tpKey(topic, partition)
      if (this.#partitions.has(key)) continue
      const state = new PartitionState(topic, partition)
      state.resolve(target)
      this.#partitions.set(key, state)
    }
    this.#schedulePlacement()
  }

  /** Removes partitions: their buffered records are dropped and their Fetches in flight ignored. */
  remove (states: Iterable<PartitionState>): void {
    for (const state of states) {
      this.#dropErrors(state)
      this.#leaveLoop(state)
      state.clearBuffer()
      this.#withData.delete(state)
      this.#unknownSince.delete(state)
      this.#ends.delete(state)
      this.#partitions.delete(state.key)
      state.settlePosition(undefined)
    }
  }

  seek (state: PartitionState, target: OffsetTarget): void {
    this.#dropErrors(state)
    this.#leaveLoop(state)
    this.#withData.delete(state)
    state.resolve(target)
    this.#schedulePlacement()
  }

  pause (state: PartitionState): void {
    state.paused = true
    this.#withData.delete(state)
  }

  resume (state: PartitionState): void {
    if (!state.paused) return
    state.paused = false
    if (state.hasData) this.#queueData(state)
    this.#loops.get(state.leader)?.wake()
  }

  /**
   * The next chunk of records (up to `max`) from the partition whose records have waited
   * longest; waits until one arrives, `signal` aborts (undefined) or an error is queued (thrown).
   */
  async take (max: number, signal: AbortSignal): Promise<TakenChunk | undefined> {
    for (;;) {
      // Buffered records are handed out without waiting for I/O; with a handler that does not
      // wait either, heartbeats (and everything else) would wait for the whole buffer.
      if (this.#handoutSlice.due) await this.#handoutSlice.turn()
      const failure = this.#errors.shift()
      if (failure !== undefined) throw failure.error
      const wakeup = this.#dataReady.next()
      const state = this.#withData.values().next().value
      if (state !== undefined) {
        this.#withData.delete(state)
        const wasFull = state.bufferedBytes >= this.options.maxBufferedBytesPerPartition
        const taken = state.take(max) as NonNullable<ReturnType<PartitionState['take']>>
        if (state.hasData) this.#queueData(state)
        else this.#checkEnd(state)
        if (wasFull && state.bufferedBytes < this.options.maxBufferedBytesPerPartition) this.#loops.get(state.leader)?.wake()
        return { state, ...taken }
      }
      if (signal.aborted || this.#abort.signal.aborted) return undefined
      await waitFor(wakeup, undefined, AbortSignal.any([signal, this.#abort.signal]))
      this.#handoutSlice.restart()
    }
  }

  /** Surfaces an error through `take`; with a partition, that partition stops until it is sought. */
  fail (state: PartitionState | undefined, error: Error): void {
    if (state !== undefined) {
      this.#stop(state, error)
      return
    }
    this.#errors.push({ state: undefined, error })
    this.#dataReady.notify()
  }

  /** Stops every loop; buffered records are dropped. */
  async close (): Promise<void> {
    this.#abort.abort()
    this.#dataReady.notify()
    await Promise.all([...this.#loops.values()].map(async (loop) => { await loop.stop() }))
    await this.#placing?.catch(() => {})
  }

  // FetchHost: called by the broker loops.

  received (state: PartitionState, data: PartitionRecords, highWatermark: bigint, bytes: number, end: bigint, readReplica: number): void {
    state.fetchOffset = data.nextOffset
    state.failures = 0
    this.#unknownSince.delete(state)
    this.#ends.set(state, end)
    this.#followReadReplica(state, readReplica)
    if (data.records.length === 0) {
      this.#checkEnd(state)
      return
    }
    state.atEnd = false
    state.chunks.push({ records: data.records, next: 0, bytes, highWatermark })
    state.bufferedBytes += bytes
    this.options.metrics.counter(FETCHED_RECORDS).inc({ topic: state.topic }, data.records.length)
    if (!state.paused) this.#queueData(state)
  }

  partitionFailed (state: PartitionState, verdict: PartitionVerdict, error: unknown, hint?: { leaderId: number, leaderEpoch: number }): void {
    this.logger.debug({ partition: state.label, verdict, err: (error as Error).message }, 'partition fetch failed')
    // A read replica that fails the partition in any way (out of range included: a follower can
    // lag behind the leader's log) sends it back to its leader, as Java does, before any reset.
    if (state.followerUntil > 0 && verdict !== 'backoff') {
      this.#leaveReplica(state, (error as Error).message)
      return
    }
    switch (verdict) {
      case 'move':
        this.#move(state, hint)
        return
      case 'reset':
        this.#reset(state)
        return
      case 'backoff': {
        state.failures++
        const policy = resolveBackoff({ initialDelayMs: this.options.retryBackoffMs, maxDelayMs: this.options.retryBackoffMaxMs, deadlineMs: undefined, maxAttempts: Number.MAX_SAFE_INTEGER })
        state.retryAt = Date.now() + backoffDelay(policy, state.failures)
        this.#loops.get(state.leader)?.wake()
        return
      }
      case 'stop':
        this.#stop(state, error instanceof OffsetOutOfRangeError ? error : new PartitionFetchError(state.topic, state.partition, error))
    }
  }

  async brokerFailed (nodeId: number): Promise<void> {
    const loop = this.#loops.get(nodeId)
    // Partitions read from a replica go back to their leaders without waiting for metadata.
    for (const state of [...loop?.partitions ?? []]) if (state.followerUntil > 0) this.#leaveReplica(state, `broker ${nodeId} failed`)
    const metadata = await this.cluster.refreshMetadata(this.#topics())
    if (loop === undefined) return
    for (const state of [...loop.partitions]) {
      const leader = leaderOf(metadata, state)
      if (leader?.leader !== nodeId) this.#move(state, undefined)
    }
  }

  /**
   * KIP-392: the leader named a replica to read from (for this consumer's clientRack): the
   * partition moves to that broker's loop, at the position just reached, for metadataMaxAgeMs;
   * then it goes back to its leader, which may name another. Any failure there moves it back at
   * once (partitionFailed, brokerFailed).
   */
  #followReadReplica (state: PartitionState, readReplica: number): void {
    const now = Date.now()
    if (state.followerUntil > 0) {
      if (now >= state.followerUntil) this.#move(state, undefined)
      return
    }
    if (readReplica < 0 || readReplica === state.leader || this.cluster.cachedMetadata?.brokers.has(readReplica) !== true) return
    if (state.avoid !== undefined && state.avoid.replica === readReplica && now < state.avoid.until) return
    this.logger.debug({ partition: state.label, leader: state.leader, replica: readReplica }, 'reading from the replica the leader named')
    this.#leaveLoop(state)
    state.followerUntil = now + this.options.metadataMaxAgeMs
    this.#loop(readReplica).add(state)
  }

  /**
   * The read replica failed the partition: back to its leader at once, and that replica is not
   * read from again for metadataMaxAgeMs (its leader names it until it notices it is gone).
   */
  #leaveReplica (state: PartitionState, why: string): void {
    this.logger.info({ partition: state.label, replica: state.leader, err: why }, 'read replica failed: reading from the leader')
    state.avoid = { replica: state.leader, until: Date.now() + this.options.metadataMaxAgeMs }
    this.#move(state, undefined)
  }

  #move (state: PartitionState, hint: { leaderId: number, leaderEpoch: number } | undefined): void {
    this.#leaveLoop(state)
    state.status = 'unplaced'
    // Fetch v12+ names the new leader when the old one knows it: go there at once. Only a newer
    // epoch than ours is news; anything else would send the partition straight back to the error.
    if (hint !== undefined && hint.leaderEpoch > state.leaderEpoch && this.cluster.cachedMetadata?.brokers.has(hint.leaderId) === true) {
      state.leaderEpoch = hint.leaderEpoch
      this.#loop(hint.leaderId).add(state)
      return
    }
    this.#staleMetadata = true
    this.#schedulePlacement()
  }

  #reset (state: PartitionState): void {
    const policy = this.options.autoOffsetReset
    if (policy === 'none') {
      this.#stop(state, new OffsetOutOfRangeError(state.topic, state.partition, state.fetchOffset))
      return
    }
    this.logger.warn({ partition: state.label, offset: String(state.fetchOffset), autoOffsetReset: policy }, 'fetch offset out of range: resetting')
    this.#leaveLoop(state)
    // Records already fetched are still valid: only the position is looked up again.
    state.version++
    state.target = policy
    state.status = 'resolving'
    this.#schedulePlacement()
  }

  #stop (state: PartitionState, error: Error): void {
    this.#leaveLoop(state)
    state.status = 'stopped'
    state.version++
    state.settlePosition(undefined)
    this.#errors.push({ state, error })
    this.#dataReady.notify()
  }

  /** A partition sought or removed after an error: the error no longer describes it. */
  #dropErrors (state: PartitionState): void {
    this.#errors = this.#errors.filter((e) => e.state !== state)
  }

  /** Reports the end once per arrival at it (a seek or new records start over). */
  #checkEnd (state: PartitionState): void {
    const end = this.#ends.get(state)
    if (state.atEnd || state.hasData || end === undefined || state.fetchOffset < end) return
    state.atEnd = true
    this.onEnd?.(state, state.fetchOffset)
  }

  #leaveLoop (state: PartitionState): void {
    this.#loops.get(state.leader)?.remove(state)
    state.leader = -1
    state.followerUntil = 0
    state.version++
  }

  #queueData (state: PartitionState): void {
    this.#withData.add(state)
    this.#dataReady.notify()
  }

  #loop (nodeId: number): BrokerFetcher {
    let loop = this.#loops.get(nodeId)
    if (loop === undefined) {
      loop = new BrokerFetcher(this, nodeId)
      this.#loops.set(nodeId, loop)
    }
    return loop
  }

  #topics (): string[] {
    return [...new Set([...this.#partitions.values()].map((s) => s.topic))]
  }

  /** Runs the placement loop, or asks the running one to go round again. */
  #schedulePlacement (): void {
    if (this.#abort.signal.aborted) return
    if (this.#placing !== undefined) {
      this.#placeAgain = true
      return
    }
    this.#placing = (async () => {
      try {
        do {
          this.#placeAgain = false
          await retry(async () => { await this.#place() }, {
            component: 'consumer',
            operation: 'place-partitions',
            logger: this.logger,
            metrics: this.options.metrics,
            signal: this.#abort.signal,
            policy: { initialDelayMs: this.options.retryBackoffMs, maxDelayMs: this.options.retryBackoffMaxMs, maxAttempts: Number.MAX_SAFE_INTEGER, deadlineMs: undefined },
          })
        } while (this.#placeAgain && !this.#abort.signal.aborted)
      } catch (error) {
        if (!this.#abort.signal.aborted) this.logger.error({ err: (error as Error).message }, 'partition placement stopped')
      } finally {
        this.#placing = undefined
      }
    })()
  }

  /**
   * One round: metadata for the assigned topics (fresh when a partition lost its leader), a
   * position for every partition that needs one, and a loop for every partition with a leader.
   * Throws (so the retry loop backs off and goes again) while some partition is left waiting.
   */
  async #place (): Promise<void> {
    const pending = (): PartitionState[] => [...this.#partitions.values()].filter((s) => s.status === 'resolving' || s.status === 'unplaced')
    if (pending().length === 0) return
    const topics = this.#topics()
    const stale = this.#staleMetadata
    this.#staleMetadata = false
    const metadata = stale ? await this.cluster.refreshMetadata(topics) : await this.cluster.metadata(topics)
    const lookups: Array<{ state: PartitionState, item: LookupItem }> = []
    for (const state of pending()) {
      const info = leaderOf(metadata, state)
      if (info === undefined) { this.#unknown(state); continue }
      this.#unknownSince.delete(state)
      if (info.leader < 0 || !metadata.brokers.has(info.leader)) continue
      state.leaderEpoch = info.leaderEpoch
      if (state.status === 'resolving' && typeof state.target !== 'bigint') {
        lookups.push({ state, item: { topic: state.topic, partition: state.partition, leader: info.leader, leaderEpoch: info.leaderEpoch, target: state.target } })
      } else {
        this.#loop(info.leader).add(state)
      }
    }
    if (lookups.length > 0) {
      const versions = new Map(lookups.map((l) => [l.state, l.state.version]))
      const results = await lookupOffsets(this.cluster, lookups.map((l) => l.item), this.options.isolationLevel, this.#abort.signal)
      for (const result of results) {
        const { state } = lookups.find((l) => l.item === result.item) as { state: PartitionState }
        // Sought again (or removed) while the lookup was out: the newer target wins.
        if (state.version !== versions.get(state) || state.status !== 'resolving' || !this.#partitions.has(state.key)) continue
        if ('offset' in result) {
          if (result.offset < 0n) {
            // No record at or after the timestamp: the end of the log, as if sought 'latest'.
            state.target = 'latest'
            continue
          }
          state.fetchOffset = result.offset
          this.#loop(result.item.leader).add(state)
        } else if ('errorCode' in result) {
          const verdict = partitionVerdict(result.errorCode)
          if (verdict === 'stop') this.#stop(state, new PartitionFetchError(state.topic, state.partition, kafkaError(result.errorCode, `ListOffsets ${state.label}`)))
          else this.#staleMetadata = true
        } else {
          this.#staleMetadata = true
        }
      }
    }
    const left = pending()
    if (left.length > 0) {
      this.#staleMetadata = true
      throw kafkaError(KafkaErrorCode.LEADER_NOT_AVAILABLE, `${left.length} partition(s) wait for a leader or a position (${left.slice(0, 5).map((s) => s.label).join(', ')})`)
    }
  }

  #unknown (state: PartitionState): void {
    const since = this.#unknownSince.get(state) ?? Date.now()
    this.#unknownSince.set(state, since)
    if (Date.now() - since >= UNKNOWN_PARTITION_LIMIT_MS) {
      this.#unknownSince.delete(state)
      this.#stop(state, new PartitionFetchError(state.topic, state.partition, kafkaError(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `metadata for ${state.label} for ${UNKNOWN_PARTITION_LIMIT_MS / 1000} s`)))
    }
  }
}

function leaderOf (metadata: ClusterMetadata, state: PartitionState): { leader: number, leaderEpoch: number } | undefined {
  const topic = metadata.topics.get(state.topic)
  if (topic === undefined || topic.errorCode !== KafkaErrorCode.NONE) return undefined
  return topic.partitions.find((p) => p.partition === state.partition)
}
