/**
 * The one generic encoder/decoder: walks a descriptor's fields for a given version and lays out
 * (or reads) each one, classic or flexible (compact lengths and tagged fields). Decoded messages
 * are plain objects keyed by the fields present at that version; int64 is a bigint, uuid a string
 * (see primitives/uuid.ts), bytes and records are Buffers viewing the input.
 */
import { InvalidArgumentError, ProtocolDecodeError } from '../resilience/errors.ts'
import type { Field, ScalarType } from './descriptor.ts'
import { inRange } from './descriptor.ts'
import { Reader } from './primitives/reader.ts'
import { Writer } from './primitives/writer.ts'
import { ZERO_UUID, uuidToBytes } from './primitives/uuid.ts'

/** A decoded (or to-be-encoded) message or struct. */
export type Message = Record<string, any>

interface Plan {
  regular: Field[]
  tagged: Field[]
  /** The fewest bytes one struct of this shape can take, to bound array counts. */
  minSize: number
}

const plans = new WeakMap<readonly Field[], Map<number, Plan>>()

function planFor (fields: readonly Field[], version: number, flexible: boolean): Plan {
  let byVersion = plans.get(fields)
  if (byVersion === undefined) {
    byVersion = new Map()
    plans.set(fields, byVersion)
  }
  const key = version * 2 + (flexible ? 1 : 0)
  let plan = byVersion.get(key)
  if (plan === undefined) {
    const active = fields.filter(field => inRange(field.versions, version))
    const tagged = flexible ? active.filter(field => inRange(field.taggedVersions, version)) : []
    const regular = active.filter(field => !tagged.includes(field))
    tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0))
    const minSize = regular.reduce((sum, field) => sum + minFieldSize(field, version, flexible), flexible ? 1 : 0)
    plan = { regular, tagged, minSize }
    byVersion.set(key, plan)
  }
  return plan
}

const FIXED_SIZE: Partial<Record<ScalarType, number>> = {
  bool: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, float64: 8, uuid: 16,
}

function minScalarSize (scalar: ScalarType, flexible: boolean): number {
  const fixed = FIXED_SIZE[scalar]
  if (fixed !== undefined) return fixed
  if (flexible) return 1
  return scalar === 'string' ? 2 : 4
}

function minFieldSize (field: Field, version: number, flexible: boolean): number {
  if (field.kind === 'array' || field.kind === 'structArray') return flexible ? 1 : 4
  if (field.kind === 'struct') {
    if (inRange(field.nullableVersions, version)) return 1
    return planFor(field.fields ?? [], version, flexible).minSize
  }
  return minScalarSize(field.scalar as ScalarType, flexible)
}

function isNullable (field: Field, version: number): boolean {
  return inRange(field.nullableVersions, version)
}

/** The value a field takes when it is missing: its declared default, else null/zero/empty. */
export function defaultValue (field: Field, version: number): unknown {
  if (field.default !== undefined) return field.default
  if (isNullable(field, version)) return null
  switch (field.kind) {
    case 'array':
    case 'structArray':
      return []
    case 'struct':
      return defaultStruct(field.fields ?? [], version)
  }
  switch (field.scalar) {
    case 'bool': return false
    case 'int64': return 0n
    case 'string': return ''
    case 'uuid': return ZERO_UUID
    case 'bytes':
    case 'records': return Buffer.alloc(0)
    default: return 0
  }
}

function defaultStruct (fields: readonly Field[], version: number): Message {
  const out: Message = {}
  for (const field of fields) {
    if (inRange(field.versions, version)) out[field.name] = defaultValue(field, version)
  }
  return out
}

// ---------------------------------------------------------------- encoding

const INT_LIMITS: Partial<Record<ScalarType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
}

function bad (path: string, expected: string, value: unknown): InvalidArgumentError {
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `'${value.slice(0, 40)}'` : String(value)
  return new InvalidArgumentError(`${path}: expected ${expected}, got ${shown}`)
}

