import { api, f } from '../descriptor.ts'

/** DescribeGroups (API key 15). */
export const DescribeGroups = api({
  name: 'DescribeGroups',
  apiKey: 15,
  validVersions: '0-6',
  flexibleVersions: '5+',
  request: [
    f('groups', '[]string', '0+'),
    f('includeAuthorizedOperations', 'bool', '3+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('groups', '[]DescribedGroup', '0+', {}, [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '6+', { nullableVersions: '6+', default: null }),
      f('groupId', 'string', '0+'),
      f('groupState', 'string', '0+'),
      f('protocolType', 'string', '0+'),
      f('protocolData', 'string', '0+'),
      f('members', '[]DescribedGroupMember', '0+', {}, [
        f('memberId', 'string', '0+'),
        f('groupInstanceId', 'string', '4+', { nullableVersions: '4+', default: null }),
        f('clientId', 'string', '0+'),
        f('clientHost', 'string', '0+'),
        f('memberMetadata', 'bytes', '0+'),
        f('memberAssignment', 'bytes', '0+'),
      ]),
      f('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
    ]),
  ],
})
