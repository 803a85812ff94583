import { api, f } from '../descriptor.ts'

/** IncrementalAlterConfigs (API key 44). */
export const IncrementalAlterConfigs = api({
  name: 'IncrementalAlterConfigs',
  apiKey: 44,
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: [
    f('resources', '[]AlterConfigsResource', '0+', {}, [
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      f('configs', '[]AlterableConfig', '0+', {}, [
        f('name', 'string', '0+'),
        f('configOperation', 'int8', '0+'),
        f('value', 'string', '0+', { nullableVersions: '0+' }),
      ]),
    ]),
    f('validateOnly', 'bool', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('responses', '[]AlterConfigsResourceResponse', '0+', {}, [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
    ]),
  ],
})
