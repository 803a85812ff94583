/** The processor's errors: a bad graph or setup (fatal, before anything runs), a record that stopped it, a visit cut short. */
import { SteadfastError } from '../resilience/errors.ts'

/** The graph or the cluster's topics do not fit together: names the group and what is wrong. */
export class GraphError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_PROCESSOR_GRAPH'
  constructor (message: string) {
    super(message, { action: 'fatal', reason: 'invalid-graph' })
  }
}

/** A record the processor could not process (codec, callback, `ctx.fail`): it stops, naming where. */
export class ProcessingError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_PROCESSING'
  readonly topic: string
  readonly partition: number
  readonly offset: bigint

  constructor (where: { group: string, topic: string, partition: number, offset: bigint }, what: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause)
    super(`processor ${where.group}: ${what} at ${where.topic}-${where.partition} offset ${where.offset}: ${why}`, { action: 'fatal', reason: 'processing', cause })
    this.topic = where.topic
    this.partition = where.partition
    this.offset = where.offset
  }
}

/** A visit that could not finish: its partition was revoked, restarted or stopped, or the processor was not running. Visit again. */
export class VisitAbortedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_VISIT_ABORTED'
  constructor (message: string) {
    super(message, { action: 'retry', reason: 'visit-aborted' })
  }
}
