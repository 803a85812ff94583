import { api, f } from '../descriptor.ts'

/** AlterPartitionReassignments (API key 45). */
export const AlterPartitionReassignments = api({
  name: 'AlterPartitionReassignments',
  apiKey: 45,
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    f('allowReplicationFactorChange', 'bool', '1+', { default: true }),
    f('topics', '[]ReassignableTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]ReassignablePartition', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('replicas', '[]int32', '0+', { nullableVersions: '0+', default: null }),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('allowReplicationFactorChange', 'bool', '1+', { default: true }),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    f('responses', '[]ReassignableTopicResponse', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitions', '[]ReassignablePartitionResponse', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
})
