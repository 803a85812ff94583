import { api, f } from '../descriptor.ts'

/** DescribeConfigs (API key 32). */
export const DescribeConfigs = api({
  name: 'DescribeConfigs',
  apiKey: 32,
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    f('resources', '[]DescribeConfigsResource', '0+', {}, [
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      f('configurationKeys', '[]string', '0+', { nullableVersions: '0+' }),
    ]),
    f('includeSynonyms', 'bool', '1+', { default: false }),
    f('includeDocumentation', 'bool', '3+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('results', '[]DescribeConfigsResult', '0+', {}, [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullableVersions: '0+' }),
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      f('configs', '[]DescribeConfigsResourceResult', '0+', {}, [
        f('name', 'string', '0+'),
        f('value', 'string', '0+', { nullableVersions: '0+' }),
        f('readOnly', 'bool', '0+'),
        f('isDefault', 'bool', '0'),
        f('configSource', 'int8', '1+', { default: -1 }),
        f('isSensitive', 'bool', '0+'),
        f('synonyms', '[]DescribeConfigsSynonym', '1+', {}, [
          f('name', 'string', '1+'),
          f('value', 'string', '1+', { nullableVersions: '0+' }),
          f('source', 'int8', '1+'),
        ]),
        f('configType', 'int8', '3+', { default: 0 }),
        f('documentation', 'string', '3+', { nullableVersions: '0+' }),
      ]),
    ]),
  ],
})
