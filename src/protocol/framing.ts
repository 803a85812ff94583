/**
 * Request and response framing: headers (request v1/v2, response v0/v1) around a body encoded by
 * the generic codec. Frames here exclude the 4-byte size prefix, which the network layer adds.
 */
import { InvalidArgumentError, ProtocolDecodeError } from '../resilience/errors.ts'
import type { ApiDescriptor } from './descriptor.ts'
import { apiByKey } from './apis/index.ts'
import type { Message } from './codec.ts'
import { readStruct, writeStruct } from './codec.ts'
import type { DecodedRequestBody, EncodableResponseBody, RequestBody, ResponseBody, UntypedBody } from './messages.ts'
import { Reader } from './primitives/reader.ts'
import { Writer } from './primitives/writer.ts'

const API_VERSIONS_KEY = 18

export function isFlexible (api: ApiDescriptor, version: number): boolean {
  return api.flexibleFrom !== null && version >= api.flexibleFrom
}

/** Request header v2 (with tagged fields) for flexible versions, v1 otherwise. */
export function requestHeaderVersion (api: ApiDescriptor, version: number): 1 | 2 {
  return isFlexible(api, version) ? 2 : 1
}

/** Response header v1 for flexible versions, v0 otherwise; ApiVersions responses always use v0. */
export function responseHeaderVersion (api: ApiDescriptor, version: number): 0 | 1 {
  return api.apiKey !== API_VERSIONS_KEY && isFlexible(api, version) ? 1 : 0
}

function checkVersion (api: ApiDescriptor, version: number): void {
  if (!Number.isInteger(version) || version < api.minVersion || version > api.maxVersion) {
    throw new InvalidArgumentError(`${api.name}: version ${version} is outside the supported range ${api.minVersion}-${api.maxVersion}`)
  }
}

export interface RequestHeader {
  correlationId: number
  clientId: string | null
}

/** Encodes one request message body (no header). */
export function encodeRequestBody<A extends ApiDescriptor> (api: A, version: number, body: RequestBody<A>): Buffer {
  checkVersion(api, version)
  const w = new Writer()
  writeStruct(w, api.request, body, version, isFlexible(api, version), `${api.name} v${version} request`)
  return w.toBuffer()
}

/** Encodes one response message body (no header). */
export function encodeResponseBody<A extends ApiDescriptor> (api: A, version: number, body: EncodableResponseBody<A>): Buffer {
  checkVersion(api, version)
  const w = new Writer()
  writeStruct(w, api.response, body, version, isFlexible(api, version), `${api.name} v${version} response`)
  return w.toBuffer()
}

function checkCorrelationId (correlationId: number): void {
  if (!Number.isInteger(correlationId) || correlationId < -2147483648 || correlationId > 2147483647) {
    throw new InvalidArgumentError(`correlationId: expected an int32, got ${correlationId}`)
  }
}

/** Request header + body, without the size prefix. */
export function encodeRequest<A extends ApiDescriptor> (api: A, version: number, header: RequestHeader, body: RequestBody<A>): Buffer {
  const pieces = encodeRequestPieces(api, version, header, body)
  return pieces.length === 1 ? Buffer.from(pieces[0] as Buffer) : Buffer.concat(pieces)
}

/**
 * Request header + body, without the size prefix, as the pieces to write in order: the record
 * batches of a Produce request are pieces of their own, never copied into the request (Writer.share).
 * The pieces view the batches and a writer made for this request alone.
 */
export function encodeRequestPieces<A extends ApiDescriptor> (api: A, version: number, header: RequestHeader, body: RequestBody<A>): Buffer[] {
  checkVersion(api, version)
  checkCorrelationId(header.correlationId)
  if (header.clientId !== null && (typeof header.clientId !== 'string' || Buffer.byteLength(header.clientId) > 32767)) {
    throw new InvalidArgumentError('clientId: expected a string of at most 32767 bytes or null')
  }
  const flexible = isFlexible(api, version)
  const w = new Writer()
  w.int16(api.apiKey).int16(version).int32(header.correlationId).nullableString(header.clientId, false)
  if (flexible) w.uvarint(0)
  writeStruct(w, api.request, body, version, flexible, `${api.name} v${version} request`)
  return w.pieces()
}

/** Response header + body, without the size prefix. */
export function encodeResponse<A extends ApiDescriptor> (api: A, version: number, correlationId: number, body: EncodableResponseBody<A>): Buffer {
  checkVersion(api, version)
  checkCorrelationId(correlationId)
  const w = new Writer()
  w.int32(correlationId)
  if (responseHeaderVersion(api, version) === 1) w.uvarint(0)
  writeStruct(w, api.response, body, version, isFlexible(api, version), `${api.name} v${version} response`)
  return w.toBuffer()
}