function writeScalar (w: Writer, type: ScalarType, value: unknown, nullable: boolean, flexible: boolean, path: string): void {
  const limits = INT_LIMITS[type]
  if (limits !== undefined) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < limits[0] || value > limits[1]) {
      throw bad(path, `${type} (integer ${limits[0]}..${limits[1]})`, value)
    }
    w[type as 'int8'](value)
    return
  }
  switch (type) {
    case 'bool':
      if (typeof value !== 'boolean') throw bad(path, 'boolean', value)
      w.bool(value)
      return
    case 'int64': {
      const big = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value
      if (typeof big !== 'bigint' || big !== BigInt.asIntN(64, big)) throw bad(path, 'int64 (bigint)', value)
      w.int64(big)
      return
    }
    case 'float64':
      if (typeof value !== 'number') throw bad(path, 'number', value)
      w.float64(value)
      return
    case 'uuid':
      if (typeof value !== 'string') throw bad(path, 'uuid string', value)
      w.raw(uuidToBytes(value, path))
      return
    case 'string':
      if (value === null && nullable) w.nullableString(null, flexible)
      else if (typeof value !== 'string') throw bad(path, nullable ? 'string or null' : 'string', value)
      else {
        if (!flexible && Buffer.byteLength(value) > 32767) throw bad(path, 'string of at most 32767 bytes', value)
        w.nullableString(value, flexible)
      }
      return
    case 'records':
      if (Array.isArray(value)) {
        writeRecordPieces(w, value, flexible, path)
        return
      }
      if (value === null && nullable) w.nullableBytes(null, flexible)
      else if (!(value instanceof Uint8Array)) throw bad(path, nullable ? 'Buffer, list of Buffers or null' : 'Buffer or list of Buffers', value)
      // Record batches are shared, not copied (Writer.share): they go to the socket as pieces of their own.
      else w.nullableBytes(value, flexible, true)
      return
    default:
      if (value === null && nullable) w.nullableBytes(null, flexible)
      else if (!(value instanceof Uint8Array)) throw bad(path, nullable ? 'Buffer or null' : 'Buffer', value)
      else w.nullableBytes(value, flexible)
  }
}

/** A records field given as pieces (one batch, or several, in order): one length, then each piece shared. */
function writeRecordPieces (w: Writer, pieces: readonly unknown[], flexible: boolean, path: string): void {
  let length = 0
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]
    if (!(piece instanceof Uint8Array)) throw bad(`${path}[${i}]`, 'Buffer', piece)
    length += piece.length
  }
  if (flexible) w.uvarint(length + 1)
  else w.int32(length)
  for (const piece of pieces) w.share(piece as Uint8Array)
}

function writeField (w: Writer, field: Field, value: unknown, version: number, flexible: boolean, path: string): void {
  const nullable = isNullable(field, version)
  switch (field.kind) {
    case 'scalar':
      writeScalar(w, field.scalar as ScalarType, value, nullable, flexible, path)
      return
    case 'struct':
      if (nullable) {
        if (value === null) {
          w.int8(-1)
          return
        }
        w.int8(1)
      }
      if (value === null || typeof value !== 'object') throw bad(path, 'object', value)
      writeStruct(w, field.fields ?? [], value as Message, version, flexible, path)
      return
  }
  if (value === null && nullable) {
    w.arrayLength(null, flexible)
    return
  }
  if (!Array.isArray(value)) throw bad(path, nullable ? 'array or null' : 'array', value)
  w.arrayLength(value.length, flexible)
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i]
    if (field.kind === 'array') writeScalar(w, field.scalar as ScalarType, element, false, flexible, `${path}[${i}]`)
    else if (element === null || typeof element !== 'object') throw bad(`${path}[${i}]`, 'object', element)
    else writeStruct(w, field.fields ?? [], element as Message, version, flexible, `${path}[${i}]`)
  }
}

function isDefault (field: Field, value: unknown, version: number): boolean {
  const fallback = defaultValue(field, version)
  if (value === fallback) return true
  if (Array.isArray(value) && Array.isArray(fallback)) return value.length === 0 && fallback.length === 0
  if (value instanceof Uint8Array && fallback instanceof Uint8Array) return value.length === 0 && fallback.length === 0
  return typeof value === 'bigint' && typeof fallback === 'bigint' && value === fallback
}

