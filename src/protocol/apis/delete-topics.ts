import { api, f } from '../descriptor.ts'

/** DeleteTopics (API key 20). */
export const DeleteTopics = api({
  name: 'DeleteTopics',
  apiKey: 20,
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: [
    f('topics', '[]DeleteTopicState', '6+', {}, [
      f('name', 'string', '6+', { nullableVersions: '6+', default: null }),
      f('topicId', 'uuid', '6+'),
    ]),
    f('topicNames', '[]string', '0-5'),
    f('timeoutMs', 'int32', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('responses', '[]DeletableTopicResult', '0+', {}, [
      f('name', 'string', '0+', { nullableVersions: '6+' }),
      f('topicId', 'uuid', '6+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '5+', { nullableVersions: '5+', default: null }),
    ]),
  ],
})
