import { api, f } from '../descriptor.ts'

/** SyncGroup (API key 14). */
export const SyncGroup = api({
  name: 'SyncGroup',
  apiKey: 14,
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    f('groupId', 'string', '0+'),
    f('generationId', 'int32', '0+'),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '3+', { nullableVersions: '3+', default: null }),
    f('protocolType', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('protocolName', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('assignments', '[]SyncGroupRequestAssignment', '0+', {}, [
      f('memberId', 'string', '0+'),
      f('assignment', 'bytes', '0+'),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    f('protocolType', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('protocolName', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('assignment', 'bytes', '0+'),
  ],
})
