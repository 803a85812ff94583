/**
 * Reads partitions of a table topic into their stores: from the offset after each store's last
 * applied record to the high watermark found when reading starts (recovery), and on from there
 * when asked to follow (joins and views keep up with a table another group writes). A store whose
 * offset is at or past the high watermark holds records the topic does not (the topic was
 * recreated or truncated): it is cleared and rebuilt, not trusted. Reads go through a consumer
 * without a group sharing the processor's cluster, so leader moves and broker loss are handled as
 * for any consumer; the high watermark comes from the admin client, which retries transient errors.
 */
import type { Admin } from '../admin/admin.ts'
import type { Cluster } from '../cluster/cluster.ts'
import { Consumer } from '../consumer/consumer.ts'
import type { ConsumerOptions } from '../consumer/options.ts'
import type { Logger } from '../observability/logger.ts'
import { recoveredRecords } from './metrics.ts'
import type { Store } from './store.ts'

export interface TableReaderDeps {
  cluster: Cluster
  admin: Admin
  logger: Logger
  /** Consumer settings (fetch sizes, waits, backoff); group settings are not used. */
  consumer: Partial<ConsumerOptions>
}

export interface RecoveryProgress {
  /** Records applied since reading started. */
  records: number
  /** Per partition: the offset to reach (high watermark at start) and the next offset to apply. */
  partitions: Map<number, { target: bigint, next: bigint }>
}

export class TableReader {
  readonly topic: string
  readonly #deps: TableReaderDeps
  readonly #stores: ReadonlyMap<number, Store>
  readonly #follow: boolean
  readonly progress: RecoveryProgress = { records: 0, partitions: new Map() }
  #consumer: Consumer | undefined
  #running: Promise<void> | undefined
  #caughtUp: (() => void) | undefined
  #closed = false

  constructor (deps: TableReaderDeps, topic: string, stores: ReadonlyMap<number, Store>, follow: boolean) {
    this.#deps = deps
    this.topic = topic
    this.#stores = stores
    this.#follow = follow
  }

  /** Resolves once every partition reached the high watermark it had when this was called; rejects if reading fails. */
  async recover (signal?: AbortSignal): Promise<RecoveryProgress> {
    const partitions = [...this.#stores.keys()]
    const [earliest, latest] = await Promise.all([
      this.#deps.admin.listOffsets([{ topic: this.topic, partitions }], 'earliest', { signal, timeoutMs: 120_000 }),
      this.#deps.admin.listOffsets([{ topic: this.topic, partitions }], 'latest', { signal, timeoutMs: 120_000 }),
    ])
    const start = new Map<number, bigint>()
    for (const { partition, offset: target } of latest) {
      const store = this.#stores.get(partition) as Store
      const low = earliest.find((e) => e.partition === partition)?.offset ?? 0n
      if (store.offset >= target) {
        if (store.offset >= 0n) this.#deps.logger.warn({ topic: this.topic, partition, storeOffset: String(store.offset), highWatermark: String(target) }, 'local store is ahead of its topic: rebuilding it')
        if (store.offset >= 0n || store.size > 0) store.clear()
      }
      const next = store.offset + 1n > low ? store.offset + 1n : low
      start.set(partition, next)
      this.progress.partitions.set(partition, { target, next })
    }
    if (this.#closed) return this.progress
    const done = new Promise<void>((resolve) => { this.#caughtUp = resolve })
    this.#checkCaughtUp()
    if (!this.#follow && this.#caughtUp === undefined) return this.progress
    const consumer = new Consumer({ ...this.#deps.consumer, cluster: this.#deps.cluster, logger: this.#deps.logger, autoOffsetReset: 'earliest', autoCommit: false })
    this.#consumer = consumer
    await consumer.assign(partitions.map((partition) => ({ topic: this.topic, partition })))
    // Seeks take effect at once; their promises only report the offsets.
    for (const [partition, offset] of start) consumer.seek({ topic: this.topic, partition }, offset).catch(() => {})
    this.#running = consumer.run({
      eachBatch: (batch) => {
        const store = this.#stores.get(batch.partition) as Store
        const writes: Array<readonly [string, Buffer | null]> = []
        for (const m of batch.messages) if (m.key !== null) writes.push([m.key.toString('utf8'), m.value])
        const last = (batch.messages[batch.messages.length - 1] as { offset: bigint }).offset
        store.apply(writes, last)
        this.progress.records += batch.messages.length
        recoveredRecords.inc({ topic: this.topic }, batch.messages.length)
        const p = this.progress.partitions.get(batch.partition)
        if (p !== undefined) p.next = last + 1n
        this.#checkCaughtUp()
        if (this.#caughtUp === undefined && !this.#follow) consumer.close().catch((error: unknown) => { this.#deps.logger.warn({ topic: this.topic, err: (error as Error).message }, 'closing the recovery consumer failed') })
      },
    })
    try {
      await Promise.race([done, this.#running.then(() => {
        if (this.#caughtUp !== undefined && !this.#closed) throw new Error(`reading table ${this.topic} ended before it caught up`)
      })])
    } catch (error) {
      await consumer.close()
      throw error
    }
    return this.progress
  }

  #checkCaughtUp (): void {
    if (this.#caughtUp === undefined) return
    for (const p of this.progress.partitions.values()) if (p.next < p.target) return
    const resolve = this.#caughtUp
    this.#caughtUp = undefined
    resolve()
  }

  /** Stops following (a recovering reader stops where it is). */
  async close (): Promise<void> {
    this.#closed = true
    await this.#consumer?.close()
    await this.#running?.catch(() => {})
  }
}
