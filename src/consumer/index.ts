/** The consumer's public API. See docs/consumer.md. */
export { Consumer, type SeekTarget, type RebalanceListeners, type RunOptions, type MessagesOptions, type PartitionEnd } from './consumer.ts'
export type { ConsumerOptions, ResolvedConsumerOptions, AutoOffsetReset, IsolationLevel, Deserializer, GroupProtocol } from './options.ts'
export type { ConsumerMessage, ConsumerBatch, TopicPartition } from './message.ts'
export type { OffsetToCommit } from './group/offsets.ts'
export { rangeAssignor, roundRobinAssignor, type Assignor, type AssignorMember, type GroupAssignment } from './group/assignors.ts'
export { cooperativeStickyAssignor } from './group/cooperative-sticky.ts'
export { encodeSubscription, decodeSubscription, encodeAssignment, decodeAssignment, type Subscription, type Assignment } from './group/consumer-protocol.ts'
export { ConsumerClosedError, OffsetOutOfRangeError, PartitionFetchError, CommitFailedError, SessionLostError, GroupProtocolUnavailableError } from './errors.ts'
