/**
 * Open batches, one per partition. A record joins its partition's open batch; the batch is
 * sealed (handed to `onSealed`) when the next record would take it past `batchSize`, when it
 * reaches `batchSize`, when `lingerMs` has passed since its first record, or on `sealAll`.
 */
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
  /** By topic, then partition: no key is built per record. */
  readonly #open = new Map<string, Map<number, OpenBatch>>()
  #count = 0

  constructor (options: AccumulatorOptions, onSealed: (batch: ProducerBatch) => void) {
    this.#options = options
    this.#onSealed = onSealed
  }

  /** Partitions with an open batch. */
  get open (): number {
    return this.#count
  }

  append (topic: string, partition: number, record: PendingRecord): void {
    let partitions = this.#open.get(topic)
    if (partitions === undefined) this.#open.set(topic, partitions = new Map())
    let open = partitions.get(partition)
    if (open !== undefined && open.batch.sizeBytes + record.size > this.#options.batchSize) {
      this.#seal(partitions, open)
      open = undefined
    }
    if (open === undefined) {
      const batch = new ProducerBatch(topic, partition, Date.now(), this.#options.deliveryTimeoutMs)
      const within = partitions
      const created: OpenBatch = { batch, timer: setTimeout(() => this.#seal(within, created), this.#options.lingerMs) }
      open = created
      partitions.set(partition, open)
      this.#count++
    }
    open.batch.add(record)
    if (open.batch.sizeBytes >= this.#options.batchSize) this.#seal(partitions, open)
  }

  /** Seals the partition's open batch, if any, now. */
  seal (topic: string, partition: number): void {
    const partitions = this.#open.get(topic)
    const open = partitions?.get(partition)
    if (partitions !== undefined && open !== undefined) this.#seal(partitions, open)
  }

  /** Seals every open batch now (flush, close). */
  sealAll (): void {
    for (const partitions of [...this.#open.values()]) {
      for (const open of [...partitions.values()]) this.#seal(partitions, open)
    }
  }

  #seal (partitions: Map<number, OpenBatch>, open: OpenBatch): void {
    const partition = open.batch.partition
    if (partitions.get(partition) !== open) return
    clearTimeout(open.timer)
    partitions.delete(partition)
    this.#count--
    this.#onSealed(open.batch)
  }
}
