import { api, f } from '../descriptor.ts'

/** LeaveGroup (API key 13). */
export const LeaveGroup = api({
  name: 'LeaveGroup',
  apiKey: 13,
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    f('groupId', 'string', '0+'),
    f('memberId', 'string', '0-2'),
    f('members', '[]MemberIdentity', '3+', {}, [
      f('memberId', 'string', '3+'),
      f('groupInstanceId', 'string', '3+', { nullableVersions: '3+', default: null }),
      f('reason', 'string', '5+', { nullableVersions: '5+', default: null }),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    f('members', '[]MemberResponse', '3+', {}, [
      f('memberId', 'string', '3+'),
      f('groupInstanceId', 'string', '3+', { nullableVersions: '3+' }),
      f('errorCode', 'int16', '3+'),
    ]),
  ],
})
