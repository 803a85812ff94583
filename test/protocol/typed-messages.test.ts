/**
 * The message types read off the descriptors (src/protocol/messages.ts). `npm run typecheck`
 * compiles this file: each `@ts-expect-error` fails the type check if the line below it compiles,
 * so a misspelled field, a missing one or a wrong type must be refused. The tests also run, to
 * show that the values behind the types are what the codec produces.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  apis, decodeRequest, decodeResponse, encodeRequest, encodeResponse,
  type ApiName, type DecodedRequestBody, type Element, type EncodableResponseBody, type RequestBody, type ResponseBody,
} from '../../src/protocol/index.ts'

/** True when A and B are the same type (not merely assignable). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
function sameType<Check extends true> (): Check | undefined { return undefined }

type ProduceAnswer = ResponseBody<typeof apis.Produce>
type PartitionAnswer = Element<Element<ProduceAnswer['responses']>['partitionResponses']>

const header = { correlationId: 7, clientId: 'typed' }

test('a Produce request and answer keep their types through the codec', () => {
  const request: RequestBody<typeof apis.Produce> = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1_000,
    topicData: [{ name: 'orders', partitionData: [{ index: 3, records: null }] }],
  }
  const decodedRequest = decodeRequest(encodeRequest(apis.Produce, 9, header, request))
  assert.deepEqual(decodedRequest.body, request)

  const frame = encodeResponse(apis.Produce, 9, 7, {
    responses: [{ name: 'orders', partitionResponses: [{ index: 3, errorCode: 0, baseOffset: 42, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }] }],
    throttleTimeMs: 0,
  })
  const { body } = decodeResponse(apis.Produce, 9, frame)
  const partition = body.responses[0]?.partitionResponses[0]
  // int64 decodes as a bigint even where a number was given to the encoder.
  const offset: bigint | undefined = partition?.baseOffset
  assert.equal(offset, 42n)
  assert.equal(partition?.errorMessage, null)
})

test('misspelled, missing and mistyped fields do not compile', () => {
  const refused = (): void => {
    // @ts-expect-error: 'acsk' is no field of a Produce request
    encodeRequest(apis.Produce, 9, header, { acsk: -1, timeoutMs: 1_000, topicData: [] })
    // @ts-expect-error: a misspelled field of a nested struct
    encodeRequest(apis.Produce, 9, header, { acks: -1, timeoutMs: 1_000, topicData: [{ name: 'orders', partitionDatta: [] }] })
    // @ts-expect-error: Heartbeat's memberId exists in every version and has no default
    encodeRequest(apis.Heartbeat, 4, header, { groupId: 'g', generationId: 1 })
    // @ts-expect-error: acks is an int16, not a string
    encodeRequest(apis.Produce, 9, header, { acks: 'all', timeoutMs: 1_000, topicData: [] })
    const answer = decodeResponse(apis.Produce, 9, Buffer.alloc(0)).body
    // @ts-expect-error: reading a misspelled response field
    assert.ok(answer.responsez)
    // @ts-expect-error: a misspelled field of a nested struct in the answer
    assert.ok(answer.responses[0]?.partitionResponses[0]?.baseOfset)
    // @ts-expect-error: an int64 is a bigint, not a number
    const offset: number | undefined = answer.responses[0]?.partitionResponses[0]?.baseOffset
    assert.ok(offset)
  }
  assert.equal(typeof refused, 'function')
})

test('every API has typed bodies both ways (none fell back to an untyped record)', () => {
  type Untyped<Body> = string extends keyof Body ? true : false
  type UntypedApis = {
    [Name in ApiName]: true extends Untyped<RequestBody<typeof apis[Name]>> | Untyped<ResponseBody<typeof apis[Name]>>
      | Untyped<DecodedRequestBody<typeof apis[Name]>> | Untyped<EncodableResponseBody<typeof apis[Name]>> ? Name : never
  }[ApiName]
  sameType<Same<UntypedApis, never>>()
  // The check itself tells an untyped body from a typed one.
  sameType<Same<Untyped<Record<string, unknown>>, true>>()
  sameType<Same<Untyped<ResponseBody<typeof apis.Heartbeat>>, false>>()
  assert.ok(Object.keys(apis).length >= 30)
})

test('a field that exists only in some versions is optional, a nullable one may be null', () => {
  // throttleTimeMs arrived in Produce v1, errorMessage in v8 (nullable), baseOffset is there from v0.
  sameType<Same<ProduceAnswer['throttleTimeMs'], number | undefined>>()
  sameType<Same<PartitionAnswer['errorMessage'], string | null | undefined>>()
  sameType<Same<PartitionAnswer['baseOffset'], bigint>>()
  // Inside a struct that itself exists from v8, a field from v8 on is always there.
  sameType<Same<Element<NonNullable<PartitionAnswer['recordErrors']>>['batchIndex'], number>>()
  // A request field with a declared default may be left out; OffsetFetch v8+ groups are optional as a whole.
  const request: RequestBody<typeof apis.OffsetFetch> = { groups: [{ groupId: 'g', topics: null }] }
  const decoded = decodeRequest(encodeRequest(apis.OffsetFetch, 8, header, request))
  assert.deepEqual(decoded.body, { groups: [{ groupId: 'g', topics: null }], requireStable: false })
})
