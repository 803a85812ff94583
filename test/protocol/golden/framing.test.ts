import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { InvalidArgumentError, ProtocolDecodeError } from '../../../src/resilience/errors.ts'
import { encodeRequestPieces } from '../../../src/protocol/framing.ts'
import {
  apis, decodeRequest, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse,
  requestHeaderVersion, responseCorrelationId, responseHeaderVersion,
} from '../../../src/protocol/index.ts'
import { T, a, bytes, cn, cs, i16, i32, ns, s } from './bytes.ts'

test('request header v1: api key, version, correlation id, int16 client id', () => {
  const frame = encodeRequest(apis.Metadata, 0, { correlationId: 7, clientId: 'c' }, { topics: [] })
  assert.equal(frame.toString('hex'), bytes(i16(3), i16(0), i32(7), s('c'), a(0)).toString('hex'))
  assert.equal(requestHeaderVersion(apis.Metadata, 0), 1)
})

test('request header v2 keeps the int16 client id and adds tagged fields', () => {
  const frame = encodeRequest(apis.Metadata, 12, { correlationId: 7, clientId: null }, { topics: null, allowAutoTopicCreation: true })
  assert.equal(frame.toString('hex'), bytes(i16(3), i16(12), i32(7), ns(), T(), cn(), Buffer.from([1, 0]), T()).toString('hex'))
  assert.equal(requestHeaderVersion(apis.Metadata, 12), 2)
  const decoded = decodeRequest(frame)
  assert.equal(decoded.api, apis.Metadata)
  assert.equal(decoded.clientId, null)
  assert.equal(decoded.correlationId, 7)
})

test('ApiVersions: request header v2 when flexible, but the response header is always v0', () => {
  const request = encodeRequest(apis.ApiVersions, 3, { correlationId: 1, clientId: 'c' }, { clientSoftwareName: 'sf', clientSoftwareVersion: '1' })
  assert.equal(request.toString('hex'), bytes(i16(18), i16(3), i32(1), s('c'), T(), cs('sf'), cs('1'), T()).toString('hex'))
  assert.equal(responseHeaderVersion(apis.ApiVersions, 3), 0)
  const response = encodeResponse(apis.ApiVersions, 3, 1, { errorCode: 35, apiKeys: [], throttleTimeMs: 0 })
  assert.equal(response.toString('hex'), bytes(i32(1), i16(35), Buffer.from([1]), i32(0), T()).toString('hex'))
  assert.deepEqual(decodeResponse(apis.ApiVersions, 3, response).body.errorCode, 35)
})

test('response header v1 (flexible) carries tagged fields after the correlation id', () => {
  assert.equal(responseHeaderVersion(apis.Heartbeat, 4), 1)
  const frame = encodeResponse(apis.Heartbeat, 4, 9, { throttleTimeMs: 3, errorCode: 0 })
  assert.equal(frame.toString('hex'), bytes(i32(9), T(), i32(3), i16(0), T()).toString('hex'))
  assert.equal(responseCorrelationId(frame), 9)
  assert.deepEqual(decodeResponse(apis.Heartbeat, 4, frame), { correlationId: 9, body: { throttleTimeMs: 3, errorCode: 0 }, throttleTimeMs: 3 })
})

test('bad input at encode time is an InvalidArgumentError naming the field', () => {
  // The bodies below are wrong on purpose, so most do not type-check either: what is tested here
  // is the codec's own check, for callers whose bodies the compiler does not see (JavaScript, JSON).
  // @ts-expect-error: Heartbeat needs groupId, memberId and generationId
  assert.throws(() => encodeRequest(apis.Heartbeat, 5, { correlationId: 1, clientId: null }, {}), /Heartbeat: version 5 is outside the supported range 0-4/)
  assert.throws(
    // @ts-expect-error: a topic name is a string
    () => encodeRequest(apis.Metadata, 12, { correlationId: 1, clientId: null }, { topics: [{ name: 5 }] }),
    (error: unknown) => error instanceof InvalidArgumentError && /topics\[0\]\.name: expected string or null, got 5/.test(error.message)
  )
  // @ts-expect-error: groupId and memberId are missing (and 2 ** 31 does not fit an int32, which types do not say)
  assert.throws(() => encodeRequest(apis.Heartbeat, 0, { correlationId: 1, clientId: null }, { generationId: 2 ** 31 }), /generationId: expected int32/)
  // @ts-expect-error: timeoutMs is missing (a UUID's form is for the codec to check)
  assert.throws(() => encodeRequest(apis.DeleteTopics, 6, { correlationId: 1, clientId: null }, { topics: [{ topicId: 'nope' }] }), /topicId: 'nope' is not a UUID/)
})

