import { api, f } from '../descriptor.ts'

/** JoinGroup (API key 11). */
export const JoinGroup = api({
  name: 'JoinGroup',
  apiKey: 11,
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    f('groupId', 'string', '0+'),
    f('sessionTimeoutMs', 'int32', '0+'),
    f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '5+', { nullableVersions: '5+', default: null }),
    f('protocolType', 'string', '0+'),
    f('protocols', '[]JoinGroupRequestProtocol', '0+', {}, [
      f('name', 'string', '0+'),
      f('metadata', 'bytes', '0+'),
    ]),
    f('reason', 'string', '8+', { nullableVersions: '8+', default: null }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f('errorCode', 'int16', '0+'),
    f('generationId', 'int32', '0+', { default: -1 }),
    f('protocolType', 'string', '7+', { nullableVersions: '7+', default: null }),
    f('protocolName', 'string', '0+', { nullableVersions: '7+' }),
    f('leader', 'string', '0+'),
    f('skipAssignment', 'bool', '9+', { default: false }),
    f('memberId', 'string', '0+'),
    f('members', '[]JoinGroupResponseMember', '0+', {}, [
      f('memberId', 'string', '0+'),
      f('groupInstanceId', 'string', '5+', { nullableVersions: '5+', default: null }),
      f('metadata', 'bytes', '0+'),
    ]),
  ],
})
