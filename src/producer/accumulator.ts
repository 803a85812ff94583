/**
 * Open batches, one per partition. A record joins its partition's open batch; the batch is
 * sealed (handed to `onSealed`) when the next record would take it past `batchSize`, when it
 * reaches `batchSize`, when `lingerMs` has passed since its first record, or on `sealAll`.
 */
import { tpKey } from '../cluster/topic-partition.ts'
import { ProducerBatch, type PendingRecord } from './batch.ts'

export interface AccumulatorOptions {
  batchSize: number
  lingerMs: number
  deliveryTimeoutMs: number
}

interface OpenBatch {
  batch: ProducerBatch
  timer: ReturnType<typeof setTimeout>
}

export class Accumulator {
  readonly #options: AccumulatorOptions
  readonly #onSealed: (batch: ProducerBatch) => void
  readonly #open = new Map<string, OpenBatch>()

  constructor (options: AccumulatorOptions, onSealed: (batch: ProducerBatch) => void) {
    this.#options = options
    this.#onSealed = onSealed
  }

  /** Partitions with an open batch. */
  get open (): number {
    return this.#open.size
  }

  append (topic: string, partition: number, record: PendingRecord): void {
    const key = tpKey(topic, partition)
    let open = this.#open.get(key)
    if (open !== undefined && open.batch.sizeBytes + record.size > this.#options.batchSize) {
      this.#seal(key, open)
      open = undefined
    }
    if (open === undefined) {
      const batch = new ProducerBatch(topic, partition, Date.now(), this.#options.deliveryTimeoutMs)
      const created: OpenBatch = { batch, timer: setTimeout(() => this.#seal(key, created), this.#options.lingerMs) }
      open = created
      this.#open.set(key, open)
    }
    open.batch.add(record)
    if (open.batch.sizeBytes >= this.#options.batchSize) this.#seal(key, open)
  }

  /** Seals the partition's open batch, if any, now. */
  seal (topic: string, partition: number): void {
    const key = tpKey(topic, partition)
    const open = this.#open.get(key)
    if (open !== undefined) this.#seal(key, open)
  }

  /** Seals every open batch now (flush, close). */
  sealAll (): void {
    for (const [key, open] of [...this.#open]) this.#seal(key, open)
  }

  #seal (key: string, open: OpenBatch): void {
    if (this.#open.get(key) !== open) return
    clearTimeout(open.timer)
    this.#open.delete(key)
    this.#onSealed(open.batch)
  }
}
