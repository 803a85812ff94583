/**
 * Codec features the 30 real APIs use rarely or not at all, on a synthetic descriptor: nullable
 * structs, unknown tagged fields, tag order, int64 given as a number, extra properties.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolDecodeError } from '../../src/resilience/errors.ts'
import { api, decodeRequestBody, encodeRequestBody, f } from '../../src/protocol/index.ts'
import { T, bytes, cn, cs, i16, i32, i64, i8, tags, uv } from './golden/bytes.ts'

const Synthetic = api({
  name: 'Synthetic',
  apiKey: 9999,
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f('id', 'int64', '0+'),
    f('owner', 'Owner', '1+', { nullableVersions: '1+', default: null }, [
      f('name', 'string', '1+'),
      f('epoch', 'int16', '1+', { default: -1 }),
    ]),
    f('note', 'string', '2+', { nullableVersions: '2+', taggedVersions: '2+', tag: 5, default: null }),
    f('level', 'int8', '2+', { taggedVersions: '2+', tag: 1 }),
  ],
  response: [],
})

test('a nullable struct is a presence byte (-1 null, 1 present) then its fields', () => {
  assert.equal(encodeRequestBody(Synthetic, 1, { id: 7, owner: null }).toString('hex'), bytes(i64(7n), i8(-1)).toString('hex'))
  const present = bytes(i64(7n), i8(1), Buffer.from([0, 1, 0x61]), i16(3))
  assert.equal(encodeRequestBody(Synthetic, 1, { id: 7n, owner: { name: 'a', epoch: 3 } }).toString('hex'), present.toString('hex'))
  assert.deepEqual(decodeRequestBody(Synthetic, 1, present), { id: 7n, owner: { name: 'a', epoch: 3 } })
  assert.deepEqual(decodeRequestBody(Synthetic, 1, bytes(i64(7n), i8(-1))), { id: 7n, owner: null })
})

test('tagged fields are written in tag order, only when not at their default', () => {
  const both = encodeRequestBody(Synthetic, 2, { id: 1n, owner: null, note: 'n', level: 4 })
  assert.equal(both.toString('hex'), bytes(i64(1n), i8(-1), tags([1, i8(4)], [5, cs('n')])).toString('hex'))
  const none = encodeRequestBody(Synthetic, 2, { id: 1n, owner: null, note: null, level: 0 })
  assert.equal(none.toString('hex'), bytes(i64(1n), i8(-1), T()).toString('hex'))
  assert.deepEqual(decodeRequestBody(Synthetic, 2, none), { id: 1n, owner: null, note: null, level: 0 })
})

test('unknown tagged fields are skipped; out-of-order or overlong ones are decode errors', () => {
  const unknown = bytes(i64(1n), i8(-1), tags([1, i8(2)], [3, i32(99)], [5, cn()]))
  assert.deepEqual(decodeRequestBody(Synthetic, 2, unknown), { id: 1n, owner: null, note: null, level: 2 })
  const outOfOrder = bytes(i64(1n), i8(-1), uv(2), uv(5), uv(1), cn(), uv(1), uv(1), i8(2))
  assert.throws(() => decodeRequestBody(Synthetic, 2, outOfOrder), /out of order/)
  const overlong = bytes(i64(1n), i8(-1), uv(1), uv(1), uv(2), i8(2), i8(0))
  assert.throws(() => decodeRequestBody(Synthetic, 2, overlong), (error: unknown) => error instanceof ProtocolDecodeError && /left over/.test(error.message))
})

test('properties a version does not have are ignored at encode time', () => {
  // @ts-expect-error: `unknown` is no field of Synthetic; the codec ignores it at run time too
  assert.equal(encodeRequestBody(Synthetic, 0, { id: 1n, owner: { name: 'x' }, note: 'n', unknown: true }).toString('hex'), i64(1n).toString('hex'))
})
