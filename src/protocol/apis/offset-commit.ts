import { api, f } from '../descriptor.ts'

/** OffsetCommit (API key 8). */
export const OffsetCommit = api({
  name: 'OffsetCommit',
  apiKey: 8,
  validVersions: '0-9',
  flexibleVersions: '8+',
  request: [
    f('groupId', 'string', '0+'),
    f('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '1+'),
    f('groupInstanceId', 'string', '7+', { nullableVersions: '7+', default: null }),
    f('retentionTimeMs', 'int64', '2-4', { default: -1n }),
    f('topics', '[]OffsetCommitRequestTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]OffsetCommitRequestPartition', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('committedOffset', 'int64', '0+'),
        f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
        f('commitTimestamp', 'int64', '1', { default: -1n }),
        f('committedMetadata', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f('topics', '[]OffsetCommitResponseTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]OffsetCommitResponsePartition', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
      ]),
    ]),
  ],
})
