/**
 * The records of one `sendBatch` call and the one promise they share. Each record still gets
 * its own outcome (kept in `outcomes`, in the order given); what the call saves over `send` per
 * record is a promise and its two resolving functions: a record's resolve and reject are
 * methods of its class, reporting to the shared outcomes by index.
 */
import type { RecordMetadata } from './batch.ts'
import { SendBatchError } from './errors.ts'
import { AcceptedRecord, type ProducerRecord } from './record.ts'

export class BatchOutcomes {
  readonly #metadata: RecordMetadata[]
  /** Set on the first failure: then every outcome is kept, failures included. */
  #settled: Array<PromiseSettledResult<RecordMetadata>> | undefined
  #failed = 0
  #first: unknown
  #left: number
  #resolve!: (metadata: RecordMetadata[]) => void
  #reject!: (error: SendBatchError) => void
  /** Every record's metadata in the order given, or a SendBatchError once all have their outcome. */
  readonly promise: Promise<RecordMetadata[]>

  constructor (count: number) {
    this.#metadata = new Array<RecordMetadata>(count)
    this.#left = count
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    if (count === 0) this.#resolve([])
  }

  delivered (index: number, metadata: RecordMetadata): void {
    this.#metadata[index] = metadata
    if (this.#settled !== undefined) this.#settled[index] = { status: 'fulfilled', value: metadata }
    this.#done()
  }

  failed (index: number, error: unknown): void {
    if (this.#settled === undefined) {
      // Outcomes so far were all deliveries: rebuild them in the settled form.
      this.#settled = Array.from(this.#metadata, (value) => value === undefined ? undefined : { status: 'fulfilled', value }) as Array<PromiseSettledResult<RecordMetadata>>
      this.#first = error
    }
    this.#settled[index] = { status: 'rejected', reason: error }
    this.#failed++
    this.#done()
  }

  #done (): void {
    if (--this.#left > 0) return
    if (this.#settled === undefined) this.#resolve(this.#metadata)
    else this.#reject(new SendBatchError(this.#settled, this.#failed, this.#first))
  }
}

/** One record of a `sendBatch` call: its outcome goes to the call's shared tally, by index. */
export class BatchRecord extends AcceptedRecord {
  readonly #outcomes: BatchOutcomes
  readonly #index: number

  constructor (record: ProducerRecord, now: number, outcomes: BatchOutcomes, index: number) {
    super(record, now)
    this.#outcomes = outcomes
    this.#index = index
  }

  resolve (metadata: RecordMetadata): void {
    this.#outcomes.delivered(this.#index, metadata)
  }

  reject (error: unknown): void {
    this.#outcomes.failed(this.#index, error)
  }
}
