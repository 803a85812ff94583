import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import * as zlib from 'node:zlib'
import { crc32, crc32c, crc32cOfPieces, nativeCrc32, nativeCrc32c } from '../../../src/protocol/records/crc.ts'
import { crc32cTable, crc32Table } from '../../../src/protocol/records/crc-table.ts'

/** Every CRC32C implementation in use here: the JS table always, the native one where installed. */
type Named = Array<[name: string, crc: (bytes: Uint8Array) => number]>
const castagnoli: Named = [['crc32c', crc32c], ['JS table', crc32cTable], ...(nativeCrc32c === undefined ? [] : [['native', nativeCrc32c]] as Named)]
const ieee: Named = [['crc32', crc32], ['JS table', crc32Table], ...(nativeCrc32 === undefined ? [] : [['node:zlib', nativeCrc32]] as Named)]

test('CRC32C matches the published check value and RFC 3720 vectors', () => {
  for (const [name, crc] of castagnoli) {
    assert.equal(crc(Buffer.from('123456789')), 0xe3069283, name)
    assert.equal(crc(Buffer.alloc(32)), 0x8a9136aa, name)
    assert.equal(crc(Buffer.alloc(32, 0xff)), 0x62a8ab43, name)
    assert.equal(crc(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e, name)
    assert.equal(crc(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c, name)
    assert.equal(crc(Buffer.alloc(0)), 0, name)
  }
})

test('CRC32 (IEEE) matches the published check value', () => {
  for (const [name, crc] of ieee) assert.equal(crc(Buffer.from('123456789')), 0xcbf43926, name)
})

test('the native CRC32C is loaded where @node-rs/crc32 is installed, IEEE CRC32 comes from node:zlib', () => {
  let installed = true
  try {
    createRequire(import.meta.url).resolve('@node-rs/crc32')
  } catch {
    installed = false
  }
  assert.equal(nativeCrc32c !== undefined, installed)
  assert.equal(nativeCrc32, (zlib as { crc32?: unknown }).crc32)
})

/** Bit-at-a-time reference CRC, the textbook definition. */
function reference (polynomial: number, bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ polynomial : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

test('the table-driven CRCs equal the bitwise definition at every length and alignment', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(7), (bytes, shift) => {
    const backing = new Uint8Array(bytes.length + 8)
    backing.set(bytes, shift)
    const view = Buffer.from(backing.buffer, shift, bytes.length)
    assert.equal(crc32c(view), reference(0x82f63b78, bytes))
    assert.equal(crc32(view), reference(0xedb88320, bytes))
  }), { numRuns: 300 })
})

test('a CRC over a range equals the CRC of that slice, whatever the alignment', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), (bytes, skip) => {
    const buffer = Buffer.from(bytes)
    const start = Math.min(skip, buffer.length)
    assert.equal(crc32c(buffer, start), crc32c(buffer.subarray(start)))
    assert.equal(crc32(buffer, start), crc32(buffer.subarray(start)))
  }))
})

test('every implementation equals the bitwise definition on long inputs (the native path), at every alignment', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 100, maxLength: 3000, size: 'max' }), fc.nat(7), fc.nat(300), (bytes, shift, skip) => {
    const backing = new Uint8Array(bytes.length + 8)
    backing.set(bytes, shift)
    const view = Buffer.from(backing.buffer, shift, bytes.length)
    const start = Math.min(skip, bytes.length)
    const castagnoliWant = reference(0x82f63b78, bytes.subarray(start))
    const ieeeWant = reference(0xedb88320, bytes.subarray(start))
    for (const [name, crc] of castagnoli) assert.equal(crc(start === 0 ? view : view.subarray(start)), castagnoliWant, name)
    for (const [name, crc] of ieee) assert.equal(crc(start === 0 ? view : view.subarray(start)), ieeeWant, name)
    assert.equal(crc32c(view, start), castagnoliWant)
    assert.equal(crc32(view, start), ieeeWant)
    assert.equal(crc32c(view, 0, view.length - start), reference(0x82f63b78, bytes.subarray(0, bytes.length - start)))
  }), { numRuns: 200 })
})

test('a seeded CRC continues an earlier one: every implementation, short and long pieces', () => {
  const seeded: Array<[string, (bytes: Uint8Array, seed: number) => number]> = [
    ['crc32c', (b, seed) => crc32c(b, 0, b.length, seed)],
    ['JS table', (b, seed) => crc32cTable(b, 0, b.length, seed)],
    ...(nativeCrc32c === undefined ? [] : [['native', (b: Uint8Array, seed: number) => (nativeCrc32c as (b: Uint8Array, s: number) => number)(b, seed)]] as Array<[string, (bytes: Uint8Array, seed: number) => number]>),
  ]
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 600 }), (a, b) => {
    const want = reference(0x82f63b78, Buffer.concat([a, b]))
    for (const [name, crc] of seeded) assert.equal(crc(b, crc(a, 0)), want, name)
    assert.equal(crc32(b, 0, b.length, crc32(a)), reference(0xedb88320, Buffer.concat([a, b])))
  }), { numRuns: 200 })
})

test('crc32cOfPieces equals the CRC32C of the joined pieces from any start, across piece boundaries', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 6 }), fc.nat(900), (pieces, skip) => {
    const joined = Buffer.concat(pieces)
    const start = Math.min(skip, joined.length)
    assert.equal(crc32cOfPieces(pieces.map((p) => Buffer.from(p)), start), reference(0x82f63b78, joined.subarray(start)))
  }), { numRuns: 300 })
})
