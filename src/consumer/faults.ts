/**
 * The consumer's fault policy, in one place: what a partition-level error in a Fetch or
 * ListOffsets answer means for that partition. The action of every code still comes from the
 * project's classifier (resilience/classify.ts); this maps it onto what a fetch loop can do.
 *
 * | verdict | codes | what the consumer does |
 * |---|---|---|
 * | `move` | NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION, REPLICA_NOT_AVAILABLE, … (`refresh-metadata`) | takes the partition out of its broker's loop, refreshes metadata, puts it in its leader's loop |
 * | `reset` | OFFSET_OUT_OF_RANGE | autoOffsetReset: earliest / latest; 'none' surfaces OffsetOutOfRangeError |
 * | `backoff` | REQUEST_TIMED_OUT, CORRUPT_MESSAGE, … (`retry`) | skips the partition for a backoff delay, same broker |
 * | `stop` | authorization failures, unsupported compression, … (`fatal`) | surfaces PartitionFetchError; the partition waits for a seek |
 *
 * A Fetch that fails as a whole (broken connection, timeout) is retried by the broker's loop
 * through the retry loop, whose hooks refresh metadata and move the partitions whose leader changed.
 *
 * Group answers go through the retry loop with the classifier's actions directly: `rejoin`
 * (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID; for KIP-848 members
 * FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID, which give the partitions up uncommitted and join at
 * epoch 0) rejoins, `refresh-coordinator` (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS) and transport errors forget the coordinator and find it again,
 * within COORDINATOR_RETRY_MS (resilience/coordinator-looks.ts, the admin's rule too).
 * A ConsumerGroupHeartbeat answered UNSUPPORTED_VERSION (the protocol switched off) is an
 * unsupported API, as is a broker without it: GroupProtocolUnavailableError.
 *
 * Commits differ in one case (commitClassification): STALE_MEMBER_EPOCH, a KIP-848 member that
 * committed with the epoch before the one its latest heartbeat brought. It is still the partition's
 * owner, so the commit is retried (each attempt reads the member's current epoch) instead of
 * failing as a rejoin would.
 */
import { classify, classifyKafkaErrorCode, type Classification } from '../resilience/classify.ts'
import { KafkaProtocolError } from '../resilience/errors.ts'
import { KafkaErrorCode } from '../resilience/kafka-errors.ts'

export type PartitionVerdict = 'move' | 'reset' | 'backoff' | 'stop'

/** What a partition's error code in a Fetch or ListOffsets answer means. */
export function partitionVerdict (errorCode: number): PartitionVerdict {
  if (errorCode === KafkaErrorCode.OFFSET_OUT_OF_RANGE) return 'reset'
  return fromAction(classifyKafkaErrorCode(errorCode).action)
}

function fromAction (action: Classification['action']): PartitionVerdict {
  switch (action) {
    case 'refresh-metadata':
    case 'reconnect':
    case 'refresh-coordinator':
      return 'move'
    case 'retry':
      return 'backoff'
    case 'rejoin':
    case 'fatal':
      return 'stop'
  }
}

/** How the retry loop treats a failed OffsetCommit attempt. */
export function commitClassification (error: unknown): Classification {
  const classification = classify(error)
  if (error instanceof KafkaProtocolError && error.errorCode === KafkaErrorCode.STALE_MEMBER_EPOCH) return { ...classification, action: 'retry' }
  return classification
}
