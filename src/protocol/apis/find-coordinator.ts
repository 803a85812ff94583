import { api, f } from '../descriptor.ts'

/** FindCoordinator (API key 10). */
export const FindCoordinator = api({
  name: 'FindCoordinator',
  apiKey: 10,
  validVersions: '0-6',
  flexibleVersions: '3+',
  request: [
    f('key', 'string', '0-3'),
    f('keyType', 'int8', '1+', { default: 0 }),
    f('coordinatorKeys', '[]string', '4+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0-3'),
    f('errorMessage', 'string', '1-3', { nullableVersions: '1-3' }),
    f('nodeId', 'int32', '0-3'),
    f('host', 'string', '0-3'),
    f('port', 'int32', '0-3'),
    f('coordinators', '[]Coordinator', '4+', {}, [
      f('key', 'string', '4+'),
      f('nodeId', 'int32', '4+'),
      f('host', 'string', '4+'),
      f('port', 'int32', '4+'),
      f('errorCode', 'int16', '4+'),
      f('errorMessage', 'string', '4+', { nullableVersions: '4+' }),
    ]),
  ],
})
