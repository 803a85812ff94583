/**
 * One partition number of a processor: the group table's partition and the joined tables'
 * partitions (recovered before any input is processed), and the records of every input topic at
 * that partition, processed one at a time in arrival order. Emits and table writes are sent
 * without waiting, gathered into one producer batch per turn of the event loop (WriteBatch); the
 * offset tracker holds the commit back until they are acknowledged.
 *
 * A send that fails for good (delivery timeout after the producer's retries) restarts only this
 * partition: the callback in progress finishes, queued records are dropped, the sends in flight
 * settle, writes not acknowledged are forgotten, the table is recovered again from the topic (which
 * holds whichever of them were written) and the inputs are read again from the last done record.
 * A failing callback or codec is fatal and reported to the processor.
 */
import type { Consumer } from '../consumer/consumer.ts'
import type { ConsumerBatch, ConsumerMessage } from '../consumer/message.ts'
import type { OffsetToCommit } from '../consumer/group/offsets.ts'
import type { Logger } from '../observability/logger.ts'
import type { Producer } from '../producer/producer.ts'
import { backoffDelay, type BackoffPolicy } from '../resilience/backoff.ts'
import { TimeSlice } from '../resilience/time-slice.ts'
import type { ContextHost } from './context.ts'
import { ProcessingError, VisitAbortedError } from './errors.ts'
import type { Callback, GroupGraph } from './graph.ts'
import { partitionFor } from './hashing.ts'
import { partitionRestarts, processedRecords } from './metrics.ts'
import { OffsetTracker, type TrackedRecord } from './offset-tracker.ts'
import { processRecord, processVisit } from './process-record.ts'
import type { Store, StoreFactory } from './store.ts'
import { TablePartition, type PendingWrite } from './table-partition.ts'
import { TableReader, type TableReaderDeps } from './table-reader.ts'
import { WriteBatch } from './write-batch.ts'

export type PartitionState = 'idle' | 'recovering' | 'running' | 'stopping' | 'stopped'

/** The tag of a table write in the write batch (an emit's tag is its record's tracker entry). */
class TableWriteTag {
  constructor (readonly entry: TrackedRecord, readonly write: PendingWrite) {}
}

export interface WorkerEnv {
  graph: GroupGraph
  producer: Producer
  consumer: Consumer
  partitionCounts: ReadonlyMap<string, number>
  readers: TableReaderDeps
  store: StoreFactory
  lookup: (topic: string, key: string) => Buffer | undefined
  logger: Logger
  maxBufferedRecords: number
  restartBackoff: BackoffPolicy
  fatal: (error: Error) => void
  committable: () => void
  stateChanged: (state: PartitionState) => void
}

interface Visit {
  name: string
  callback: Callback<unknown>
  meta: unknown
  resolve: (visited: number) => void
  reject: (error: Error) => void
}

export interface PartitionStatus {
  partition: number
  state: PartitionState
  processed: number
  /** Table and join records read while recovering (all recoveries of this assignment). */
  recovered: number
  restarts: number
  queued: number
  inFlight: number
  /** Next offset to commit, per input topic. */
  position: Record<string, string>
  lastError?: string
}

export class PartitionWorker {
  readonly partition: number
  readonly #env: WorkerEnv
  #state: PartitionState = 'idle'
  #table: TablePartition | undefined
  readonly #joins = new Map<string, Store>()
  readonly #joinReaders: TableReader[] = []
  #recovering: TableReader | undefined
  #queue: Array<ConsumerMessage<Buffer | null, Buffer | null>> = []
  #queueHead = 0
  #wake: (() => void) | undefined
  #tracker = new OffsetTracker()
  readonly #host: ContextHost<TrackedRecord>
  /** The writes of the records and visits, until each has its outcome (stop and restart wait for all). */
  readonly #writes: WriteBatch<TrackedRecord | TableWriteTag>
  /** Records processed per topic and not yet counted in the metric (counted once per slice, not per record). */
  readonly #unreported = new Map<string, number>()
  /** Visits waiting for their turn between records, and those whose writes are not all acknowledged yet. */
  #visits: Visit[] = []
  readonly #visitsFinishing = new Set<Visit>()
  readonly #firstSeen = new Map<string, bigint>()
  readonly #expected = new Map<string, bigint>()
  readonly #committed = new Map<string, bigint>()
  #paused = false
  /** While a restart waits for its sends: records still arriving from before the seek are dropped. */
  #resetting = false
  #failure: Error | undefined
  #stopping = false
  #loop: Promise<void> | undefined
  #processed = 0
  #recovered = 0
  #restarts = 0
  #lastError: string | undefined

