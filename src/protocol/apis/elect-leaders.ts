import { api, f } from '../descriptor.ts'

/** ElectLeaders (API key 43). */
export const ElectLeaders = api({
  name: 'ElectLeaders',
  apiKey: 43,
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f('electionType', 'int8', '1+'),
    f('topicPartitions', '[]TopicPartitions', '0+', { nullableVersions: '0+' }, [
      f('topic', 'string', '0+'),
      f('partitions', '[]int32', '0+'),
    ]),
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '1+'),
    f('replicaElectionResults', '[]ReplicaElectionResult', '0+', {}, [
      f('topic', 'string', '0+'),
      f('partitionResult', '[]PartitionResult', '0+', {}, [
        f('partitionId', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
})
