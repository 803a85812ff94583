import { api, f } from '../descriptor.ts'

/** InitProducerId (API key 22). */
export const InitProducerId = api({
  name: 'InitProducerId',
  apiKey: 22,
  validVersions: '0-5',
  flexibleVersions: '2+',
  request: [
    f('transactionalId', 'string', '0+', { nullableVersions: '0+' }),
    f('transactionTimeoutMs', 'int32', '0+'),
    f('producerId', 'int64', '3+', { default: -1n }),
    f('producerEpoch', 'int16', '3+', { default: -1 }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('producerId', 'int64', '0+', { default: -1n }),
    f('producerEpoch', 'int16', '0+'),
  ],
})