test('unknown API keys, unsupported versions and trailing bytes are decode errors', () => {
  assert.throws(() => decodeRequest(bytes(i16(999), i16(0), i32(1), ns())), ProtocolDecodeError)
  assert.equal(decodeRequestHeader(bytes(i16(999), i16(0), i32(1), ns())).api, undefined)
  assert.throws(() => decodeRequest(bytes(i16(12), i16(9), i32(1), ns())), /unsupported version 9/)
  assert.throws(() => decodeResponse(apis.Heartbeat, 0, bytes(i32(1), i16(0), i16(0))), /unexpected bytes/)
})

test('a Produce request as pieces: large record batches are the caller\'s own buffers, the bytes those of encodeRequest', () => {
  const large = Buffer.alloc(5000, 0xab)
  const small = Buffer.alloc(100, 0xcd)
  for (const version of [3, 9]) {
    const body = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: large }, { index: 1, records: small }, { index: 2, records: large }] }] }
    const pieces = encodeRequestPieces(apis.Produce, version, { correlationId: 3, clientId: 'c' }, body)
    assert.deepEqual(Buffer.concat(pieces), encodeRequest(apis.Produce, version, { correlationId: 3, clientId: 'c' }, body))
    assert.equal(pieces.filter((piece) => piece === large).length, 2, `v${version}: both large batches are written from their own buffer`)
    assert.ok(!pieces.includes(small), 'a small batch is copied in')
    const decoded = decodeRequest(Buffer.concat(pieces)).body as { topicData: Array<{ partitionData: Array<{ records: Buffer }> }> }
    assert.deepEqual(decoded.topicData[0]?.partitionData.map((p) => p.records), [large, small, large])
  }
})

test('a records field given as pieces is written as their concatenation, large pieces shared; a piece that is no Buffer is named', () => {
  const large = Buffer.alloc(5000, 0xab)
  const head = Buffer.alloc(61, 0x01)
  const tail = Buffer.alloc(30, 0x02)
  for (const version of [3, 9]) {
    const joined = Buffer.concat([head, large, tail])
    const asPieces = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: [head, large, tail] }] }] }
    const asOne = { ...asPieces, topicData: [{ name: 't', partitionData: [{ index: 0, records: joined }] }] }
    const header = { correlationId: 3, clientId: 'c' }
    const pieces = encodeRequestPieces(apis.Produce, version, header, asPieces)
    assert.deepEqual(Buffer.concat(pieces), encodeRequest(apis.Produce, version, header, asOne), `v${version}`)
    assert.ok(pieces.includes(large), `v${version}: the large piece is written from its own buffer`)
    assert.ok(!pieces.includes(head) && !pieces.includes(tail), 'small pieces are copied in')
    const decoded = decodeRequest(Buffer.concat(pieces)).body as { topicData: Array<{ partitionData: Array<{ records: Buffer }> }> }
    assert.deepEqual(decoded.topicData[0]?.partitionData[0]?.records, joined)
  }
  const bad = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: [head, 'nope'] }] }] }
  // @ts-expect-error: a piece that is not a Buffer, as JavaScript callers may pass
  assert.throws(() => encodeRequest(apis.Produce, 9, { correlationId: 1, clientId: null }, bad), (e: unknown) => e instanceof InvalidArgumentError && /partitionData\[0\]\.records\[1\]: expected Buffer/.test(e.message))
})

test('Produce requests with records as pieces of any mix of sizes decode to the joined records, every version (writer growth across shared and copied pieces)', () => {
  const piece = fc.constantFrom(1, 5, 61, 100, 4095, 4096, 10240).map((n) => Buffer.alloc(n, n % 251))
  const partitions = fc.array(fc.array(piece, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 })
  fc.assert(fc.property(fc.array(fc.record({ name: fc.constantFrom('a', 'orders-17'), parts: partitions }), { minLength: 1, maxLength: 3 }), fc.constantFrom(3, 7, 9, 10), (topics, version) => {
    const body = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: topics.map((t) => ({ name: t.name, partitionData: t.parts.map((records, index) => ({ index, records })) })) }
    const decoded = decodeRequest(Buffer.concat(encodeRequestPieces(apis.Produce, version, { correlationId: 1, clientId: 'c' }, body))).body as { topicData: Array<{ partitionData: Array<{ records: Buffer }> }> }
    assert.deepEqual(decoded.topicData.map((t) => t.partitionData.map((p) => p.records)), topics.map((t) => t.parts.map((p) => Buffer.concat(p))))
  }), { numRuns: 400 })
})
