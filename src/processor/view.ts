/**
 * A View: every partition of a table topic read into local stores and kept up to date, for
 * lookups from anywhere (a service answering queries, a processor's `lookup` edge). `start`
 * resolves once it caught up with the high watermarks it found; afterwards it follows the topic.
 * Leader moves and broker loss are the consumer's business; the view resumes by itself.
 */
import { Admin } from '../admin/admin.ts'
import { Cluster } from '../cluster/cluster.ts'
import type { ConsumerOptions } from '../consumer/options.ts'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { Codec } from './codecs.ts'
import { partitionFor, type Hasher } from './hashing.ts'
import { memoryStore, type Store, type StoreFactory } from './store.ts'
import { TableReader } from './table-reader.ts'

export interface ViewOptions {
  bootstrap?: string | string[]
  cluster?: Cluster
  /** Default: in memory. */
  store?: StoreFactory
  /** How the table's writer placed keys (to find a key's partition). Default murmur2. */
  hasher?: Hasher
  consumer?: Partial<ConsumerOptions>
  logger?: Logger
}

export class View<V = unknown> {
  readonly topic: string
  readonly #codec: Codec<V>
  readonly #options: ViewOptions
  readonly #cluster: Cluster
  readonly #ownsCluster: boolean
  readonly #logger: Logger
  #stores: Store[] = []
  #reader: TableReader | undefined
  #admin: Admin | undefined
  #caughtUp = false

  constructor (topic: string, codec: Codec<V>, options: ViewOptions) {
    if (typeof topic !== 'string' || topic === '') throw new InvalidArgumentError(`View: topic must be a topic name, got ${String(topic)}`)
    if (options.cluster === undefined && options.bootstrap === undefined) throw new InvalidArgumentError('View: give bootstrap or cluster')
    this.topic = topic
    this.#codec = codec
    this.#options = options
    this.#logger = (options.logger ?? rootLogger()).child({ component: 'view', topic })
    this.#ownsCluster = options.cluster === undefined
    this.#cluster = options.cluster ?? new Cluster({ bootstrap: options.bootstrap as string | string[], clientId: 'steadfast-view', logger: this.#logger })
  }

  /** Reads the table to its current end; resolves when caught up (then keeps following). */
  async start (signal?: AbortSignal): Promise<void> {
    if (this.#reader !== undefined) throw new InvalidArgumentError(`View ${this.topic}: already started`)
    this.#admin = new Admin({ cluster: this.#cluster, logger: this.#logger })
    const [info] = await this.#admin.describeTopics([this.topic], { signal, timeoutMs: 60_000 })
    const factory = this.#options.store ?? memoryStore
    this.#stores = [...(info?.partitions ?? [])].sort((a, b) => a.partition - b.partition).map((p) => factory(this.topic, p.partition))
    this.#reader = new TableReader({ cluster: this.#cluster, admin: this.#admin, logger: this.#logger, consumer: this.#options.consumer ?? {} }, this.topic, new Map(this.#stores.map((s, i) => [i, s])), true)
    await this.#reader.recover(signal)
    this.#caughtUp = true
  }

  /** True once `start` caught up with the table. */
  get caughtUp (): boolean { return this.#caughtUp }

  /** Raw bytes of a key (what the processor's lookup decodes). */
  getBytes (key: string): Buffer | undefined {
    if (this.#stores.length === 0) return undefined
    return this.#stores[partitionFor(this.#options.hasher ?? 'murmur2', Buffer.from(key, 'utf8'), this.#stores.length)]?.get(key)
  }

  get (key: string): V | undefined {
    const bytes = this.getBytes(key)
    return bytes === undefined ? undefined : this.#codec.decode(bytes)
  }

  has (key: string): boolean { return this.getBytes(key) !== undefined }

  get size (): number { return this.#stores.reduce((n, s) => n + s.size, 0) }

  * entries (): IterableIterator<[string, V]> {
    for (const store of this.#stores) for (const [key, bytes] of store.entries()) yield [key, this.#codec.decode(bytes)]
  }

  async close (): Promise<void> {
    await this.#reader?.close()
    for (const store of this.#stores) store.close()
    await this.#admin?.close()
    if (this.#ownsCluster) await this.#cluster.close()
  }
}
