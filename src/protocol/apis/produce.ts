import { api, f } from '../descriptor.ts'

/** Produce (API key 0). */
export const Produce = api({
  name: 'Produce',
  apiKey: 0,
  validVersions: '0-11',
  flexibleVersions: '9+',
  request: [
    f('transactionalId', 'string', '3+', { nullableVersions: '3+', default: null }),
    f('acks', 'int16', '0+'),
    f('timeoutMs', 'int32', '0+'),
    f('topicData', '[]TopicProduceData', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitionData', '[]PartitionProduceData', '0+', {}, [
        f('index', 'int32', '0+'),
        f('records', 'records', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
  response: [
    f('responses', '[]TopicProduceResponse', '0+', {}, [
      f('name', 'string', '0+'),
      f('partitionResponses', '[]PartitionProduceResponse', '0+', {}, [
        f('index', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('baseOffset', 'int64', '0+'),
        f('logAppendTimeMs', 'int64', '2+', { default: -1n }),
        f('logStartOffset', 'int64', '5+', { default: -1n }),
        f('recordErrors', '[]BatchIndexAndErrorMessage', '8+', {}, [
          f('batchIndex', 'int32', '8+'),
          f('batchIndexErrorMessage', 'string', '8+', { nullableVersions: '8+', default: null }),
        ]),
        f('errorMessage', 'string', '8+', { nullableVersions: '8+', default: null }),
        f('currentLeader', 'LeaderIdAndEpoch', '10+', { taggedVersions: '10+', tag: 0 }, [
          f('leaderId', 'int32', '10+', { default: -1 }),
          f('leaderEpoch', 'int32', '10+', { default: -1 }),
        ]),
      ]),
    ]),
    f('throttleTimeMs', 'int32', '1+', { default: 0 }),
    f('nodeEndpoints', '[]NodeEndpoint', '10+', { taggedVersions: '10+', tag: 0 }, [
      f('nodeId', 'int32', '10+'),
      f('host', 'string', '10+'),
      f('port', 'int32', '10+'),
      f('rack', 'string', '10+', { nullableVersions: '10+', default: null }),
    ]),
  ],
})
