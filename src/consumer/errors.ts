/** Errors the consumer adds to the project's error classes. */
import { KafkaProtocolError, SteadfastError } from '../resilience/errors.ts'
import { KafkaErrorCode } from '../resilience/kafka-errors.ts'

/** A call after `close` began. Fatal. */
export class ConsumerClosedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_CONSUMER_CLOSED'
  constructor (message: string) {
    super(message, { action: 'fatal', reason: 'consumer-closed' })
  }
}

/**
 * A partition's position is outside the log (deleted by retention, or a seek past the end), or
 * the group has no committed offset for it, and `autoOffsetReset` is 'none'. The partition stops fetching until the application seeks it.
 */
export class OffsetOutOfRangeError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_OFFSET_OUT_OF_RANGE'
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  constructor (topic: string, partition: number, offset: bigint, detail = `offset ${offset} is out of range`) {
    super(`${topic}-${partition}: ${detail} and autoOffsetReset is 'none'; seek the partition to go on`, { action: 'fatal', reason: 'offset-out-of-range' })
    this.topic = topic
    this.partition = partition
    this.offset = offset
  }
}

/** A partition that cannot be fetched for a reason retrying cannot fix (authorization, a corrupt batch, …). */
export class PartitionFetchError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_PARTITION_FETCH'
  readonly topic: string
  readonly partition: number
  constructor (topic: string, partition: number, cause: unknown) {
    super(`${topic}-${partition} stopped: ${cause instanceof Error ? cause.message : String(cause)}; seek the partition to try again`, { action: 'fatal', reason: 'partition-fetch', cause })
    this.topic = topic
    this.partition = partition
  }
}

/**
 * The group moved on before the commit reached it (a rebalance, or the member was removed): the
 * offsets were not committed. The partitions' new owner resumes from the last committed offsets.
 */
export class CommitFailedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_COMMIT_FAILED'
  constructor (message: string, cause: unknown) {
    super(message, { action: 'rejoin', reason: 'commit-failed', cause })
  }
}

/**
 * The coordinator did not answer a heartbeat for a whole session: the group has removed the
 * member by now, so its partitions were given up (without a commit) and it joins the group again.
 */
export class SessionLostError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_SESSION_LOST'
  constructor (groupId: string, sessionTimeoutMs: number, cause: unknown) {
    super(`group ${groupId}: no heartbeat answered for a whole session (${sessionTimeoutMs} ms); the partitions were given up`, { action: 'rejoin', reason: 'session-lost', cause })
  }
}

/**
 * `groupProtocol: 'consumer'` (KIP-848) and a coordinator that does not speak it: Kafka before 4.0
 * has no ConsumerGroupHeartbeat (or offers it with the protocol switched off). Fatal: use
 * `groupProtocol: 'classic'` with such a cluster.
 */
export class GroupProtocolUnavailableError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_GROUP_PROTOCOL_UNAVAILABLE'
  constructor (groupId: string, detail: string, cause: unknown) {
    super(`group ${groupId}: groupProtocol 'consumer' (KIP-848, ConsumerGroupHeartbeat) needs Kafka 4.0 or later with the consumer group protocol enabled; ${detail}. Use groupProtocol 'classic' with this cluster`, { action: 'fatal', reason: 'group-protocol-unavailable', cause })
  }
}

/**
 * Static membership (KIP-345) and two processes with one `groupInstanceId`: the classic
 * coordinator gives the place to the one that joined last and fences the other
 * (FENCED_INSTANCE_ID); a KIP-848 coordinator refuses the newcomer while the holder is still in
 * the group (UNRELEASED_INSTANCE_ID). Fatal for the consumer that receives it.
 */
export class GroupInstanceIdConflictError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_GROUP_INSTANCE_ID_CONFLICT'
  readonly errorCode: number
  constructor (groupId: string, groupInstanceId: string, errorCode: number, cause: unknown) {
    const what = errorCode === KafkaErrorCode.FENCED_INSTANCE_ID
      ? `another consumer joined with groupInstanceId '${groupInstanceId}' and took this member's place (FENCED_INSTANCE_ID)`
      : `groupInstanceId '${groupInstanceId}' is held by a member still in the group (UNRELEASED_INSTANCE_ID: it has not left and its session has not run out)`
    super(`group ${groupId}: ${what}; this consumer stopped. Each running consumer needs a groupInstanceId of its own`, { action: 'fatal', reason: 'group-instance-id-conflict', cause })
    this.errorCode = errorCode
  }
}

/** The error a stopped membership reports: a groupInstanceId conflict explained, any other as it came. */
export function membershipError (groupId: string, groupInstanceId: string | undefined, error: Error): Error {
  const code = error instanceof KafkaProtocolError ? error.errorCode : undefined
  if (groupInstanceId === undefined || (code !== KafkaErrorCode.FENCED_INSTANCE_ID && code !== KafkaErrorCode.UNRELEASED_INSTANCE_ID)) return error
  return new GroupInstanceIdConflictError(groupId, groupInstanceId, code, error)
}
