/**
 * The processor: runs a group graph as a member of the consumer group named after it. The
 * co-partitioning assignor gives this member the same partition numbers of every input; for each
 * one a PartitionWorker recovers the table partition (and joined tables) into the local store and
 * then processes the partition's records in order, partitions in parallel. Input offsets are
 * committed every `commitIntervalMs` (and on revocation and stop), each only once its record's
 * callback finished and everything it emitted or wrote was acknowledged.
 *
 * Faults: leader elections, broker loss and coordinator moves are absorbed by the consumer and
 * producer (they retry until their deadlines); a partition whose sends still fail is restarted
 * alone, with backoff, while the others keep running. A callback or codec failure, a fatal group
 * error or a bad graph stops the processor: `run` rejects with the error, which names the partition
 * and offset for a record.
 */
import { EventEmitter } from 'node:events'
import { Admin } from '../admin/admin.ts'
import { Cluster } from '../cluster/cluster.ts'
import { Consumer } from '../consumer/consumer.ts'
import type { ConsumerBatch, TopicPartition } from '../consumer/message.ts'
import type { ConsumerOptions } from '../consumer/options.ts'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { Producer } from '../producer/producer.ts'
import type { ProducerOptions } from '../producer/options.ts'
import { resolveBackoff, type BackoffPolicy } from '../resilience/backoff.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { copartitionedAssignor } from './assignor.ts'
import { VisitAbortedError } from './errors.ts'
import type { GroupGraph } from './graph.ts'
import { PartitionWorker, type PartitionStatus } from './partition-worker.ts'
import { memoryStore, type StoreFactory } from './store.ts'
import { prepareTopics, type TopicCreation } from './topics.ts'
import { View } from './view.ts'

export type ProcessorState = 'idle' | 'recovering' | 'running' | 'stopping' | 'stopped'

export interface ProcessorOptions {
  bootstrap?: string | string[]
  /** An existing cluster client to share (the processor does not close it). */
  cluster?: Cluster
  clientId?: string
  /** Local storage of table partitions. Default: in memory. */
  store?: StoreFactory
  /** Create missing loop, table and output topics (else they are an error). */
  createTopics?: boolean | TopicCreation
  /** How often done input offsets are committed. Default 1000 ms. */
  commitIntervalMs?: number
  /** Records a partition holds before its fetching pauses. Default 10 000. */
  maxBufferedRecordsPerPartition?: number
  /** Delays between restarts of a failing partition (only the delays are used: a partition is restarted for as long as the processor runs). Default 500 ms doubling to 30 s. */
  restartBackoff?: Partial<BackoffPolicy>
  /** Consumer tuning (fetch sizes and waits, session timeouts); group, offsets and commits are the processor's. */
  consumer?: Partial<ConsumerOptions>
  /** Producer tuning (linger, batch size, compression, delivery timeout). */
  producer?: Partial<ProducerOptions>
  logger?: Logger
}

export interface ProcessorStatus {
  group: string
  state: ProcessorState
  error?: string
  partitions: PartitionStatus[]
}

const KNOWN = new Set(['bootstrap', 'cluster', 'clientId', 'store', 'createTopics', 'commitIntervalMs', 'maxBufferedRecordsPerPartition', 'restartBackoff', 'consumer', 'producer', 'logger'])
const OWNED_CONSUMER_OPTIONS = ['groupId', 'autoCommit', 'assignors', 'autoOffsetReset', 'cluster', 'bootstrap', 'keyDeserializer', 'valueDeserializer']

function checkInteger (value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(`processor option ${name} must be an integer from ${min} to ${max}, got ${String(value)}`)
  }
  return value as number
}

/**
 * Events: `state` (ProcessorState), `commit` (offsets committed), `partition-state`
 * ({ partition, state }).
 */
export class Processor extends EventEmitter {
  readonly graph: GroupGraph
  readonly #options: ProcessorOptions
  readonly #logger: Logger
  readonly #commitIntervalMs: number
  readonly #maxBuffered: number
  readonly #restartBackoff: BackoffPolicy
  readonly #workers = new Map<number, PartitionWorker>()
  readonly #views = new Map<string, View>()
  #state: ProcessorState = 'idle'
  #cluster: Cluster | undefined
  #admin: Admin | undefined
  #producer: Producer | undefined
  #consumer: Consumer | undefined
  #counts: Map<string, number> = new Map()
  #commitTimer: NodeJS.Timeout | undefined
  #committing: Promise<void> = Promise.resolve()
  #commitWanted = false
  #error: Error | undefined
  #failed: ((error: Error) => void) | undefined
  #stopRequested: Promise<void> | undefined
  #running: Promise<void> | undefined
  #assignedOnce = false

