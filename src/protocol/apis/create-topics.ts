import { api, f } from '../descriptor.ts'

/** CreateTopics (API key 19). */
export const CreateTopics = api({
  name: 'CreateTopics',
  apiKey: 19,
  validVersions: '0-7',
  flexibleVersions: '5+',
  request: [
    f('topics', '[]CreatableTopic', '0+', {}, [
      f('name', 'string', '0+'),
      f('numPartitions', 'int32', '0+'),
      f('replicationFactor', 'int16', '0+'),
      f('assignments', '[]CreatableReplicaAssignment', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('brokerIds', '[]int32', '0+'),
      ]),
      f('configs', '[]CreatableTopicConfig', '0+', {}, [
        f('name', 'string', '0+'),
        f('value', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    f('validateOnly', 'bool', '1+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f('topics', '[]CreatableTopicResult', '0+', {}, [
      f('name', 'string', '0+'),
      f('topicId', 'uuid', '7+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '1+', { nullableVersions: '0+' }),
      f('topicConfigErrorCode', 'int16', '5+', { taggedVersions: '5+', tag: 0 }),
      f('numPartitions', 'int32', '5+', { default: -1 }),
      f('replicationFactor', 'int16', '5+', { default: -1 }),
      f('configs', '[]CreatableTopicConfigs', '5+', { nullableVersions: '5+' }, [
        f('name', 'string', '5+'),
        f('value', 'string', '5+', { nullableVersions: '5+' }),
        f('readOnly', 'bool', '5+'),
        f('configSource', 'int8', '5+', { default: -1 }),
        f('isSensitive', 'bool', '5+'),
      ]),
    ]),
  ],
})
