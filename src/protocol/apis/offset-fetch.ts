import { api, f } from '../descriptor.ts'
import type { Element, ResponseBody } from '../messages.ts'

/** OffsetFetch (API key 9). */
export const OffsetFetch = api({
  name: 'OffsetFetch',
  apiKey: 9,
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    f('groupId', 'string', '0-7'),
    f('topics', '[]OffsetFetchRequestTopic', '0-7', { nullableVersions: '2-7' }, [
      f('name', 'string', '0-7'),
      f('partitionIndexes', '[]int32', '0-7'),
    ]),
    f('groups', '[]OffsetFetchRequestGroup', '8+', {}, [
      f('groupId', 'string', '8+'),
      f('memberId', 'string', '9+', { nullableVersions: '9+', default: null }),
      f('memberEpoch', 'int32', '9+', { default: -1 }),
      f('topics', '[]OffsetFetchRequestTopics', '8+', { nullableVersions: '8+' }, [
        f('name', 'string', '8+'),
        f('partitionIndexes', '[]int32', '8+'),
      ]),
    ]),
    f('requireStable', 'bool', '7+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f('topics', '[]OffsetFetchResponseTopic', '0-7', {}, [
      f('name', 'string', '0-7'),
      f('partitions', '[]OffsetFetchResponsePartition', '0-7', {}, [
        f('partitionIndex', 'int32', '0-7'),
        f('committedOffset', 'int64', '0-7'),
        f('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
        f('metadata', 'string', '0-7', { nullableVersions: '0-7' }),
        f('errorCode', 'int16', '0-7'),
      ]),
    ]),
    f('errorCode', 'int16', '2-7', { default: 0 }),
    f('groups', '[]OffsetFetchResponseGroup', '8+', {}, [
      f('groupId', 'string', '8+'),
      f('topics', '[]OffsetFetchResponseTopics', '8+', {}, [
        f('name', 'string', '8+'),
        f('partitions', '[]OffsetFetchResponsePartitions', '8+', {}, [
          f('partitionIndex', 'int32', '8+'),
          f('committedOffset', 'int64', '8+'),
          f('committedLeaderEpoch', 'int32', '8+', { default: -1 }),
          f('metadata', 'string', '8+', { nullableVersions: '8+' }),
          f('errorCode', 'int16', '8+'),
        ]),
      ]),
      f('errorCode', 'int16', '8+', { default: 0 }),
    ]),
  ],
})

type OffsetFetchAnswer = ResponseBody<typeof OffsetFetch>

/** One group's results, whatever the version answered: `errorCode` and `topics` as v0-7 put them. */
export interface OffsetFetchGroupResult {
  errorCode?: number
  topics?: NonNullable<OffsetFetchAnswer['topics']> | Element<NonNullable<OffsetFetchAnswer['groups']>>['topics']
}

/**
 * The results of the (one) group asked: v8+ answer per group, earlier versions at the top level.
 * A v8+ answer without the group reads as no topics and no error.
 */
export function offsetFetchGroupResult (version: number, body: OffsetFetchAnswer): OffsetFetchGroupResult {
  return version >= 8 ? body.groups?.[0] ?? {} : body
}
