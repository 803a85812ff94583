import { api, f } from '../descriptor.ts'

/** CreatePartitions (API key 37). */
export const CreatePartitions = api({
  name: 'CreatePartitions',
  apiKey: 37,
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    f('topics', '[]CreatePartitionsTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('count', 'int32', '0+'),
      f('assignments', '[]CreatePartitionsAssignment', '0+', { nullableVersions: '0+' }, [
        f('brokerIds', '[]int32', '0+'),
      ]),
    ]),
    f('timeoutMs', 'int32', '0+'),
    f('validateOnly', 'bool', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('results', '[]CreatePartitionsTopicResult', '0+', {}, [
      f('name', 'string', '0+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
    ]),
  ],
})
