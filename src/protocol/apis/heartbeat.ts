import { api, f } from '../descriptor.ts'

/** Heartbeat (API key 12). */
export const Heartbeat = api({
  name: 'Heartbeat',
  apiKey: 12,
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    f('groupId', 'string', '0+'),
    f('generationId', 'int32', '0+'),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '3+', { nullableVersions: '3+', default: null }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
  ],
})