/** Writes one struct (a message body or an element): its regular fields, then its tagged fields. */
export function writeStruct (w: Writer, fields: readonly Field[], value: Message, version: number, flexible: boolean, path: string): void {
  const plan = planFor(fields, version, flexible)
  for (const field of plan.regular) {
    const given = value[field.name]
    writeField(w, field, given === undefined ? defaultValue(field, version) : given, version, flexible, `${path}.${field.name}`)
  }
  if (!flexible) return
  const present = plan.tagged.filter(field => value[field.name] !== undefined && !isDefault(field, value[field.name], version))
  w.uvarint(present.length)
  for (const field of present) {
    const sub = new Writer(64)
    writeField(sub, field, value[field.name], version, flexible, `${path}.${field.name}`)
    w.uvarint(field.tag ?? 0)
    w.uvarint(sub.length)
    w.raw(sub.view())
  }
}

// ---------------------------------------------------------------- decoding

function readScalar (r: Reader, type: ScalarType, nullable: boolean, flexible: boolean, path: string): unknown {
  switch (type) {
    case 'bool': return r.bool()
    case 'int8': return r.int8()
    case 'int16': return r.int16()
    case 'uint16': return r.uint16()
    case 'int32': return r.int32()
    case 'uint32': return r.uint32()
    case 'int64': return r.int64()
    case 'float64': return r.float64()
    case 'uuid': return r.uuid()
    case 'string': {
      const value = r.nullableString(flexible)
      if (value === null && !nullable) throw new ProtocolDecodeError(`${path}: null where the field is not nullable`, { reason: 'unexpected-null' })
      return value
    }
    default: {
      const value = r.nullableBytes(flexible)
      if (value === null && !nullable) throw new ProtocolDecodeError(`${path}: null where the field is not nullable`, { reason: 'unexpected-null' })
      return value
    }
  }
}

function readField (r: Reader, field: Field, version: number, flexible: boolean, path: string, depth: number): unknown {
  const nullable = isNullable(field, version)
  switch (field.kind) {
    case 'scalar':
      return readScalar(r, field.scalar as ScalarType, nullable, flexible, path)
    case 'struct':
      if (nullable && r.int8() < 0) return null
      return readStruct(r, field.fields ?? [], version, flexible, path, depth + 1)
  }
  const elementSize = field.kind === 'array'
    ? minScalarSize(field.scalar as ScalarType, flexible)
    : planFor(field.fields ?? [], version, flexible).minSize
  const count = r.arrayCount(flexible, elementSize)
  if (count === -1) {
    if (!nullable) throw new ProtocolDecodeError(`${path}: null array where the field is not nullable`, { reason: 'unexpected-null' })
    return null
  }
  const out = new Array<unknown>(count)
  for (let i = 0; i < count; i++) {
    out[i] = field.kind === 'array'
      ? readScalar(r, field.scalar as ScalarType, false, flexible, path)
      : readStruct(r, field.fields ?? [], version, flexible, path, depth + 1)
  }
  return out
}

/** Reads one struct (a message body or an element). Unknown tagged fields are skipped. */
export function readStruct (r: Reader, fields: readonly Field[], version: number, flexible: boolean, path: string, depth = 0): Message {
  if (depth > 16) throw new ProtocolDecodeError(`${path}: nesting deeper than any Kafka message`, { reason: 'too-deep' })
  const plan = planFor(fields, version, flexible)
  const out: Message = {}
  for (const field of plan.regular) out[field.name] = readField(r, field, version, flexible, path, depth)
  if (!flexible) return out
  for (const field of plan.tagged) out[field.name] = defaultValue(field, version)
  const count = r.uvarint()
  if (count > r.remaining) throw new ProtocolDecodeError(`${path}: ${count} tagged fields cannot fit in ${r.remaining} bytes`, { reason: 'bad-length' })
  let lastTag = -1
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint()
    if (tag <= lastTag) throw new ProtocolDecodeError(`${path}: tagged field ${tag} out of order`, { reason: 'bad-tag' })
    lastTag = tag
    const size = r.uvarint()
    const body = r.raw(size, 'tagged field')
    const field = plan.tagged.find(candidate => candidate.tag === tag)
    if (field === undefined) continue
    const sub = new Reader(body)
    out[field.name] = readField(sub, field, version, flexible, path, depth)
    if (sub.remaining !== 0) throw new ProtocolDecodeError(`${path}.${field.name}: ${sub.remaining} bytes left over in tagged field ${tag}`, { reason: 'bad-tag' })
  }
  return out
}
