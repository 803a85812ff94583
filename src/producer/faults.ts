/**
 * The idempotent producer's fault policy, in one place: what one partition's outcome of a Produce
 * request means for its batch and for the partition's sequence numbers. Kafka's error table calls
 * the sequence and epoch errors fatal, and for a producer that cannot renumber they are; this
 * producer renumbers (a fresh producer id, sequences from 0) and sends again, so here they are
 * retried. Every other code keeps the table's action (resilience/kafka-errors.ts).
 *
 * | outcome | verdict |
 * |---|---|
 * | no error | delivered |
 * | DUPLICATE_SEQUENCE_NUMBER | delivered: an earlier attempt, whose answer was lost, wrote it |
 * | OUT_OF_ORDER_SEQUENCE_NUMBER | retried; proves nothing was written; behind an earlier unsettled batch it is expected (it goes again behind it), otherwise the broker lost our sequence: renumber |
 * | UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_EPOCH | retried after renumbering: the broker lost or rejects our producer state |
 * | another code | the table's action: retried, or the batch fails when it is fatal |
 * | no answer (a transport failure, a timeout) | the classifier's action; the batch may have been written |
 */
import { classify } from '../resilience/classify.ts'
import { KafkaProtocolError } from '../resilience/errors.ts'
import { KafkaErrorCode } from '../resilience/kafka-errors.ts'

export const { OUT_OF_ORDER_SEQUENCE_NUMBER, DUPLICATE_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, UNKNOWN_PRODUCER_ID } = KafkaErrorCode

export type ProduceVerdict =
  | { kind: 'delivered', duplicate: boolean }
  /**
   * Send again (after the retry loop's recovery). `renumber`: take a fresh producer id first.
   * `written`: what this outcome proves about earlier attempts ('no': nothing was written; 'maybe':
   * this attempt got no answer); undefined when it proves nothing.
   */
  | { kind: 'retry', error: unknown, renumber: boolean, written?: 'no' | 'maybe' }
  | { kind: 'fail', error: unknown }

export type ProduceOutcome =
  | { kind: 'answer', errorCode: number, error: () => KafkaProtocolError }
  | { kind: 'thrown', error: unknown }

/** `earlierPending`: whether a batch ahead of this one in the partition is still unsettled. */
export function produceVerdict (outcome: ProduceOutcome, earlierPending: () => boolean): ProduceVerdict {
  if (outcome.kind === 'thrown') {
    return classify(outcome.error).action === 'fatal' ? { kind: 'fail', error: outcome.error } : { kind: 'retry', error: outcome.error, renumber: false, written: 'maybe' }
  }
  const code = outcome.errorCode
  if (code === KafkaErrorCode.NONE || code === DUPLICATE_SEQUENCE_NUMBER) return { kind: 'delivered', duplicate: code === DUPLICATE_SEQUENCE_NUMBER }
  const error = outcome.error()
  if (code === OUT_OF_ORDER_SEQUENCE_NUMBER) return { kind: 'retry', error: retriable(error), renumber: !earlierPending(), written: 'no' }
  if (code === UNKNOWN_PRODUCER_ID || code === INVALID_PRODUCER_EPOCH) return { kind: 'retry', error: retriable(error), renumber: true }
  return classify(error).action === 'fatal' ? { kind: 'fail', error } : { kind: 'retry', error, renumber: false }
}

/** The broker's error, as the retry loop should see it: retried (the table says fatal). */
function retriable (error: KafkaProtocolError): KafkaProtocolError {
  return new KafkaProtocolError(error.message, {
    errorCode: error.errorCode,
    errorName: error.errorName,
    kafkaRetriable: error.kafkaRetriable,
    action: 'retry',
    cause: error,
  })
}
