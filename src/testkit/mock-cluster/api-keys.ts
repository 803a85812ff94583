/**
 * Kafka API keys by name, for the controls that take one (request errors, version ranges, request
 * tracking). Plain numbers work too; this is only a readable spelling of the common ones.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  ConsumerGroupHeartbeat: 68,
} as const

export type ApiKeyName = keyof typeof ApiKey

/** librdkafka's code that makes a mock broker drop the connection instead of answering. */
export const TRANSPORT_ERROR = -195
