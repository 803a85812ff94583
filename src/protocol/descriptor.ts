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

export interface ApiDescriptor {
  readonly name: string
  readonly apiKey: number
  readonly minVersion: number
  readonly maxVersion: number
  /** First flexible version (compact encodings, tagged fields, header v2/v1), or null when none. */
  readonly flexibleFrom: number | null
  readonly request: readonly Field[]
  readonly response: readonly Field[]
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

/** Declares one field; `fields` for struct types. `type` and version strings use Kafka's notation. */
export function f (name: string, type: string, versions: string, options: FieldOptions = {}, fields?: Field[]): Field {
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
    nullableVersions: options.nullableVersions === undefined ? null : parseRange(options.nullableVersions),
    taggedVersions: options.taggedVersions === undefined ? null : parseRange(options.taggedVersions),
    tag: options.tag ?? null,
    default: options.default,
    fields: fields ?? null,
  }
}

export interface ApiDefinition {
  name: string
  apiKey: number
  validVersions: string
  flexibleVersions: string
  request: Field[]
  response: Field[]
}

/** Declares one API from its request and response fields. */
export function api (definition: ApiDefinition): ApiDescriptor {
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
