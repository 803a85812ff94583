/**
 * An Emitter: typed writes to one topic from outside a processor (a service feeding a group's
 * input). Keys are placed by the group's hasher, so they land where the processor's table keeps
 * them; batching is the producer's. `emit` resolves once the broker acknowledged the record;
 * `emitAndTrack` does not wait, and `flush` waits for everything emitted and rejects with the
 * first failure of a tracked record, so fire-and-forget never loses an error silently.
 */
import { Admin } from '../admin/admin.ts'
import { Cluster } from '../cluster/cluster.ts'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import type { RecordMetadata } from '../producer/batch.ts'
import type { ProducerOptions } from '../producer/options.ts'
import { Producer } from '../producer/producer.ts'
import type { RecordHeader } from '../protocol/records/types.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { Codec } from './codecs.ts'
import { partitionFor, type Hasher } from './hashing.ts'

export interface EmitterOptions {
  bootstrap?: string | string[]
  cluster?: Cluster
  /** Default murmur2 (the Java client's placement); fnv32a for Goka's. */
  hasher?: Hasher
  producer?: Partial<ProducerOptions>
  logger?: Logger
}

export class Emitter<V = unknown> {
  readonly topic: string
  readonly #codec: Codec<V>
  readonly #hasher: Hasher
  readonly #cluster: Cluster
  readonly #ownsCluster: boolean
  readonly #producer: Producer
  readonly #admin: Admin
  #partitions: Promise<number> | undefined
  readonly #tracked = new Set<Promise<unknown>>()
  #failure: Error | undefined

  constructor (topic: string, codec: Codec<V>, options: EmitterOptions) {
    if (typeof topic !== 'string' || topic === '') throw new InvalidArgumentError(`Emitter: topic must be a topic name, got ${String(topic)}`)
    if (options.cluster === undefined && options.bootstrap === undefined) throw new InvalidArgumentError('Emitter: give bootstrap or cluster')
    const hasher = options.hasher ?? 'murmur2'
    if (hasher !== 'murmur2' && hasher !== 'fnv32a') throw new InvalidArgumentError(`Emitter: hasher must be 'murmur2' or 'fnv32a', got ${String(hasher)}`)
    const logger = (options.logger ?? rootLogger()).child({ component: 'emitter', topic })
    this.topic = topic
    this.#codec = codec
    this.#hasher = hasher
    this.#ownsCluster = options.cluster === undefined
    this.#cluster = options.cluster ?? new Cluster({ bootstrap: options.bootstrap as string | string[], clientId: 'steadfast-emitter', logger })
    this.#producer = new Producer({ ...options.producer, cluster: this.#cluster, logger })
    this.#admin = new Admin({ cluster: this.#cluster, logger })
  }

  /** Writes one record; resolves once acknowledged. A null value is a tombstone. */
  async emit (key: string | null, value: V | null, headers?: RecordHeader[]): Promise<RecordMetadata> {
    const bytes = value === null ? null : this.#codec.encode(value)
    const partition = key === null ? undefined : partitionFor(this.#hasher, Buffer.from(key, 'utf8'), await this.#partitionCount())
    return await this.#producer.send({ topic: this.topic, key, value: bytes, ...headers === undefined ? {} : { headers }, ...partition === undefined ? {} : { partition } })
  }

  /** Writes one record without waiting; its failure is reported by the next `flush`. */
  emitAndTrack (key: string | null, value: V | null, headers?: RecordHeader[]): void {
    const tracked = this.emit(key, value, headers).then(() => {}, (error: unknown) => {
      this.#failure ??= error instanceof Error ? error : new Error(String(error))
    }).finally(() => { this.#tracked.delete(tracked) })
    this.#tracked.add(tracked)
  }

  /** Waits for every record emitted so far; rejects with the first failure of a tracked record since the last flush. */
  async flush (): Promise<void> {
    await Promise.all([...this.#tracked])
    await this.#producer.flush()
    const failure = this.#failure
    this.#failure = undefined
    if (failure !== undefined) throw failure
  }

  async close (): Promise<void> {
    await Promise.all([...this.#tracked])
    await this.#producer.close()
    await this.#admin.close()
    if (this.#ownsCluster) await this.#cluster.close()
  }

  async #partitionCount (): Promise<number> {
    this.#partitions ??= this.#admin.describeTopics([this.topic], { timeoutMs: 60_000 }).then(([info]) => info?.partitions.length ?? 0)
    const count = await this.#partitions.catch((error: unknown) => {
      this.#partitions = undefined
      throw error
    })
    if (count === 0) throw new InvalidArgumentError(`Emitter: topic ${this.topic} has no partitions`)
    return count
  }
}
