/** fast-check arbitraries built from API descriptors: one message shape per API version. */
import fc from 'fast-check'
import type { Field, ScalarType } from '../../src/protocol/descriptor.ts'
import { inRange } from '../../src/protocol/descriptor.ts'

function scalar (type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool': return fc.boolean()
    case 'int8': return fc.integer({ min: -128, max: 127 })
    case 'int16': return fc.integer({ min: -32768, max: 32767 })
    case 'uint16': return fc.integer({ min: 0, max: 65535 })
    case 'int32': return fc.integer()
    case 'uint32': return fc.integer({ min: 0, max: 4294967295 })
    case 'int64': return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
    case 'float64': return fc.double()
    case 'uuid': return fc.uint8Array({ minLength: 16, maxLength: 16 }).map(bytes => Buffer.from(bytes).toString('base64url'))
    case 'string': return fc.string({ unit: 'binary', maxLength: 12 })
    default: return fc.uint8Array({ maxLength: 24 }).map(bytes => Buffer.from(bytes))
  }
}

function nullable (field: Field, version: number, arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return inRange(field.nullableVersions, version) ? fc.option(arbitrary, { nil: null, freq: 4 }) : arbitrary
}

function fieldArbitrary (field: Field, version: number, depth: number): fc.Arbitrary<unknown> {
  const maxLength = depth > 1 ? 1 : 3
  switch (field.kind) {
    case 'scalar':
      return nullable(field, version, scalar(field.scalar as ScalarType))
    case 'array':
      return nullable(field, version, fc.array(scalar(field.scalar as ScalarType), { maxLength }))
    case 'struct':
      return nullable(field, version, structArbitrary(field.fields ?? [], version, depth + 1))
    default:
      return nullable(field, version, fc.array(structArbitrary(field.fields ?? [], version, depth + 1), { maxLength }))
  }
}

/** Every field present at `version`, with a random value of its type. */
export function structArbitrary (fields: readonly Field[], version: number, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {}
  for (const field of fields) {
    if (inRange(field.versions, version)) shape[field.name] = fieldArbitrary(field, version, depth)
  }
  return fc.record(shape).map(value => ({ ...value }))
}
