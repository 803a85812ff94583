/** The error every admin call fails with: what was attempted, how often, and the Kafka error behind it. */
import { KafkaProtocolError, SteadfastError, type RecoveryAction } from '../resilience/errors.ts'
import { classify } from '../resilience/classify.ts'

export class AdminError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_ADMIN'
  readonly operation: string
  readonly attempts: number
  /** The Kafka error name behind the failure (NOT_COORDINATOR, TOPIC_ALREADY_EXISTS, …), when there is one. */
  readonly errorName: string | undefined
  /** What was done about the last failure: the recovery action it was classified as. */
  readonly lastAction: RecoveryAction

  constructor (operation: string, attempts: number, cause: unknown, detail?: string) {
    const kafka = findKafkaError(cause)
    const lastAction = classify(lastCause(cause)).action
    const what = detail ?? (cause instanceof Error ? cause.message : String(cause))
    super(`${operation} failed after ${attempts} attempt(s)${kafka === undefined ? '' : ` [${kafka.errorName}]`}: ${what}`, { action: 'fatal', reason: kafka?.errorName ?? 'admin', cause })
    this.operation = operation
    this.attempts = attempts
    this.errorName = kafka?.errorName
    this.lastAction = lastAction
  }
}

function lastCause (error: unknown): unknown {
  let current = error
  while (current instanceof SteadfastError && current.cause !== undefined && (current.code === 'STEADFAST_ERR_DEADLINE' || current.code === 'STEADFAST_ERR_RETRIES_EXHAUSTED')) {
    current = current.cause
  }
  return current
}

/** The first KafkaProtocolError along the cause chain. */
export function findKafkaError (error: unknown): KafkaProtocolError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (current instanceof KafkaProtocolError) return current
  }
  return undefined
}