  constructor (env: WorkerEnv, partition: number) {
    this.#env = env
    this.partition = partition
    this.#writes = new WriteBatch(env.producer, {
      delivered: (tag, offset) => {
        if (tag instanceof TableWriteTag) {
          (this.#table as TablePartition).acknowledge(tag.write, offset)
          this.#settle(tag.entry)
        } else this.#settle(tag)
      },
      failed: (error) => {
        this.#failure ??= error
        this.#wakeUp()
      },
    })
    this.#host = this.#makeHost()
  }

  get state (): PartitionState { return this.#state }

  start (): void {
    this.#loop ??= this.#run()
  }

  enqueue (batch: ConsumerBatch<Buffer | null, Buffer | null>): void {
    if (this.#stopping || this.#resetting) return
    const expected = this.#expected.get(batch.topic)
    for (const m of batch.messages) {
      // Records fetched before a restart's seek may still arrive: only what follows the seek counts.
      if (expected !== undefined && m.offset < expected) continue
      if (!this.#firstSeen.has(m.topic)) this.#firstSeen.set(m.topic, m.offset)
      this.#queue.push(m)
    }
    const last = batch.messages[batch.messages.length - 1]
    if (last !== undefined) this.#expected.set(batch.topic, last.offset + 1n)
    if (this.#queued >= this.#env.maxBufferedRecords && !this.#paused) this.#setPaused(true)
    this.#wakeUp()
  }

  /** Input offsets done and not yet committed. */
  committable (): OffsetToCommit[] {
    const list: OffsetToCommit[] = []
    for (const [topic, offset] of this.#tracker.done) {
      if (this.#committed.get(topic) !== offset) list.push({ topic, partition: this.partition, offset })
    }
    return list
  }

  markCommitted (offsets: OffsetToCommit[]): void {
    for (const o of offsets) if (o.partition === this.partition) this.#committed.set(o.topic, o.offset)
  }

  /**
   * Runs visitor `name` on every key of this partition's table, between two records (it sees the
   * table as the records before it left it); resolves with the keys visited once every write the
   * visit made was acknowledged. Rejects with VisitAbortedError if the partition stops or restarts first.
   */
  async visit (name: string, callback: Callback<unknown>, meta: unknown): Promise<number> {
    if (this.#stopping) throw new VisitAbortedError(`visit ${name}: partition ${this.partition} is stopping`)
    return await new Promise<number>((resolve, reject) => {
      this.#visits.push({ name, callback, meta, resolve, reject })
      this.#wakeUp()
    })
  }

  /** Finishes the record in progress, drops the queue, waits for every send in flight; the done offsets stay committable. */
  async stop (): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true
      this.#setState('stopping')
      this.#wakeUp()
      // The recovery in progress ends (its reader closes); #run sees #stopping and returns.
      this.#recovering?.close().catch((error: unknown) => { this.#env.logger.warn({ partition: this.partition, err: (error as Error).message }, 'closing a table reader failed') })
    }
    await this.#loop
    this.#reportProcessed()
    this.#abortVisits(`partition ${this.partition} stopped`)
    await this.#writes.idle()
    this.#table?.flush()
  }

  /** Releases the stores and join readers (after `stop` and the final commit). */
  async close (): Promise<void> {
    await Promise.all(this.#joinReaders.map(async (r) => { await r.close() }))
    this.#table?.store.close()
    for (const store of this.#joins.values()) store.close()
    this.#setState('stopped')
  }

  status (): PartitionStatus {
    return {
      partition: this.partition,
      state: this.#state,
      processed: this.#processed,
      recovered: this.#recovered,
      restarts: this.#restarts,
      queued: this.#queued,
      inFlight: this.#tracker.inFlight,
      position: Object.fromEntries([...this.#tracker.done].map(([t, o]) => [t, String(o)])),
      ...this.#lastError === undefined ? {} : { lastError: this.#lastError },
    }
  }

  get #queued (): number { return this.#queue.length - this.#queueHead }

  async #run (): Promise<void> {
    let attempt = 0
    while (!this.#stopping) {
      try {
        await this.#recover()
        if (this.#stopping) return
        this.#setState('running')
        await this.#process(() => { attempt = 0 })
        return
      } catch (error) {
        if (this.#stopping) return
        if (error instanceof ProcessingError) {
          this.#env.fatal(error)
          return
        }
        attempt++
        this.#restarts++
        partitionRestarts.inc({ group: this.#env.graph.group })
        this.#lastError = (error as Error).message
        const delayMs = backoffDelay(this.#env.restartBackoff, attempt)
        this.#env.logger.warn({ partition: this.partition, attempt, delayMs, err: this.#lastError }, 'processor partition failed: restarting it')
        await this.#reset()
        await this.#sleep(delayMs)
      }
    }
  }

  async #recover (): Promise<void> {
    this.#setState('recovering')
    const { graph, readers, store } = this.#env
    if (graph.table !== undefined) {
      this.#table ??= new TablePartition(store(graph.table.topic, this.partition))
      await this.#read(new TableReader(readers, graph.table.topic, new Map([[this.partition, this.#table.store]]), false))
    }
    for (const topic of graph.joins.keys()) {
      if (this.#joins.has(topic)) continue
      const joined = store(topic, this.partition)
      this.#joins.set(topic, joined)
      const reader = new TableReader(readers, topic, new Map([[this.partition, joined]]), true)
      try {
        await this.#read(reader)
      } catch (error) {
        await reader.close()
        joined.close()
        this.#joins.delete(topic)
        throw error
      }
      this.#joinReaders.push(reader)
    }
  }

  async #read (reader: TableReader): Promise<void> {
    this.#recovering = reader
    try {
      const progress = await reader.recover()
      this.#recovered += progress.records
    } finally {
      this.#recovering = undefined
    }
  }

  async #process (progressed: () => void): Promise<void> {
    // Synchronous callbacks resolve in microtasks: without turns a backlog would hold the event loop.
    const slice = new TimeSlice()
    for (;;) {
      if (this.#stopping) return
      if (this.#failure !== undefined) throw this.#failure
      const visit = this.#visits.shift()
      if (visit !== undefined) {
        this.#reportProcessed()
        await this.#runVisit(visit)
        slice.restart()
        continue
      }
      if (this.#queued === 0) {
        this.#reportProcessed()
        await new Promise<void>((resolve) => { this.#wake = resolve })
        slice.restart()
        continue
      }
      if (slice.due) {
        this.#reportProcessed()
        await slice.turn()
        continue
      }
      const m = this.#queue[this.#queueHead++] as ConsumerMessage<Buffer | null, Buffer | null>
      if (this.#queueHead > 4096 && this.#queueHead * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#queueHead)
        this.#queueHead = 0
      }
      if (this.#paused && this.#queued <= this.#env.maxBufferedRecords / 2) this.#setPaused(false)
      const pending = this.#processOne(m, progressed)
      if (pending !== undefined) await pending
    }
  }

  /** A promise only for an async callback: a synchronous one costs no promise and no microtask turn. */
  #processOne (m: ConsumerMessage<Buffer | null, Buffer | null>, progressed: () => void): Promise<void> | undefined {
    const entry = this.#tracker.add(m.topic, m.offset)
    // The consumer's message is the record the context describes: no copy per record.
    const result = processRecord(this.#host, m, m.value, entry)
    if (result instanceof Promise) return result.then(() => { this.#finished(m, entry, progressed) })
    this.#finished(m, entry, progressed)
    return undefined
  }

  #finished (m: ConsumerMessage<Buffer | null, Buffer | null>, entry: TrackedRecord, progressed: () => void): void {
    this.#processed++
    this.#unreported.set(m.topic, (this.#unreported.get(m.topic) ?? 0) + 1)
    this.#settle(entry, progressed)
  }

  async #runVisit (visit: Visit): Promise<void> {
    const table = this.#table as TablePartition
    const topic = (this.#env.graph.table as { topic: string }).topic
    // One token for the whole visit: it is done once the loop below and every write it made are.
    let visited = 0
    const token: TrackedRecord = { topic, offset: -1n, remaining: 1, done: () => { this.#visitsFinishing.delete(visit); visit.resolve(visited) } }
    this.#visitsFinishing.add(visit)
    const slice = new TimeSlice()
    for (const key of table.keys()) {
      if (this.#stopping || this.#failure !== undefined) return
      const result = processVisit(this.#host, { topic, partition: this.partition, offset: -1n, timestamp: Date.now(), headers: [], key: Buffer.from(key, 'utf8') }, visit.name, visit.callback, visit.meta, token)
      if (result instanceof Promise) await result
      visited++
      if (slice.due) await slice.turn()
    }
    this.#settle(token)
  }

  #abortVisits (why: string): void {
    for (const visit of [...this.#visits, ...this.#visitsFinishing]) visit.reject(new VisitAbortedError(`visit ${visit.name} aborted: ${why}`))
    this.#visits = []
    this.#visitsFinishing.clear()
  }

  #reportProcessed (): void {
    for (const [topic, count] of this.#unreported) processedRecords.inc({ group: this.#env.graph.group, topic }, count)
    this.#unreported.clear()
  }

  /** One host for every record of this partition; each write names its record (the token). */
  #makeHost (): ContextHost<TrackedRecord> {
    const { graph, partitionCounts } = this.#env
    const writes = this.#writes
    // A callback typically writes its record's key twice (table value, then an emit): the key's
    // bytes and its partition in the last topic are made once. The producer keeps the bytes as given.
    let lastKey: string | undefined
    let lastBytes = Buffer.alloc(0)
    let lastTopic: string | undefined
    let lastPartition = 0
    const bytesOf = (key: string): Buffer => {
      if (key !== lastKey) {
        lastKey = key
        lastBytes = Buffer.from(key, 'utf8')
        lastTopic = undefined
      }
      return lastBytes
    }
    const partitionOf = (topic: string, key: string): number => {
      const bytes = bytesOf(key)
      if (topic !== lastTopic) {
        lastTopic = topic
        lastPartition = partitionFor(graph.hasher, bytes, partitionCounts.get(topic) as number)
      }
      return lastPartition
    }
    return {
      graph,
      tableGet: (key) => this.#table?.get(key),
      tableSet: (entry, key, value) => {
        const write = (this.#table as TablePartition).write(key, value)
        entry.remaining++
        writes.add({ topic: (graph.table as { topic: string }).topic, partition: this.partition, key: bytesOf(key), value }, new TableWriteTag(entry, write))
      },
      send: (entry, topic, key, value) => {
        entry.remaining++
        const record = key === null
          ? { topic, key: null, value }
          : { topic, key: bytesOf(key), value, partition: partitionOf(topic, key) }
        writes.add(record, entry)
      },
      joinGet: (topic, key) => this.#joins.get(topic)?.get(key),
      lookupGet: (topic, key) => this.#env.lookup(topic, key),
      defer: (entry) => {
        entry.remaining++
        let called = false
        return () => {
          if (called) return
          called = true
          this.#settle(entry)
        }
      },
    }
  }

  #settle (entry: TrackedRecord, progressed?: () => void): void {
    if (this.#tracker.settle(entry)) {
      progressed?.()
      this.#env.committable()
    }
    if (entry.done !== undefined && entry.remaining === 0) entry.done()
  }

  /** After a failure: nothing queued or in flight, writes not acknowledged forgotten, inputs sought back to the last done record. */
  async #reset (): Promise<void> {
    this.#resetting = true
    this.#queue = []
    this.#queueHead = 0
    this.#abortVisits(`partition ${this.partition} restarted after ${this.#lastError ?? 'a failure'}`)
    await this.#writes.idle()
    this.#resetting = false
    this.#failure = undefined
    this.#tracker.dropPending()
    this.#table?.discardPending()
    for (const [topic, first] of this.#firstSeen) {
      const from = this.#tracker.done.get(topic) ?? first
      this.#expected.set(topic, from)
      try {
        // The seek takes effect at once; its promise only reports the offset.
        this.#env.consumer.seek({ topic, partition: this.partition }, from).catch(() => {})
      } catch (error) {
        // Revoked meanwhile: the next owner starts at the committed offset.
        this.#env.logger.debug({ topic, partition: this.partition, err: (error as Error).message }, 'seek after restart skipped')
      }
    }
    if (this.#paused) this.#setPaused(false)
  }

  async #sleep (ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.#wake = () => { clearTimeout(timer); resolve() }
    })
  }

  #wakeUp (): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  #setPaused (paused: boolean): void {
    const tps = [...this.#env.graph.inputs.keys()].map((topic) => ({ topic, partition: this.partition }))
    try {
      if (paused) this.#env.consumer.pause(tps)
      else this.#env.consumer.resume(tps)
      this.#paused = paused
    } catch (error) {
      this.#env.logger.debug({ partition: this.partition, err: (error as Error).message }, 'pause/resume skipped (partition not assigned)')
    }
  }

  #setState (state: PartitionState): void {
    if (this.#state === state) return
    this.#state = state
    this.#env.stateChanged(state)
  }
}
