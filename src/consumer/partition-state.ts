/**
 * Everything the consumer knows about one assigned partition: where to fetch next, what it has
 * fetched and not yet handed to the application (in chunks, one per Fetch answer, each counted
 * by the bytes of its records field), what the application has finished, and where the
 * partition is in its life: waiting for a position, waiting for a leader, in a broker's fetch
 * loop, or stopped by an error until the application seeks it.
 */
import { tpKey } from '../cluster/topic-partition.ts'
import type { KafkaRecord } from '../protocol/records/types.ts'

/** How to find a position: an offset, or a ListOffsets lookup. */
export type OffsetTarget = bigint | 'earliest' | 'latest' | { timestamp: number }

export type PartitionStatus =
  | 'resolving' // needs a ListOffsets (or committed-offset) lookup before it can fetch
  | 'unplaced' // has a position, waits for metadata to name its leader
  | 'placed' // in its leader's fetch loop
  | 'stopped' // an error was surfaced; waits for a seek

export interface Chunk {
  records: KafkaRecord[]
  /** Index of the next record to hand over. */
  next: number
  bytes: number
  highWatermark: bigint
}

export class PartitionState {
  readonly topic: string
  readonly partition: number
  readonly key: string
  status: PartitionStatus = 'resolving'
  /** What a 'resolving' partition looks up. */
  target: OffsetTarget = 'latest'
  /** Next offset to fetch. */
  fetchOffset = -1n
  /** Leader epoch from metadata (or a Fetch answer's currentLeader), -1 when unknown. */
  leaderEpoch = -1
  /** Node id of the fetch loop the partition is in (its leader, or the replica it named), -1 when none. */
  leader = -1
  /** In the loop of a read replica the leader named (KIP-392) until this time (ms); 0 when read from its leader. */
  followerUntil = 0
  /** A read replica that failed this partition, not read from again before `avoid.until` (ms): a leader may go on naming it. */
  avoid: { replica: number, until: number } | undefined
  /** Bumped by every seek, reset and move: a Fetch answer for an older version is dropped. */
  version = 0
  paused = false
  /** Not fetched before this time (ms) after a transient error. */
  retryAt = 0
  /** Consecutive transient errors, for the backoff. */
  failures = 0
  readonly chunks: Chunk[] = []
  bufferedBytes = 0
  /** Offset after the last record handed to the application; undefined before the first. */
  delivered: bigint | undefined
  /** Offset after the last record the application has finished; what a commit sends. */
  processed: bigint | undefined
  /** Last committed offset known (sent or fetched), to skip commits that change nothing. */
  committed: bigint | undefined
  /** The end of the partition was reported and nothing was fetched since (reported once per arrival). */
  atEnd = false

  /** Callers of `whenPositioned`, told once a lookup has found the position (undefined: it never will). */
  #positionWaiters: Array<(offset: bigint | undefined) => void> = []

  constructor (topic: string, partition: number) {
    this.topic = topic
    this.partition = partition
    this.key = tpKey(topic, partition)
  }

  get label (): string {
    return `${this.topic}-${this.partition}`
  }

  get hasData (): boolean {
    return this.chunks.length > 0
  }

  /** Drops what was fetched and not handed over, and invalidates Fetches in flight. */
  clearBuffer (): void {
    this.chunks.length = 0
    this.bufferedBytes = 0
    this.atEnd = false
    this.version++
  }

  /** The next position is found by `target` before fetching resumes. */
  resolve (target: OffsetTarget): void {
    this.clearBuffer()
    if (typeof target === 'bigint') {
      this.fetchOffset = target
      this.status = 'unplaced'
    } else {
      this.target = target
      this.status = 'resolving'
    }
    this.failures = 0
    this.retryAt = 0
  }

  /** Resolves with the fetch position once it is known; undefined when the partition stops or leaves first. */
  whenPositioned (): Promise<bigint | undefined> {
    if (this.status === 'placed' || (this.status === 'unplaced' && this.fetchOffset >= 0n)) return Promise.resolve(this.fetchOffset)
    if (this.status === 'stopped') return Promise.resolve(undefined)
    return new Promise((resolve) => { this.#positionWaiters.push(resolve) })
  }

  settlePosition (offset: bigint | undefined): void {
    const waiters = this.#positionWaiters
    this.#positionWaiters = []
    for (const resolve of waiters) resolve(offset)
  }

  /** Takes up to `max` records from the oldest chunk; the chunk's bytes are released when it is empty. */
  take (max: number): { records: KafkaRecord[], highWatermark: bigint } | undefined {
    const chunk = this.chunks[0]
    if (chunk === undefined) return undefined
    const records = chunk.records.slice(chunk.next, chunk.next + max)
    chunk.next += records.length
    if (chunk.next >= chunk.records.length) {
      this.chunks.shift()
      this.bufferedBytes -= chunk.bytes
    }
    const last = records[records.length - 1]
    if (last !== undefined) this.delivered = last.offset + 1n
    return { records, highWatermark: chunk.highWatermark }
  }
}
