import { api, f } from '../descriptor.ts'

/** Fetch (API key 1). */
export const Fetch = api({
  name: 'Fetch',
  apiKey: 1,
  validVersions: '0-18',
  flexibleVersions: '12+',
  request: [
    f('clusterId', 'string', '12+', { nullableVersions: '12+', taggedVersions: '12+', tag: 0, default: null }),
    f('replicaId', 'int32', '0-14', { default: -1 }),
    f('replicaState', 'ReplicaState', '15+', { taggedVersions: '15+', tag: 1 }, [
      f('replicaId', 'int32', '15+', { default: -1 }),
      f('replicaEpoch', 'int64', '15+', { default: -1n }),
    ]),
    f('maxWaitMs', 'int32', '0+'),
    f('minBytes', 'int32', '0+'),
    f('maxBytes', 'int32', '3+', { default: 2147483647 }),
    f('isolationLevel', 'int8', '4+', { default: 0 }),
    f('sessionId', 'int32', '7+', { default: 0 }),
    f('sessionEpoch', 'int32', '7+', { default: -1 }),
    f('topics', '[]FetchTopic', '0+', {}, [
      f('topic', 'string', '0-12'),
      f('topicId', 'uuid', '13+'),
      f('partitions', '[]FetchPartition', '0+', {}, [
        f('partition', 'int32', '0+'),
        f('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
        f('fetchOffset', 'int64', '0+'),
        f('lastFetchedEpoch', 'int32', '12+', { default: -1 }),
        f('logStartOffset', 'int64', '5+', { default: -1n }),
        f('partitionMaxBytes', 'int32', '0+'),
        f('replicaDirectoryId', 'uuid', '17+', { taggedVersions: '17+', tag: 0 }),
        f('highWatermark', 'int64', '18+', { taggedVersions: '18+', tag: 1, default: 9223372036854775807n }),
      ]),
    ]),
    f('forgottenTopicsData', '[]ForgottenTopic', '7+', {}, [
      f('topic', 'string', '7-12'),
      f('topicId', 'uuid', '13+'),
      f('partitions', '[]int32', '7+'),
    ]),
    f('rackId', 'string', '11+', { default: '' }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '7+'),
    f('sessionId', 'int32', '7+', { default: 0 }),
    f('responses', '[]FetchableTopicResponse', '0+', {}, [
      f('topic', 'string', '0-12'),
      f('topicId', 'uuid', '13+'),
      f('partitions', '[]PartitionData', '0+', {}, [
        f('partitionIndex', 'int32', '0+'),
        f('errorCode', 'int16', '0+'),
        f('highWatermark', 'int64', '0+'),
        f('lastStableOffset', 'int64', '4+', { default: -1n }),
        f('logStartOffset', 'int64', '5+', { default: -1n }),
        f('divergingEpoch', 'EpochEndOffset', '12+', { taggedVersions: '12+', tag: 0 }, [
          f('epoch', 'int32', '12+', { default: -1 }),
          f('endOffset', 'int64', '12+', { default: -1n }),
        ]),
        f('currentLeader', 'LeaderIdAndEpoch', '12+', { taggedVersions: '12+', tag: 1 }, [
          f('leaderId', 'int32', '12+', { default: -1 }),
          f('leaderEpoch', 'int32', '12+', { default: -1 }),
        ]),
        f('snapshotId', 'SnapshotId', '12+', { taggedVersions: '12+', tag: 2 }, [
          f('endOffset', 'int64', '0+', { default: -1n }),
          f('epoch', 'int32', '0+', { default: -1 }),
        ]),
        f('abortedTransactions', '[]AbortedTransaction', '4+', { nullableVersions: '4+' }, [
          f('producerId', 'int64', '4+'),
          f('firstOffset', 'int64', '4+'),
        ]),
        f('preferredReadReplica', 'int32', '11+', { default: -1 }),
        f('records', 'records', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
    f('nodeEndpoints', '[]NodeEndpoint', '16+', { taggedVersions: '16+', tag: 0 }, [
      f('nodeId', 'int32', '16+'),
      f('host', 'string', '16+'),
      f('port', 'int32', '16+'),
      f('rack', 'string', '16+', { nullableVersions: '16+', default: null }),
    ]),
  ],
})
