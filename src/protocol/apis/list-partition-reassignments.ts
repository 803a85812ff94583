import { api, f } from '../descriptor.ts'

/** ListPartitionReassignments (API key 46). */
export const ListPartitionReassignments = api({
  name: 'ListPartitionReassignments',
  apiKey: 46,
  validVersions: '0',
  flexibleVersions: '0+',
  request: [
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    f('topics', '[]ListPartitionReassignmentsTopics', '0+', { nullableVersions: '0+', default: null }, [
      f('name', 'string', '0+'),
      f('partitionIndexes', '[]int32', '0+'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    f('topics', '[]OngoingTopicReassignment', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]OngoingPartitionReassignment', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('replicas', '[]int32', '0+'),
        f('addingReplicas', '[]int32', '0+'),
        f('removingReplicas', '[]int32', '0+'),
      ]),
    ]),
  ],
})