  constructor (graph: GroupGraph, options: ProcessorOptions) {
    super()
    for (const key of Object.keys(options ?? {})) if (!KNOWN.has(key)) throw new InvalidArgumentError(`processor option ${key} is unknown (known: ${[...KNOWN].join(', ')})`)
    if (options.cluster === undefined && options.bootstrap === undefined) throw new InvalidArgumentError('processor options: give bootstrap or cluster')
    for (const key of OWNED_CONSUMER_OPTIONS) {
      if (options.consumer !== undefined && key in options.consumer) throw new InvalidArgumentError(`processor option consumer.${key} is set by the processor and cannot be given`)
    }
    if (options.store !== undefined && typeof options.store !== 'function') throw new InvalidArgumentError('processor option store must be a store factory (memoryStore, sqliteStore(dir))')
    this.graph = graph
    this.#options = options
    this.#logger = (options.logger ?? rootLogger()).child({ component: 'processor', group: graph.group })
    this.#commitIntervalMs = checkInteger(options.commitIntervalMs, 'commitIntervalMs', 10, 600_000) ?? 1000
    this.#maxBuffered = checkInteger(options.maxBufferedRecordsPerPartition, 'maxBufferedRecordsPerPartition', 1, 10_000_000) ?? 10_000
    this.#restartBackoff = resolveBackoff({ initialDelayMs: 500, maxDelayMs: 30_000, ...options.restartBackoff })
  }

