/** Errors the producer adds to the project's error classes. */
import { classify } from '../resilience/classify.ts'
import { SteadfastError } from '../resilience/errors.ts'
import type { RecordMetadata } from './batch.ts'

/** `send` after `close` began: the producer accepts nothing new. Fatal. */
export class ProducerClosedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_PRODUCER_CLOSED'
  constructor (message: string) {
    super(message, { action: 'fatal', reason: 'producer-closed' })
  }
}

/**
 * The send buffer stayed full for `maxBlockMs`: records are accepted faster than brokers take
 * them, or their leaders are gone. Retriable: space frees as batches are delivered or expire.
 */
export class BufferFullError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_PRODUCER_BUFFER_FULL'
  constructor (message: string) {
    super(message, { action: 'retry', reason: 'buffer-full' })
  }
}

/** One record is larger than the producer may ever send (maxRequestSize or maxBufferedBytes). Fatal. */
export class RecordTooLargeError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_RECORD_TOO_LARGE'
  readonly sizeBytes: number
  constructor (message: string, sizeBytes: number) {
    super(message, { action: 'fatal', reason: 'record-too-large' })
    this.sizeBytes = sizeBytes
  }
}

/**
 * A batch whose request got no answer (the broker may have written it) could not be resent
 * safely: its partition had to move to a new producer id, under which the broker would not
 * recognise the resend as a duplicate. Fatal: the records may or may not be in the log.
 */
export class UncertainDeliveryError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_PRODUCER_UNCERTAIN_DELIVERY'
  readonly attempts: number
  constructor (message: string, init: { attempts: number }) {
    super(message, { action: 'fatal', reason: 'uncertain-delivery' })
    this.attempts = init.attempts
  }
}

/**
 * Some records of a `sendBatch` call failed. `outcomes` holds every record's outcome in the order
 * given (as Promise.allSettled would); the action is that of the first failure, its cause.
 */
export class SendBatchError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_PRODUCER_SEND_BATCH'
  readonly outcomes: Array<PromiseSettledResult<RecordMetadata>>
  readonly failed: number
  constructor (outcomes: Array<PromiseSettledResult<RecordMetadata>>, failed: number, first: unknown) {
    super(`sendBatch: ${failed} of ${outcomes.length} record(s) failed; the first: ${first instanceof Error ? first.message : String(first)}`,
      { action: classify(first).action, reason: 'send-batch', cause: first })
    this.outcomes = outcomes
    this.failed = failed
  }
}
