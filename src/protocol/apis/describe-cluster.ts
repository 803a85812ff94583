import { api, f } from '../descriptor.ts'

/** DescribeCluster (API key 60). */
export const DescribeCluster = api({
  name: 'DescribeCluster',
  apiKey: 60,
  validVersions: '0-2',
  flexibleVersions: '0+',
  request: [
    f('includeClusterAuthorizedOperations', 'bool', '0+'),
    f('endpointType', 'int8', '1+', { default: 1 }),
    f('includeFencedBrokers', 'bool', '2+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+', default: null }),
    f('endpointType', 'int8', '1+', { default: 1 }),
    f('clusterId', 'string', '0+'),
    f('controllerId', 'int32', '0+', { default: -1 }),
    f('brokers', '[]DescribeClusterBroker', '0+', {}, [
      f('brokerId', 'int32', '0+'),
      f('host', 'string', '0+'),
      f('port', 'int32', '0+'),
      f('rack', 'string', '0+', { nullableVersions: '0+', default: null }),
      f('isFenced', 'bool', '2+'),
    ]),
    f('clusterAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
  ],
})
