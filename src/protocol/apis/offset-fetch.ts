import { api, f } from '../descriptor.ts'

/** OffsetFetch (API key 9). */
export const OffsetFetch = api({
  name: 'OffsetFetch',
  apiKey: 9,
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    f('groupId', 'string', '0-7'),
    f('topics', '[]OffsetFetchRequestTopic', '0-7', { nullableVersions: '2-7' }, [
      f('name', 'string', '0-7'),
      f('partitionIndexes', '[]int32', '0-7'),
    ]),
    f('groups', '[]OffsetFetchRequestGroup', '8+', {}, [
      f('groupId', 'string', '8+'),
      f('memberId', 'string', '9+', { nullableVersions: '9+', default: null }),
      f('memberEpoch', 'int32', '9+', { default: -1 }),
      f('topics', '[]OffsetFetchRequestTopics', '8+', { nullableVersions: '8+' }, [
        f('name', 'string', '8+'),
        f('partitionIndexes', '[]int32', '8+'),
      ]),
    ]),
    f('requireStable', 'bool', '7+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f('topics', '[]OffsetFetchResponseTopic', '0-7', {}, [
      f('name', 'string', '0-7'),
      f('partitions', '[]OffsetFetchResponsePartition', '0-7', {}, [
        f('partitionIndex', 'int32', '0-7'),
        f('committedOffset', 'int64', '0-7'),
        f('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
        f('metadata', 'string', '0-7', { nullableVersions: '0-7' }),
        f('errorCode', 'int16', '0-7'),
      ]),
    ]),
    f('errorCode', 'int16', '2-7', { default: 0 }),
    f('groups', '[]OffsetFetchResponseGroup', '8+', {}, [
      f('groupId', 'string', '8+'),
      f('topics', '[]OffsetFetchResponseTopics', '8+', {}, [
        f('name', 'string', '8+'),
        f('partitions', '[]OffsetFetchResponsePartitions', '8+', {}, [
          f('partitionIndex', 'int32', '8+'),
          f('committedOffset', 'int64', '8+'),
          f('committedLeaderEpoch', 'int32', '8+', { default: -1 }),
          f('metadata', 'string', '8+', { nullableVersions: '8+' }),
          f('errorCode', 'int16', '8+'),
        ]),
      ]),
      f('errorCode', 'int16', '8+', { default: 0 }),
    ]),
  ],
})
