import { api, f } from '../descriptor.ts'

/** OffsetDelete (API key 47). */
export const OffsetDelete = api({
  name: 'OffsetDelete',
  apiKey: 47,
  validVersions: '0',
  flexibleVersions: 'none',
  request: [
    f('groupId', 'string', '0+'),
    f('topics', '[]OffsetDeleteRequestTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]OffsetDeleteRequestPartition', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
      ]),
    ]),
  ],
  response: [
    f('errorCode', 'int16', '0+'),
    f('throttleTimeMs', 'int32', '0+'),
    f('topics', '[]OffsetDeleteResponseTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]OffsetDeleteResponsePartition', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
      ]),
    ]),
  ],
})
