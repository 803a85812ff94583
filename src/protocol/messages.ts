/**
 * The TypeScript shape of every request and response, read off the descriptors at the type level:
 * `f()` and `api()` keep each field's name, type string, versions, nullability and default as
 * literal types, and the mapped types below turn a field list into an object type. Nothing here
 * exists at run time; the generic codec (codec.ts) does the work and these types describe it.
 *
 * Two directions, because the codec accepts more than it produces:
 * - what you give the encoder (`RequestBody`, and `EncodableResponseBody` for fake brokers): int64 may be a
 *   safe-integer number, bytes any Uint8Array, records one Uint8Array or its pieces in order
 *   (encodeRecordBatchPieces), arrays readonly; a field may be left out when it
 *   exists only in some versions, is nullable, or has a declared default (the codec fills it in);
 * - what the decoder returns (`ResponseBody`, `DecodedRequestBody`): int64 is a bigint, bytes a
 *   Buffer; a field is optional exactly when it exists only in some versions (absent fields of
 *   the decoded version are absent; tagged fields in range take their default).
 */
import type { ApiDescriptor, Field, ScalarType } from './descriptor.ts'

type Direction = 'encode' | 'decode'

/** Scalars that read and write as the same type. */
interface SameBothWays { bool: boolean, int8: number, int16: number, uint16: number, int32: number, uint32: number, float64: number, string: string, uuid: string }

interface ScalarTypes {
  encode: SameBothWays & { int64: bigint | number, bytes: Uint8Array, records: Uint8Array | readonly Uint8Array[] }
  decode: SameBothWays & { int64: bigint, bytes: Buffer, records: Buffer }
}

/** A body for a descriptor whose fields are not known at the type level (code generic over APIs). */
export type UntypedBody = Record<string, unknown>

type List<Element, D extends Direction> = D extends 'encode' ? readonly Element[] : Element[]

/** The versions a struct exists in: the message's (every version) or its field's. */
type Span = readonly [min: number, max: number | null]

/** In every version where its parent exists: from the parent's first version (or 0) to its last. */
type InEveryVersion<F extends Field, Parent extends Span> =
  F['versions'] extends readonly [infer Min, infer Max]
    ? Min extends 0 | Parent[0]
      ? Max extends null ? true : Parent[1] extends null ? false : Max extends Parent[1] ? true : false
      : false
    : false

type IsRequired<F extends Field, Parent extends Span, D extends Direction> =
  InEveryVersion<F, Parent> extends false ? false
    : D extends 'decode' ? true
      : F['nullableVersions'] extends null ? (F['default'] extends undefined ? true : false) : false

type Value<F extends Field, D extends Direction> =
  F['fields'] extends readonly Field[]
    ? F['type'] extends `[]${string}`
      ? List<Struct<F['fields'], F['versions'], D>, D>
      : Struct<F['fields'], F['versions'], D>
    : F['type'] extends `[]${infer Element extends ScalarType}`
      ? List<ScalarTypes[D][Element], D>
      : F['type'] extends ScalarType ? ScalarTypes[D][F['type']] : never

type OrNull<F extends Field> = F['nullableVersions'] extends null ? never : null

/** The object type of one struct (a body or an element) from its field list. */
export type Struct<Fields extends readonly Field[], Parent extends Span, D extends Direction> =
  number extends Fields['length']
    ? UntypedBody
    : Flatten<
      { [F in Fields[number] as IsRequired<F, Parent, D> extends true ? F['name'] : never]: Value<F, D> | OrNull<F> } &
      { [F in Fields[number] as IsRequired<F, Parent, D> extends true ? never : F['name']]?: Value<F, D> | OrNull<F> }
    >

type Flatten<T> = { [K in keyof T]: T[K] } & unknown

/** A message body exists in every version. */
type Always = readonly [0, null]

/** What `encodeRequest(api, …)` and `BrokerConnection.request(api, …)` accept as the body. */
export type RequestBody<A extends ApiDescriptor> = Struct<A['request'], Always, 'encode'>
/** A response body as `decodeResponse(api, …)` returns it. */
export type ResponseBody<A extends ApiDescriptor> = Struct<A['response'], Always, 'decode'>
/** A request body as `decodeRequest` returns it (fake brokers, proxies). */
export type DecodedRequestBody<A extends ApiDescriptor> = Struct<A['request'], Always, 'decode'>
/** What `encodeResponse(api, …)` accepts (fake brokers, tests). */
export type EncodableResponseBody<A extends ApiDescriptor> = Struct<A['response'], Always, 'encode'>

/** The element type of an array-typed message field: `Element<ResponseBody<typeof Metadata>['topics']>`. */
export type Element<List> = List extends ReadonlyArray<infer Item> ? Item : never
