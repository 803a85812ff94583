/**
 * Kafka's error table: every error code a broker can answer (Kafka 0.8 to 4.x), with its name,
 * Kafka's own "retriable" flag, a one-line meaning, and the recovery action steadfast takes.
 * The actions follow the fault classification in docs/resilience.md. It lives in resilience/ (the
 * lowest layer) so that the classifier can use it without I/O; protocol/ re-exports it.
 */
import type { RecoveryAction } from './errors.ts'
import { KafkaProtocolError } from './errors.ts'

export interface KafkaErrorInfo {
  code: number
  name: string
  /** Kafka's own classification (RetriableException in the Java client). */
  retriable: boolean
  action: RecoveryAction
  message: string
}

type Row = readonly [code: number, name: string, retriable: boolean, action: RecoveryAction, message: string]

const T = true
const F = false
const ROWS = [
  [-1, 'UNKNOWN_SERVER_ERROR', F, 'fatal', 'The server hit an unexpected error while handling the request.'],
  [0, 'NONE', F, 'fatal', 'No error.'],
  [1, 'OFFSET_OUT_OF_RANGE', F, 'fatal', 'The requested offset is outside the range the server holds for this partition.'],
  [2, 'CORRUPT_MESSAGE', T, 'retry', 'A message failed its CRC check, exceeds the valid size, has a null key on a compacted topic, or is otherwise corrupt.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', T, 'refresh-metadata', 'This server does not host this topic-partition.'],
  [4, 'INVALID_FETCH_SIZE', F, 'fatal', 'The requested fetch size is invalid.'],
  [5, 'LEADER_NOT_AVAILABLE', T, 'refresh-metadata', 'The partition has no leader right now (a leader election is in progress).'],
  [6, 'NOT_LEADER_OR_FOLLOWER', T, 'refresh-metadata', 'This broker is not the leader or a follower of the partition: the client has stale metadata.'],
  [7, 'REQUEST_TIMED_OUT', T, 'retry', 'The request timed out on the broker.'],
  [8, 'BROKER_NOT_AVAILABLE', F, 'refresh-metadata', 'The broker is not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', T, 'refresh-metadata', 'The replica is not available for the requested topic-partition.'],
  [10, 'MESSAGE_TOO_LARGE', F, 'fatal', 'The request included a message larger than the maximum the server accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', F, 'fatal', 'The controller moved to another broker.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', F, 'fatal', 'The metadata attached to the offset commit is too large.'],
  [13, 'NETWORK_EXCEPTION', T, 'reconnect', 'The server disconnected before a response was received.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', T, 'refresh-coordinator', 'The coordinator is still loading its state.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', T, 'refresh-coordinator', 'The coordinator is not available.'],
  [16, 'NOT_COORDINATOR', T, 'refresh-coordinator', 'This broker is not the coordinator for the group or transaction.'],
  [17, 'INVALID_TOPIC_EXCEPTION', F, 'fatal', 'The topic name is invalid or the request targets an internal topic it may not.'],
  [18, 'RECORD_LIST_TOO_LARGE', F, 'fatal', 'The record batch is larger than the maximum segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', T, 'retry', 'There are fewer in-sync replicas than min.insync.replicas requires.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', T, 'retry', 'The records were written, but to fewer in-sync replicas than required.'],
  [21, 'INVALID_REQUIRED_ACKS', F, 'fatal', 'The producer asked for an invalid number of acknowledgments.'],
  [22, 'ILLEGAL_GENERATION', F, 'rejoin', 'The group generation given is not the current one.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', F, 'fatal', 'The member\'s protocol type or protocols do not match the group\'s.'],
  [24, 'INVALID_GROUP_ID', F, 'fatal', 'The group id is invalid.'],
  [25, 'UNKNOWN_MEMBER_ID', F, 'rejoin', 'The coordinator does not know this member.'],
  [26, 'INVALID_SESSION_TIMEOUT', F, 'fatal', 'The session timeout is outside the range the broker allows.'],
  [27, 'REBALANCE_IN_PROGRESS', F, 'rejoin', 'The group is rebalancing: the member must rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', F, 'fatal', 'The committed offset is too large.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', F, 'fatal', 'Not authorized to access the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', F, 'fatal', 'Not authorized to access the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', F, 'fatal', 'Not authorized for this cluster operation.'],
  [32, 'INVALID_TIMESTAMP', F, 'fatal', 'The record timestamp is outside the accepted range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', F, 'fatal', 'The broker does not support the requested SASL mechanism.'],
  [34, 'ILLEGAL_SASL_STATE', F, 'fatal', 'The request is not valid in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', F, 'fatal', 'The broker does not support this version of the API.'],
  [36, 'TOPIC_ALREADY_EXISTS', F, 'fatal', 'A topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', F, 'fatal', 'The number of partitions is invalid.'],
  [38, 'INVALID_REPLICATION_FACTOR', F, 'fatal', 'The replication factor is invalid (often: larger than the number of brokers).'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', F, 'fatal', 'The replica assignment is invalid.'],
  [40, 'INVALID_CONFIG', F, 'fatal', 'The configuration is invalid.'],
  [41, 'NOT_CONTROLLER', T, 'refresh-metadata', 'This broker is not the controller: the client has stale metadata.'],
  [42, 'INVALID_REQUEST', F, 'fatal', 'The request is malformed or not valid for this broker (see the broker log).'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', F, 'fatal', 'The topic\'s message format does not support this request.'],
  [44, 'POLICY_VIOLATION', F, 'fatal', 'The request violates a configured policy.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', F, 'fatal', 'The broker received a producer sequence number out of order.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', F, 'fatal', 'The broker received a duplicate producer sequence number.'],
  [47, 'INVALID_PRODUCER_EPOCH', F, 'fatal', 'The producer epoch is older than the current one (another producer took over).'],
  [48, 'INVALID_TXN_STATE', F, 'fatal', 'The operation is not valid in the transaction\'s current state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', F, 'fatal', 'The producer id does not match the transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', F, 'fatal', 'The transaction timeout exceeds transaction.max.timeout.ms.'],
  [51, 'CONCURRENT_TRANSACTIONS', T, 'retry', 'Another transaction operation for this producer is still in progress.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', F, 'fatal', 'This transaction coordinator was replaced by a newer one.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', F, 'fatal', 'Not authorized to use this transactional id.'],
  [54, 'SECURITY_DISABLED', F, 'fatal', 'Security features are disabled on the broker.'],
  [55, 'OPERATION_NOT_ATTEMPTED', F, 'fatal', 'The broker did not attempt this operation because another in the batch failed.'],
  [56, 'KAFKA_STORAGE_ERROR', T, 'refresh-metadata', 'A disk error on the broker while serving the partition.'],
  [57, 'LOG_DIR_NOT_FOUND', F, 'fatal', 'The log directory was not found in the broker\'s configuration.'],
  [58, 'SASL_AUTHENTICATION_FAILED', F, 'fatal', 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', F, 'fatal', 'The broker has no state for this producer id (its records may have expired).'],
  [60, 'REASSIGNMENT_IN_PROGRESS', F, 'fatal', 'A partition reassignment is in progress.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', F, 'fatal', 'Delegation token authentication is disabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', F, 'fatal', 'The delegation token was not found.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', F, 'fatal', 'The principal does not own the delegation token.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', F, 'fatal', 'Delegation token requests are not allowed on this connection.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', F, 'fatal', 'Not authorized for this delegation token operation.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', F, 'fatal', 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', F, 'fatal', 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', F, 'fatal', 'The group is not empty.'],
  [69, 'GROUP_ID_NOT_FOUND', F, 'fatal', 'The group does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', T, 'retry', 'The fetch session was not found.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', T, 'retry', 'The fetch session epoch is invalid.'],
  [72, 'LISTENER_NOT_FOUND', T, 'refresh-metadata', 'The leader has no endpoint for the listener the request came in on.'],
  [73, 'TOPIC_DELETION_DISABLED', F, 'fatal', 'Topic deletion is disabled on the broker.'],
  [74, 'FENCED_LEADER_EPOCH', T, 'refresh-metadata', 'The leader epoch in the request is older than the broker\'s.'],
  [75, 'UNKNOWN_LEADER_EPOCH', T, 'refresh-metadata', 'The leader epoch in the request is newer than the broker\'s.'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', F, 'fatal', 'The consumer does not support the compression type of the records.'],
  [77, 'STALE_BROKER_EPOCH', F, 'fatal', 'The broker epoch has changed.'],
  [78, 'OFFSET_NOT_AVAILABLE', T, 'retry', 'The leader\'s high watermark has not caught up since its election.'],
  [79, 'MEMBER_ID_REQUIRED', F, 'rejoin', 'The member must join again with the member id the coordinator assigned.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', T, 'refresh-metadata', 'The preferred leader is not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', F, 'fatal', 'The group has reached its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', F, 'fatal', 'Another member with the same group.instance.id fenced this one.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', T, 'retry', 'No eligible leader is available for the election.'],
  [84, 'ELECTION_NOT_NEEDED', T, 'fatal', 'The election is not needed: the preferred leader already leads.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', F, 'fatal', 'No partition reassignment is in progress.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', F, 'fatal', 'The group is actively subscribed to the topic.'],
  [87, 'INVALID_RECORD', F, 'fatal', 'The broker rejected a record as invalid.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', T, 'retry', 'Pending transactional offset commits for this partition have not completed.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', T, 'retry', 'The throttling quota was exceeded.'],
  [90, 'PRODUCER_FENCED', F, 'fatal', 'A newer producer with the same transactional id fenced this one.'],
  [91, 'RESOURCE_NOT_FOUND', F, 'fatal', 'The resource does not exist.'],
  [92, 'DUPLICATE_RESOURCE', F, 'fatal', 'The resource is a duplicate.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', F, 'fatal', 'The credential does not meet the broker\'s requirements.'],
  [94, 'INCONSISTENT_VOTER_SET', F, 'fatal', 'The voter sets of the request and the quorum differ.'],
  [95, 'INVALID_UPDATE_VERSION', F, 'fatal', 'The update version is invalid.'],
  [96, 'FEATURE_UPDATE_FAILED', F, 'fatal', 'The feature update could not be applied.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', F, 'fatal', 'The forwarded principal could not be deserialized.'],
  [98, 'SNAPSHOT_NOT_FOUND', F, 'fatal', 'The snapshot was not found.'],
  [99, 'POSITION_OUT_OF_RANGE', F, 'fatal', 'The requested position is outside the log\'s range.'],
  [100, 'UNKNOWN_TOPIC_ID', T, 'refresh-metadata', 'This server does not host a topic with this id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', F, 'fatal', 'A broker with this id is already registered.'],
  [102, 'BROKER_ID_NOT_REGISTERED', F, 'fatal', 'The broker id is not registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', T, 'refresh-metadata', 'The topic id in the request does not match the log\'s.'],
  [104, 'INCONSISTENT_CLUSTER_ID', F, 'fatal', 'The cluster id in the request does not match the broker\'s.'],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', F, 'fatal', 'The transactional id was not found.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', T, 'retry', 'The fetch session hit a topic id mismatch.'],
  [107, 'INELIGIBLE_REPLICA', F, 'fatal', 'The replica is not eligible to join the ISR.'],
  [108, 'NEW_LEADER_ELECTED', F, 'refresh-metadata', 'A new leader was elected while the request was in flight.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', F, 'fatal', 'The requested offset has moved to tiered storage.'],
  [110, 'FENCED_MEMBER_EPOCH', F, 'rejoin', 'The member epoch is fenced: the member must rejoin with epoch 0.'],
  [111, 'UNRELEASED_INSTANCE_ID', F, 'fatal', 'The instance id is still used by another member.'],
  [112, 'UNSUPPORTED_ASSIGNOR', F, 'fatal', 'The assignor is not supported by the group.'],
  [113, 'STALE_MEMBER_EPOCH', F, 'rejoin', 'The member epoch is stale.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', F, 'fatal', 'The request went to an endpoint of the wrong type.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', F, 'fatal', 'This endpoint type does not support the request.'],
  [116, 'UNKNOWN_CONTROLLER_ID', F, 'refresh-metadata', 'The controller id is unknown.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', F, 'fatal', 'The client telemetry subscription id is unknown.'],
  [118, 'TELEMETRY_TOO_LARGE', F, 'fatal', 'The client telemetry payload is too large.'],
  [119, 'INVALID_REGISTRATION', F, 'fatal', 'The controller rejected the registration.'],
  [120, 'TRANSACTION_ABORTABLE', F, 'fatal', 'The transaction must be aborted by the producer.'],
  [121, 'INVALID_RECORD_STATE', F, 'fatal', 'The record state is invalid for the share-group acknowledgement.'],
  [122, 'SHARE_SESSION_NOT_FOUND', T, 'retry', 'The share session was not found.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', T, 'retry', 'The share session epoch is invalid.'],
  [124, 'FENCED_STATE_EPOCH', F, 'fatal', 'The share-coordinator state epoch is fenced.'],
  [125, 'INVALID_VOTER_KEY', F, 'fatal', 'The voter key does not match the receiving replica.'],
  [126, 'DUPLICATE_VOTER', F, 'fatal', 'The voter is already in the voter set.'],
  [127, 'VOTER_NOT_FOUND', F, 'fatal', 'The voter is not in the voter set.'],
  [128, 'INVALID_REGULAR_EXPRESSION', F, 'fatal', 'The regular expression is invalid.'],
  [129, 'REBOOTSTRAP_REQUIRED', F, 'reconnect', 'The client must rebootstrap its metadata from the bootstrap servers.'],
  [130, 'STREAMS_INVALID_TOPOLOGY', F, 'fatal', 'The streams topology is invalid.'],
  [131, 'STREAMS_INVALID_TOPOLOGY_EPOCH', F, 'fatal', 'The streams topology epoch is invalid.'],
  [132, 'STREAMS_TOPOLOGY_FENCED', F, 'fatal', 'The streams topology was fenced.'],
  [133, 'SHARE_SESSION_LIMIT_REACHED', T, 'retry', 'The broker reached its share-session limit.'],
] as const satisfies readonly Row[]

const BY_CODE = new Map<number, KafkaErrorInfo>()
const BY_NAME = new Map<string, KafkaErrorInfo>()
for (const [code, name, retriable, action, message] of ROWS) {
  const info = Object.freeze({ code, name, retriable, action, message })
  BY_CODE.set(code, info)
  BY_NAME.set(name, info)
}

type Rows = typeof ROWS[number]
/** The name of every error in the table: `'NOT_COORDINATOR'`, … */
export type KafkaErrorName = Rows[1]

/**
 * Every error code by its name, read off the table (`KafkaErrorCode.NOT_COORDINATOR` is 16), for
 * code that compares a response's error code with the ones it handles.
 */
export const KafkaErrorCode: { readonly [Row in Rows as Row[1]]: Row[0] } =
  Object.freeze(Object.fromEntries(ROWS.map(([code, name]) => [name, code]))) as { readonly [Row in Rows as Row[1]]: Row[0] }

/** Every known Kafka error, in code order. */
export const KAFKA_ERRORS: readonly KafkaErrorInfo[] = [...BY_CODE.values()]

/** The entry for a numeric code; an unknown code is described as such and treated as fatal. */
export function kafkaErrorInfo (code: number): KafkaErrorInfo {
  return BY_CODE.get(code) ?? { code, name: `UNKNOWN_ERROR_CODE_${code}`, retriable: false, action: 'fatal', message: `The broker answered error code ${code}, which steadfast does not know.` }
}

export function kafkaErrorByName (name: string): KafkaErrorInfo | undefined {
  return BY_NAME.get(name)
}

/**
 * Builds the error for a broker's error code. `context` says where it came from
 * (e.g. "Produce to orders-3 on broker 2"), and is put in front of Kafka's own explanation.
 */
export function kafkaError (code: number, context: string, options: { serverMessage?: string | null, cause?: unknown, retryAfterMs?: number } = {}): KafkaProtocolError {
  const info = kafkaErrorInfo(code)
  const detail = options.serverMessage != null && options.serverMessage !== '' ? ` (broker said: ${options.serverMessage})` : ''
  return new KafkaProtocolError(`${context}: ${info.name} (${code}): ${info.message}${detail}`, {
    errorCode: code,
    errorName: info.name,
    kafkaRetriable: info.retriable,
    action: info.action,
    cause: options.cause,
    retryAfterMs: options.retryAfterMs,
  })
}