  get state (): ProcessorState { return this.#state }

  /** The processor and each of its partitions, for the agent's page and for tests. */
  status (): ProcessorStatus {
    return {
      group: this.graph.group,
      state: this.#state,
      ...this.#error === undefined ? {} : { error: this.#error.message },
      partitions: [...this.#workers.values()].sort((a, b) => a.partition - b.partition).map((w) => w.status()),
    }
  }

  /**
   * Checks the topics (creating what `createTopics` allows), joins the group and processes until
   * `stop` (resolves) or a fatal error (rejects with it, after committing what was done).
   */
  async run (): Promise<void> {
    if (this.#running !== undefined) throw new InvalidArgumentError(`processor ${this.graph.group}: run was already called`)
    this.#running = this.#run()
    await this.#running
  }

  async #run (): Promise<void> {
    const failed = new Promise<never>((_resolve, reject) => { this.#failed = reject })
    failed.catch(() => {})
    try {
      this.#setState('recovering')
      const options = this.#options
      this.#cluster = options.cluster ?? new Cluster({ bootstrap: options.bootstrap as string | string[], clientId: options.clientId ?? `steadfast-processor-${this.graph.group}`, logger: this.#logger })
      this.#admin = new Admin({ cluster: this.#cluster, logger: this.#logger })
      const create = options.createTopics === true ? {} : options.createTopics === false ? undefined : options.createTopics
      this.#counts = await prepareTopics(this.#admin, this.graph, create)
      for (const [topic, codec] of this.graph.lookups) {
        const view = new View(topic, codec, { cluster: this.#cluster, hasher: this.graph.hasher, consumer: options.consumer, logger: this.#logger })
        this.#views.set(topic, view)
        await view.start()
      }
      if (this.#stopRequested !== undefined) return
      this.#producer = new Producer({ ...options.producer, cluster: this.#cluster, logger: this.#logger })
      this.#consumer = new Consumer({
        ...options.consumer,
        cluster: this.#cluster,
        logger: this.#logger,
        groupId: this.graph.group,
        autoCommit: false,
        autoOffsetReset: 'earliest',
        assignors: [copartitionedAssignor],
      })
      const consumer = this.#consumer
      consumer.subscribe([...this.graph.inputs.keys()], {
        onAssigned: (partitions) => { this.#assigned(partitions) },
        onRevoked: async () => { await this.#revoked() },
      })
      this.#commitTimer = setInterval(() => { this.#commitSoon() }, this.#commitIntervalMs)
      this.#commitTimer.unref()
      await Promise.race([consumer.run({ eachBatch: (batch) => { this.#deliver(batch) } }), failed])
    } catch (error) {
      this.#error ??= error as Error
    } finally {
      await this.#shutdown()
    }
    if (this.#error !== undefined) throw this.#error
  }

  /**
   * Runs visitor `name` (a `visitor(name, callback)` edge) on every key of every table partition
   * this member holds, with `meta` as the callback's value, in order with the records of each
   * partition (Goka's VisitAll). Resolves with the number of keys visited once every write the
   * visits made was acknowledged; rejects with VisitAbortedError when the processor is not running
   * or a partition is revoked or restarted meanwhile (visit again: a key may then be visited twice).
   */
  async visitAll (name: string, meta?: unknown): Promise<number> {
    const callback = this.graph.visitors.get(name)
    if (callback === undefined) throw new InvalidArgumentError(`visitAll: group ${this.graph.group} has no visitor ${name} (visitors: ${[...this.graph.visitors.keys()].join(', ') || 'none'})`)
    if (this.#state !== 'running' && this.#state !== 'recovering') throw new VisitAbortedError(`visit ${name}: processor ${this.graph.group} is ${this.#state}`)
    const visited = await Promise.all([...this.#workers.values()].map(async (w) => await w.visit(name, callback, meta)))
    return visited.reduce((a, b) => a + b, 0)
  }

  /** Finishes the records in progress, commits, leaves the group; `run` then resolves. */
  async stop (): Promise<void> {
    this.#stopRequested ??= (async () => {
      this.#setState('stopping')
      await this.#consumer?.close()
    })()
    await this.#stopRequested
    await this.#running?.catch(() => {})
  }

  async #shutdown (): Promise<void> {
    this.#setState('stopping')
    clearInterval(this.#commitTimer)
    // Closing the consumer revokes the partitions: workers stop, done offsets are committed.
    await this.#consumer?.close().catch((error: unknown) => { this.#logger.warn({ err: (error as Error).message }, 'consumer close failed') })
    await this.#revoked()
    await this.#producer?.close().catch((error: unknown) => { this.#logger.warn({ err: (error as Error).message }, 'producer close failed') })
    for (const view of this.#views.values()) await view.close()
    await this.#admin?.close()
    if (this.#options.cluster === undefined) await this.#cluster?.close()
    this.#setState('stopped')
  }

  #fatal (error: Error): void {
    this.#error ??= error
    this.#logger.error({ err: error.message }, 'processor stopping on a fatal error')
    this.#failed?.(error)
  }

  #worker (partition: number): PartitionWorker {
    let worker = this.#workers.get(partition)
    if (worker === undefined) {
      worker = new PartitionWorker({
        graph: this.graph,
        producer: this.#producer as Producer,
        consumer: this.#consumer as Consumer,
        partitionCounts: this.#counts,
        readers: { cluster: this.#cluster as Cluster, admin: this.#admin as Admin, logger: this.#logger, consumer: this.#readerOptions() },
        store: this.#options.store ?? memoryStore,
        lookup: (topic, key) => this.#views.get(topic)?.getBytes(key),
        logger: this.#logger,
        maxBufferedRecords: this.#maxBuffered,
        restartBackoff: this.#restartBackoff,
        fatal: (error) => { this.#fatal(error) },
        committable: () => { this.#commitWanted = true },
        stateChanged: (state) => {
          this.emit('partition-state', { partition, state })
          this.#updateState()
        },
      }, partition)
      this.#workers.set(partition, worker)
      worker.start()
    }
    return worker
  }

  #readerOptions (): Partial<ConsumerOptions> {
    const { groupInstanceId: _g, sessionTimeoutMs: _s, rebalanceTimeoutMs: _r, heartbeatIntervalMs: _h, autoCommitIntervalMs: _a, ...rest } = this.#options.consumer ?? {}
    return rest
  }

  #assigned (partitions: TopicPartition[]): void {
    if (this.#stopRequested !== undefined || this.#error !== undefined) return
    this.#assignedOnce = true
    for (const p of new Set(partitions.map((tp) => tp.partition))) this.#worker(p)
    this.#updateState()
    this.#logger.info({ partitions: [...new Set(partitions.map((tp) => tp.partition))] }, 'partitions assigned')
  }

  #deliver (batch: ConsumerBatch<Buffer | null, Buffer | null>): void {
    if (this.#stopRequested !== undefined || this.#error !== undefined) return
    this.#worker(batch.partition).enqueue(batch)
  }

  /** Every worker finishes its record in progress and its sends; what is done is committed; the partitions go. */
  async #revoked (): Promise<void> {
    const workers = [...this.#workers.values()]
    if (workers.length === 0) return
    await Promise.all(workers.map(async (w) => { await w.stop() }))
    await this.#commit()
    for (const w of workers) {
      await w.close()
      this.#workers.delete(w.partition)
    }
    this.#updateState()
  }

  #commitSoon (): void {
    if (!this.#commitWanted) return
    this.#commitWanted = false
    this.#commit().catch(() => {})
  }

  /** One commit at a time, of every worker's done offsets that moved. */
  async #commit (): Promise<void> {
    const next = this.#committing.then(async () => {
      const consumer = this.#consumer
      if (consumer === undefined) return
      const byWorker = [...this.#workers.values()].map((w) => ({ w, offsets: w.committable() })).filter((x) => x.offsets.length > 0)
      if (byWorker.length === 0) return
      const offsets = byWorker.flatMap((x) => x.offsets)
      try {
        await consumer.commit(offsets)
        for (const { w, offsets: o } of byWorker) w.markCommitted(o)
        this.emit('commit', offsets)
      } catch (error) {
        this.#commitWanted = true
        this.#logger.warn({ err: (error as Error).message }, 'commit failed (retried at the next interval)')
      }
    })
    this.#committing = next
    await next
  }

  #updateState (): void {
    // Until the group's first assignment the processor is still setting up (shown as recovering).
    if (this.#state === 'stopping' || this.#state === 'stopped' || !this.#assignedOnce) return
    const recovering = [...this.#workers.values()].some((w) => w.state === 'recovering' || w.state === 'idle')
    this.#setState(recovering ? 'recovering' : 'running')
  }

  #setState (state: ProcessorState): void {
    if (this.#state === state || this.#state === 'stopped') return
    this.#state = state
    this.emit('state', state)
  }
}
