import { api, f } from '../descriptor.ts'

/** SaslHandshake (API key 17). */
export const SaslHandshake = api({
  name: 'SaslHandshake',
  apiKey: 17,
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: [
    f('mechanism', 'string', '0+'),
  ],
  response: [
    f('errorCode', 'int16', '0+'),
    f('mechanisms', '[]string', '0+'),
  ],
})
