import { api, f } from '../descriptor.ts'

/** ApiVersions (API key 18). */
export const ApiVersions = api({
  name: 'ApiVersions',
  apiKey: 18,
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [
    f('clientSoftwareName', 'string', '3+'),
    f('clientSoftwareVersion', 'string', '3+'),
  ],
  response: [
    f('errorCode', 'int16', '0+'),
    f('apiKeys', '[]ApiVersion', '0+', {}, [
      f('apiKey', 'int16', '0+'),
      f('minVersion', 'int16', '0+'),
      f('maxVersion', 'int16', '0+'),
    ]),
    f('throttleTimeMs', 'int32', '1+'),
    f('supportedFeatures', '[]SupportedFeatureKey', '3+', { taggedVersions: '3+', tag: 0 }, [
      f('name', 'string', '3+'),
      f('minVersion', 'int16', '3+'),
      f('maxVersion', 'int16', '3+'),
    ]),
    f('finalizedFeaturesEpoch', 'int64', '3+', { taggedVersions: '3+', tag: 1, default: -1n }),
    f('finalizedFeatures', '[]FinalizedFeatureKey', '3+', { taggedVersions: '3+', tag: 2 }, [
      f('name', 'string', '3+'),
      f('maxVersionLevel', 'int16', '3+'),
      f('minVersionLevel', 'int16', '3+'),
    ]),
    f('zkMigrationReady', 'bool', '3+', { taggedVersions: '3+', tag: 3, default: false }),
  ],
})
