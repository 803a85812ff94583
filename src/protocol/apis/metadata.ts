import { api, f } from '../descriptor.ts'

/** Metadata (API key 3). */
export const Metadata = api({
  name: 'Metadata',
  apiKey: 3,
  validVersions: '0-13',
  flexibleVersions: '9+',
  request: [
    f('topics', '[]MetadataRequestTopic', '0+', { nullableVersions: '1+' }, [
      f('topicId', 'uuid', '10+'),
      f('name', 'string', '0+', { nullableVersions: '10+' }),
    ]),
    f('allowAutoTopicCreation', 'bool', '4+', { default: true }),
    f('includeClusterAuthorizedOperations', 'bool', '8-10'),
    f('includeTopicAuthorizedOperations', 'bool', '8+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f('brokers', '[]MetadataResponseBroker', '0+', {}, [
      f('nodeId', 'int32', '0+'),
      f('host', 'string', '0+'),
      f('port', 'int32', '0+'),
      f('rack', 'string', '1+', { nullableVersions: '1+', default: null }),
    ]),
    f('clusterId', 'string', '2+', { nullableVersions: '2+', default: null }),
    f('controllerId', 'int32', '1+', { default: -1 }),
    f('topics', '[]MetadataResponseTopic', '0+', {}, [
      f('errorCode', 'int16', '0+'),
      f('name', 'string', '0+', { nullableVersions: '12+' }),
      f('topicId', 'uuid', '10+'),
      f('isInternal', 'bool', '1+', { default: false }),
      f('partitions', '[]MetadataResponsePartition', '0+', {}, [
        f('errorCode', 'int16', '0+'),
        f('partitionIndex', 'int32', '0+'),
        f('leaderId', 'int32', '0+'),
        f('leaderEpoch', 'int32', '7+', { default: -1 }),
        f('replicaNodes', '[]int32', '0+'),
        f('isrNodes', '[]int32', '0+'),
        f('offlineReplicas', '[]int32', '5+'),
      ]),
      f('topicAuthorizedOperations', 'int32', '8+', { default: -2147483648 }),
    ]),
    f('clusterAuthorizedOperations', 'int32', '8-10', { default: -2147483648 }),
    f('errorCode', 'int16', '13+'),
  ],
})
