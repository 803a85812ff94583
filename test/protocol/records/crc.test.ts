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

test('a CRC over a range equals the CRC of that slice, whatever the alignment', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), (bytes, skip) => {
    const buffer = Buffer.from(bytes)
    const start = Math.min(skip, buffer.length)
    assert.equal(crc32c(buffer, start), crc32c(buffer.subarray(start)))
    assert.equal(crc32(buffer, start), crc32(buffer.subarray(start)))
  }))
})
