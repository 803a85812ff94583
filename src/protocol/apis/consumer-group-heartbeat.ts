import { api, f } from '../descriptor.ts'

/**
 * ConsumerGroupHeartbeat (API key 68): the KIP-848 consumer group protocol. One request both
 * joins (MemberEpoch 0), heartbeats, reports the partitions the member owns, and leaves
 * (MemberEpoch -1, or -2 for a static member that will come back); the coordinator answers with
 * the member's epoch and, when it changed, the partitions the member may own now.
 */
export const ConsumerGroupHeartbeat = api({
  name: 'ConsumerGroupHeartbeat',
  apiKey: 68,
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [
    f('groupId', 'string', '0+'),
    f('memberId', 'string', '0+'),
    f('memberEpoch', 'int32', '0+'),
    f('instanceId', 'string', '0+', { nullableVersions: '0+', default: null }),
    f('rackId', 'string', '0+', { nullableVersions: '0+', default: null }),
    f('rebalanceTimeoutMs', 'int32', '0+', { default: -1 }),
    f('subscribedTopicNames', '[]string', '0+', { nullableVersions: '0+', default: null }),
    f('subscribedTopicRegex', 'string', '1+', { nullableVersions: '1+', default: null }),
    f('serverAssignor', 'string', '0+', { nullableVersions: '0+', default: null }),
    f('topicPartitions', '[]TopicPartitions', '0+', { nullableVersions: '0+', default: null }, [
      f('topicId', 'uuid', '0+'),
      f('partitions', '[]int32', '0+'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
    f('memberId', 'string', '0+', { nullableVersions: '0+', default: null }),
    f('memberEpoch', 'int32', '0+'),
    f('heartbeatIntervalMs', 'int32', '0+'),
    f('assignment', 'Assignment', '0+', { nullableVersions: '0+', default: null }, [
      f('topicPartitions', '[]TopicPartitions', '0+', {}, [
        f('topicId', 'uuid', '0+'),
        f('partitions', '[]int32', '0+'),
      ]),
    ]),
  ],
})
