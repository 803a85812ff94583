/**
 * The oldest version of each API that Kafka 4.0 still accepts (KIP-896 removed the ones below;
 * a broker closes the connection on them), for the APIs steadfast speaks. From Apache Kafka's
 * 4.0 upgrade notes (see shared/reference/real-kafka.md). JoinGroup v0-1 came back in 4.0.1, but a
 * client must not depend on them.
 */
export const KIP_896_MINIMUM: Readonly<Record<string, number>> = {
  Produce: 3,
  Fetch: 4,
  ListOffsets: 1,
  OffsetCommit: 2,
  OffsetFetch: 1,
  OffsetForLeaderEpoch: 2,
  JoinGroup: 2,
  CreateTopics: 2,
  DeleteTopics: 1,
  DescribeConfigs: 1,
}
