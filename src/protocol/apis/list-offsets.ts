import { api, f } from '../descriptor.ts'

/** ListOffsets (API key 2). */
export const ListOffsets = api({
  name: 'ListOffsets',
  apiKey: 2,
  validVersions: '0-11',
  flexibleVersions: '6+',
  request: [
    f('replicaId', 'int32', '0+'),
    f('isolationLevel', 'int8', '2+'),
    f('topics', '[]ListOffsetsTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]ListOffsetsPartition', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
        f('timestamp', 'int64', '0+'),
        f('maxNumOffsets', 'int32', '0', { default: 1 }),
      ]),
    ]),
    f('timeoutMs', 'int32', '10+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f('topics', '[]ListOffsetsTopicResponse', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]ListOffsetsPartitionResponse', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('oldStyleOffsets', '[]int64', '0'),
        f('timestamp', 'int64', '1+', { default: -1n }),
        f('offset', 'int64', '1+', { default: -1n }),
        f('leaderEpoch', 'int32', '4+', { default: -1 }),
      ]),
    ]),
  ],
})
