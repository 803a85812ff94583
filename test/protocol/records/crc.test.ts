import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { crc32, crc32c } from '../../../src/protocol/records/crc.ts'

test('CRC32C matches the published check value and RFC 3720 vectors', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
  assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa)
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43)
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e)
  assert.equal(crc32c(Buffer.alloc(0)), 0)
})

test('CRC32 (IEEE) matches the published check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926)
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
