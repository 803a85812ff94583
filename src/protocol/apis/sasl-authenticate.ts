import { api, f } from '../descriptor.ts'

/** SaslAuthenticate (API key 36). */
export const SaslAuthenticate = api({
  name: 'SaslAuthenticate',
  apiKey: 36,
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f('authBytes', 'bytes', '0+'),
  ],
  response: [
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
    f('authBytes', 'bytes', '0+'),
    f('sessionLifetimeMs', 'int64', '1+', { default: 0n }),
  ],
})
