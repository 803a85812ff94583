import { api, f } from '../descriptor.ts'

/** DeleteGroups (API key 42). */
export const DeleteGroups = api({
  name: 'DeleteGroups',
  apiKey: 42,
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f('groupsNames', '[]string', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('results', '[]DeletableGroupResult', '0+', {}, [
      f('groupId', 'string', '0+'),
      f('errorCode', 'int16', '0+'),
    ]),
  ],
})