function skipTaggedFields (r: Reader): void {
  const count = r.uvarint()
  for (let i = 0; i < count; i++) {
    r.uvarint()
    r.raw(r.uvarint(), 'tagged field')
  }
}

function expectEnd (r: Reader, what: string): void {
  if (r.remaining !== 0) {
    throw new ProtocolDecodeError(`${what}: ${r.remaining} unexpected bytes after the message`, { reason: 'trailing-bytes' })
  }
}

export interface DecodedRequestHeader extends RequestHeader {
  apiKey: number
  apiVersion: number
  /** The descriptor for apiKey, or undefined when steadfast does not know the API. */
  api: ApiDescriptor | undefined
  /** Where the body starts (after header tagged fields when the API and version are known). */
  bodyOffset: number
}

/**
 * Reads a request header. The header's own version depends on the API and version, so tagged
 * fields are only skipped when the API is known and the version is in range.
 */
export function decodeRequestHeader (frame: Buffer): DecodedRequestHeader {
  const r = new Reader(frame)
  const apiKey = r.int16()
  const apiVersion = r.int16()
  const correlationId = r.int32()
  const clientId = r.nullableString(false)
  const api = apiByKey(apiKey)
  if (api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion && isFlexible(api, apiVersion)) {
    skipTaggedFields(r)
  }
  return { apiKey, apiVersion, correlationId, clientId, api, bodyOffset: r.offset }
}

export interface DecodedRequest extends RequestHeader {
  api: ApiDescriptor
  apiVersion: number
  /** Untyped: the API is known only at run time (decodeRequestBody with a descriptor gives a typed body). */
  body: UntypedBody
}

/** Decodes a request frame; an unknown API key or unsupported version is a ProtocolDecodeError. */
export function decodeRequest (frame: Buffer): DecodedRequest {
  const header = decodeRequestHeader(frame)
  const { api, apiVersion } = header
  if (api === undefined) throw new ProtocolDecodeError(`unknown API key ${header.apiKey}`, { reason: 'unknown-api' })
  if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
    throw new ProtocolDecodeError(`${api.name}: unsupported version ${apiVersion}`, { reason: 'unsupported-version' })
  }
  const r = new Reader(frame, header.bodyOffset)
  const what = `${api.name} v${apiVersion} request`
  const body = readStruct(r, api.request, apiVersion, isFlexible(api, apiVersion), what)
  expectEnd(r, what)
  return { api, apiVersion, correlationId: header.correlationId, clientId: header.clientId, body }
}

export interface DecodedResponse<A extends ApiDescriptor = ApiDescriptor> {
  correlationId: number
  body: ResponseBody<A>
  /** The broker's throttle time, when this response version carries one. */
  throttleTimeMs?: number
}

/** Reads only the correlation id of a response frame (to match it to its request). */
export function responseCorrelationId (frame: Buffer): number {
  return new Reader(frame).int32()
}

export interface DecodeResponseOptions {
  /**
   * `reject` (default) makes bytes after the message a ProtocolDecodeError; `ignore` accepts them,
   * as Kafka's own clients do: some brokers (librdkafka's mock, for Metadata v12) append a byte.
   */
  trailingBytes?: 'reject' | 'ignore'
}

/** Decodes a response frame for the API and version the request was sent with. */
export function decodeResponse<A extends ApiDescriptor> (api: A, version: number, frame: Buffer, options: DecodeResponseOptions = {}): DecodedResponse<A> {
  checkVersion(api, version)
  const r = new Reader(frame)
  const correlationId = r.int32()
  if (responseHeaderVersion(api, version) === 1) skipTaggedFields(r)
  const what = `${api.name} v${version} response`
  const body = readStruct(r, api.response, version, isFlexible(api, version), what)
  if (options.trailingBytes !== 'ignore') expectEnd(r, what)
  const decoded: DecodedResponse<A> = { correlationId, body: body as ResponseBody<A> }
  if (typeof body.throttleTimeMs === 'number') decoded.throttleTimeMs = body.throttleTimeMs
  return decoded
}

function decodeBody (api: ApiDescriptor, version: number, bytes: Buffer, side: 'request' | 'response'): Message {
  checkVersion(api, version)
  const r = new Reader(bytes)
  const what = `${api.name} v${version} ${side}`
  const body = readStruct(r, api[side], version, isFlexible(api, version), what)
  expectEnd(r, what)
  return body
}

/** Decodes a request body alone (no header). */
export function decodeRequestBody<A extends ApiDescriptor> (api: A, version: number, bytes: Buffer): DecodedRequestBody<A> {
  return decodeBody(api, version, bytes, 'request') as DecodedRequestBody<A>
}

/** Decodes a response body alone (no header). */
export function decodeResponseBody<A extends ApiDescriptor> (api: A, version: number, bytes: Buffer): ResponseBody<A> {
  return decodeBody(api, version, bytes, 'response') as ResponseBody<A>
}
