/**
 * Reading per-item results out of admin responses: collecting the items that failed, and turning
 * them into one error that names each item and Kafka's reason. Retriable item errors make the
 * whole attempt fail with that error's action, so the retry loop recovers and asks again.
 */
import { KafkaErrorCode, kafkaError, kafkaErrorInfo } from '../resilience/kafka-errors.ts'
import { AdminError } from './errors.ts'

export interface ItemFailure {
  /** What failed, e.g. `topic orders` or `orders-3`. */
  item: string
  errorCode: number
  message?: string | null
  /** Fail at once even when Kafka calls the code retriable (e.g. deleting a topic that does not exist). */
  fatal?: boolean
}

/** Throws when any item failed: the first retriable failure as itself, else one error naming all. */
export function throwItemFailures (operation: string, attempt: number, failures: ItemFailure[]): void {
  if (failures.length === 0) return
  const retriable = failures.find((f) => f.fatal !== true && kafkaErrorInfo(f.errorCode).action !== 'fatal')
  if (retriable !== undefined) {
    throw kafkaError(retriable.errorCode, `${operation}: ${retriable.item}`, { serverMessage: retriable.message ?? null })
  }
  const first = failures[0] as ItemFailure
  const detail = failures.map((f) => `${f.item}: ${kafkaErrorInfo(f.errorCode).name}${f.message != null && f.message !== '' ? ` (${f.message})` : ''}`).join('; ')
  throw new AdminError(operation, attempt, kafkaError(first.errorCode, `${operation}: ${first.item}`, { serverMessage: first.message ?? null }), detail)
}

/** Throws the top-level error code of a response, if any. */
export function throwTopLevel (operation: string, body: { errorCode?: number, errorMessage?: string | null }, where: string): void {
  const code = body.errorCode
  if (code !== undefined && code !== KafkaErrorCode.NONE) throw kafkaError(code, `${operation} ${where}`, { serverMessage: body.errorMessage ?? null })
}
