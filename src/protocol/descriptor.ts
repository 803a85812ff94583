/**
 * API descriptors: one per Kafka API, with per-field version ranges in the manner of Kafka's own
 * JSON message definitions. The generic codec (codec.ts) reads them; nothing is generated at run time.
 */
import { InvalidArgumentError } from '../resilience/errors.ts'

/** An inclusive version range; `max` null means "and every later version". */
export type VersionRange = readonly [min: number, max: number | null]

export type ScalarType =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'bytes' | 'uuid' | 'records'

export type FieldKind = 'scalar' | 'array' | 'struct' | 'structArray'

export type DefaultValue = number | bigint | boolean | string | null

export interface Field {
  /** camelCase of Kafka's field name (`TopicId` -> `topicId`). */
  readonly name: string
  /** Kafka's type string: a scalar, `[]scalar`, a struct name or `[]StructName`. */
  readonly type: string
  readonly kind: FieldKind
  /** The scalar type of a scalar field or of the elements of a scalar array. */
  readonly scalar: ScalarType | null
  readonly versions: VersionRange
  readonly nullableVersions: VersionRange | null
  readonly taggedVersions: VersionRange | null
  readonly tag: number | null
  /** The value a missing field takes at encode time (null for nullable fields without a default). */
  readonly default: DefaultValue | undefined
  readonly fields: readonly Field[] | null
}

/** One API; `Request` and `Response` are the literal field lists `api()` was given. */
export interface ApiDescriptor<
  Request extends readonly Field[] = readonly Field[],
  Response extends readonly Field[] = readonly Field[]
> {
  readonly name: string
  readonly apiKey: number
  readonly minVersion: number
  readonly maxVersion: number
  /** First flexible version (compact encodings, tagged fields, header v2/v1), or null when none. */
  readonly flexibleFrom: number | null
  readonly request: Request
  readonly response: Response
}

export interface FieldOptions {
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  default?: DefaultValue
}

const SCALARS = new Set<string>([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64',
  'string', 'bytes', 'uuid', 'records',
])

/** Parses Kafka's version-range notation: `3+`, `0-5`, `7`, `none`. */
export function parseRange (text: string): VersionRange | null {
  if (text === 'none') return null
  const open = /^(\d+)\+$/.exec(text)
  if (open !== null) return [Number(open[1]), null]
  const closed = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (closed === null) throw new InvalidArgumentError(`invalid version range '${text}'`)
  const min = Number(closed[1])
  return [min, closed[2] === undefined ? min : Number(closed[2])]
}

export function inRange (range: VersionRange | null, version: number): boolean {
  return range !== null && version >= range[0] && (range[1] === null || version <= range[1])
}

/** Kafka's range notation read at the type level, so that a field's type knows its versions. */
export type ParseRange<Text extends string> =
  Text extends `${infer Min extends number}+` ? readonly [Min, null]
    : Text extends `${infer Min extends number}-${infer Max extends number}` ? readonly [Min, Max]
      : Text extends `${infer Only extends number}` ? readonly [Only, Only]
        : VersionRange

/**
 * One field as `f` declares it: a Field whose name, type, versions, nullability, default and
 * sub-fields keep their literal types. messages.ts maps these to the TypeScript shape of a body.
 */
export interface TypedField<
  Name extends string,
  Type extends string,
  Versions extends VersionRange,
  Nullable extends VersionRange | null,
  Default extends DefaultValue | undefined,
  Fields extends readonly Field[] | null
> extends Field {
  readonly name: Name
  readonly type: Type
  readonly versions: Versions
  readonly nullableVersions: Nullable
  readonly default: Default
  readonly fields: Fields
}

type NullableOf<Options extends FieldOptions> =
  Options extends { nullableVersions: infer Text extends string } ? ParseRange<Text> : null
type DefaultOf<Options extends FieldOptions> =
  Options extends { default: infer Value extends DefaultValue } ? Value : undefined

/** What `f(name, type, versions, options, fields)` returns, as a type. */
export type DeclaredField<
  Name extends string, Type extends string, Versions extends string,
  Options extends FieldOptions, Fields extends readonly Field[] | null
> = TypedField<Name, Type, ParseRange<Versions>, NullableOf<Options>, DefaultOf<Options>, Fields>

/**
 * Declares one field; `fields` for struct types. `type` and version strings use Kafka's notation.
 * The overloads give the parsed field as literal types (ParseRange computes at compile time what
 * parseRange computes at run time); a scalar field has no sub-fields.
 */
export function f<
  const Name extends string, const Type extends string, const Versions extends string,
  const Options extends FieldOptions = Record<never, never>
> (name: Name, type: Type, versions: Versions, options?: Options): DeclaredField<Name, Type, Versions, Options, null>
export function f<
  const Name extends string, const Type extends string, const Versions extends string,
  const Options extends FieldOptions, const Fields extends readonly Field[]
> (name: Name, type: Type, versions: Versions, options: Options, fields: Fields): DeclaredField<Name, Type, Versions, Options, Fields>
export function f (name: string, type: string, versions: string, options?: FieldOptions, fields?: readonly Field[]): Field {
  const declared: FieldOptions = options ?? {}
  const array = type.startsWith('[]')
  const inner = array ? type.slice(2) : type
  const scalar = SCALARS.has(inner) ? inner as ScalarType : null
  if (scalar === null && fields === undefined) {
    throw new InvalidArgumentError(`field ${name}: struct type ${type} needs fields`)
  }
  const kind: FieldKind = scalar !== null ? (array ? 'array' : 'scalar') : (array ? 'structArray' : 'struct')
  const versionRange = parseRange(versions)
  if (versionRange === null) throw new InvalidArgumentError(`field ${name}: versions must not be 'none'`)
  return {
    name,
    type,
    kind,
    scalar,
    versions: versionRange,
    nullableVersions: declared.nullableVersions === undefined ? null : parseRange(declared.nullableVersions),
    taggedVersions: declared.taggedVersions === undefined ? null : parseRange(declared.taggedVersions),
    tag: declared.tag ?? null,
    default: declared.default,
    fields: fields ?? null,
  }
}

export interface ApiDefinition<Request extends readonly Field[], Response extends readonly Field[]> {
  name: string
  apiKey: number
  validVersions: string
  flexibleVersions: string
  request: Request
  response: Response
}

/** Declares one API from its request and response fields. */
export function api<const Request extends readonly Field[], const Response extends readonly Field[]> (
  definition: ApiDefinition<Request, Response>
): ApiDescriptor<Request, Response> {
  const valid = parseRange(definition.validVersions)
  if (valid === null || valid[1] === null) {
    throw new InvalidArgumentError(`api ${definition.name}: validVersions must be a closed range`)
  }
  const flexible = parseRange(definition.flexibleVersions)
  return {
    name: definition.name,
    apiKey: definition.apiKey,
    minVersion: valid[0],
    maxVersion: valid[1],
    flexibleFrom: flexible === null ? null : flexible[0],
    request: definition.request,
    response: definition.response,
  }
}
