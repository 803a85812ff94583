import { api, f } from '../descriptor.ts'

/** ListGroups (API key 16). */
export const ListGroups = api({
  name: 'ListGroups',
  apiKey: 16,
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [
    f('statesFilter', '[]string', '4+'),
    f('typesFilter', '[]string', '5+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    f('groups', '[]ListedGroup', '0+', {}, [
      f('groupId', 'string', '0+'),
      f('protocolType', 'string', '0+'),
      f('groupState', 'string', '4+'),
      f('groupType', 'string', '5+'),
    ]),
  ],
})
