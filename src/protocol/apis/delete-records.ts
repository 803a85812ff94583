import { api, f } from '../descriptor.ts'

/** DeleteRecords (API key 21). */
export const DeleteRecords = api({
  name: 'DeleteRecords',
  apiKey: 21,
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f('topics', '[]DeleteRecordsTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]DeleteRecordsPartition', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('offset', 'int64', '0+'),
      ]),
    ]),
    f('timeoutMs', 'int32', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('topics', '[]DeleteRecordsTopicResult', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]DeleteRecordsPartitionResult', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('lowWatermark', 'int64', '0+'),
        f('errorCode', 'int16', '0+'),
      ]),
    ]),
  ],
})
