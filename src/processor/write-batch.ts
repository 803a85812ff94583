/**
 * The writes of one partition (table records, emits, loopbacks), gathered while its callbacks run
 * and handed to the producer with one `sendBatch` per turn of the event loop (or per
 * `maxRecords` writes) rather than one `send` each: one promise per batch instead of one per
 * write, and no closures per write. Batches go to the producer in the order the writes were
 * made, and the producer keeps that order per partition, so per-key order is that of the
 * callbacks. Each write carries a tag its owner gets back with the offset Kafka gave it.
 *
 * A batch settles once every one of its writes has an outcome: the delivered ones are reported
 * first (so a table write that did land reaches the store), then the failure, if any.
 */
import type { Producer } from '../producer/producer.ts'
import type { ProducerRecord } from '../producer/record.ts'
import { SendBatchError } from '../producer/errors.ts'

export interface WriteOutcomes<Tag> {
  /** Kafka acknowledged the write tagged `tag` at `offset` (-1n when it reported a duplicate). */
  delivered: (tag: Tag, offset: bigint) => void
  /** Some write of a batch could not be delivered (after the producer's retries). */
  failed: (error: Error) => void
}

/** Bounds a batch when a slice of callbacks writes a lot: its writes wait for the slowest of them. */
const MAX_BATCH_RECORDS = 1024

export class WriteBatch<Tag> {
  readonly #producer: Producer
  readonly #outcomes: WriteOutcomes<Tag>
  #records: ProducerRecord[] = []
  #tags: Tag[] = []
  #scheduled = false
  /** Batches handed to the producer and not settled, and who waits for none to be left. */
  #inFlight = 0
  #idle: Array<() => void> = []

  constructor (producer: Producer, outcomes: WriteOutcomes<Tag>) {
    this.#producer = producer
    this.#outcomes = outcomes
  }

  add (record: ProducerRecord, tag: Tag): void {
    this.#records.push(record)
    this.#tags.push(tag)
    if (this.#records.length >= MAX_BATCH_RECORDS) this.flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => {
        this.#scheduled = false
        this.flush()
      })
    }
  }

  /** Hands the gathered writes to the producer now. */
  flush (): void {
    if (this.#records.length === 0) return
    const records = this.#records
    const tags = this.#tags
    this.#records = []
    this.#tags = []
    this.#inFlight++
    this.#producer.sendBatch(records).then((metadata) => {
      for (let i = 0; i < tags.length; i++) this.#outcomes.delivered(tags[i] as Tag, (metadata[i] as { offset: bigint }).offset)
      this.#settled()
    }, (error: unknown) => {
      if (error instanceof SendBatchError) {
        error.outcomes.forEach((outcome, i) => { if (outcome.status === 'fulfilled') this.#outcomes.delivered(tags[i] as Tag, outcome.value.offset) })
      }
      this.#outcomes.failed(error instanceof Error ? error : new Error(String(error)))
      this.#settled()
    })
  }

  /** Hands over what is gathered and waits until every write made so far (and meanwhile) has an outcome. */
  async idle (): Promise<void> {
    for (;;) {
      this.flush()
      if (this.#inFlight === 0) return
      await new Promise<void>((resolve) => { this.#idle.push(resolve) })
    }
  }

  #settled (): void {
    if (--this.#inFlight > 0) return
    const waiting = this.#idle
    this.#idle = []
    for (const resolve of waiting) resolve()
  }
}
