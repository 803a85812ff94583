import { api, f } from '../descriptor.ts'

/** OffsetForLeaderEpoch (API key 23). */
export const OffsetForLeaderEpoch = api({
  name: 'OffsetForLeaderEpoch',
  apiKey: 23,
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    f('replicaId', 'int32', '3+', { default: -2 }),
    f('topics', '[]OffsetForLeaderTopic', '0+', {}, [
      f('topic', 'string', '0+'),
      f('partitions', '[]OffsetForLeaderPartition', '0+', {}, [
        f('partition', 'int32', '0+'),
        f('currentLeaderEpoch', 'int32', '2+', { default: -1 }),
        f('leaderEpoch', 'int32', '0+'),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f('topics', '[]OffsetForLeaderTopicResult', '0+', {}, [
      f('topic', 'string', '0+'),
      f('partitions', '[]EpochEndOffset', '0+', {}, [
        f('errorCode', 'int16', '0+'),
        f('partition', 'int32', '0+'),
        f('leaderEpoch', 'int32', '1+', { default: -1 }),
        f('endOffset', 'int64', '0+', { default: -1n }),
      ]),
    ]),
  ],
})
