import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import xxh32 from 'lz4js/xxh32.js'
import { ProtocolDecodeError } from '../../../src/resilience/errors.ts'
import { codecById, codecByName, registerCodec } from '../../../src/protocol/compression/index.ts'
import type { CompressionCodec } from '../../../src/protocol/compression/index.ts'
import { declaredContentSize } from '../../../src/protocol/compression/zstd.ts'

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

describe('codecs', () => {
  for (const name of NAMES) {
    test(`${name} round-trips random and repetitive data`, async () => {
      const codec = codecByName(name)
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat(3), async (bytes, repeat) => {
        const input = Buffer.concat(Array.from({ length: repeat + 1 }, () => Buffer.from(bytes)))
        assert.deepEqual(await codec.decompress(await codec.compress(input)), input)
      }), { numRuns: 40 })
      const large = Buffer.alloc(300_000, 'abcdefghij')
      assert.deepEqual(await codec.decompress(await codec.compress(large)), large)
    })

    test(`${name} refuses output over the limit`, async () => {
      const codec = codecByName(name)
      const compressed = await codec.compress(Buffer.alloc(100_000, 7))
      await assert.rejects(codec.decompress(compressed, 10_000), (error: unknown) => error instanceof ProtocolDecodeError && /limit/.test(error.message))
    })
  }

  for (const name of NAMES.filter(n => n !== 'none')) {
    test(`${name} turns garbage into ProtocolDecodeError`, async () => {
      const codec = codecByName(name)
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (bytes) => {
        try {
          await codec.decompress(Buffer.from(bytes), 1 << 20)
        } catch (error) {
          assert.ok(error instanceof ProtocolDecodeError, `${name}: ${String(error)}`)
        }
      }), { numRuns: 100 })
    })
  }

  test('snappy reads xerial framing with several chunks and raw snappy alike', async () => {
    const codec = codecByName('snappy')
    const input = Buffer.alloc(80_000, 'kafka ')
    const framed = await codec.compress(input)
    assert.deepEqual(framed.subarray(0, 8), Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]))
    assert.equal(framed.readInt32BE(8), 1)
    assert.equal(framed.readInt32BE(12), 1)
    assert.deepEqual(await codec.decompress(framed), input)
    // A raw snappy stream of "abc": varint length 3, then a literal of 3 bytes (tag (3-1)<<2).
    assert.deepEqual(await codec.decompress(Buffer.from([0x03, 0x08, 0x61, 0x62, 0x63])), Buffer.from('abc'))
  })

  test('lz4 writes a frame with independent 64 KiB blocks and reads frames with checksums and content size', async () => {
    const codec = codecByName('lz4')
    const framed = await codec.compress(Buffer.from('x'))
    assert.equal(framed.readUInt32LE(0), 0x184d2204)
    assert.equal(framed[4], 0x60)
    assert.equal(framed[5], 0x40)
    // Flags: version 01, block independence, block checksum, content size, content checksum.
    const literal = Buffer.from('hi!')
    const checksum = Buffer.alloc(4)
    checksum.writeUInt32LE(xxh32.hash(0, literal, 0, literal.length) >>> 0)
    const frame = Buffer.concat([
      Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x7c, 0x40]),
      Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x00]),
      Buffer.from([3, 0, 0, 0x80]), literal, checksum,
      Buffer.alloc(4), checksum,
    ])
    assert.deepEqual(await codec.decompress(frame), literal)
    // The same frame with a wrong block checksum, then a wrong content checksum.
    const badBlock = Buffer.from(frame)
    badBlock[22] ^= 1
    await assert.rejects(codec.decompress(badBlock), /block checksum/)
    const badContent = Buffer.from(frame)
    badContent[badContent.length - 1] ^= 1
    await assert.rejects(codec.decompress(badContent), /content checksum/)
  })

  test('lz4 frames with a bad version, block size code or block length are decode errors', async () => {
    const codec = codecByName('lz4')
    const good = await codec.compress(Buffer.from('hello hello hello'))
    const cases: Array<[number, number]> = [[4, 0x80 | 0x20], [5, 0x10], [7, 0xff]]
    for (const [at, value] of cases) {
      const bad = Buffer.from(good)
      bad[at] = value
      await assert.rejects(codec.decompress(bad), ProtocolDecodeError)
    }
    await assert.rejects(codec.decompress(good.subarray(0, good.length - 2)), /truncated/)
  })

  test('zstd reads the declared content size from the frame header', () => {
    // Single-segment frame, 1-byte content size 5.
    assert.equal(declaredContentSize(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x05])), 5)
    // No content size field.
    assert.equal(declaredContentSize(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58])), undefined)
    // 8-byte content size claiming 2^40 bytes is read, so the codec can refuse it before allocating.
    assert.equal(declaredContentSize(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x58, 0, 0, 0, 0, 0, 1, 0, 0])), 2 ** 40)
  })

  test('zstd reads frames without a declared content size, as Java\'s streaming writer makes them', async () => {
    const codec = codecByName('zstd')
    const input = Buffer.alloc(1_500_000, 'stream of bytes ')
    const framed = await codec.compress(input)
    const descriptor = framed[4]
    const sizeBytes = [(descriptor & 0x20) !== 0 ? 1 : 0, 2, 4, 8][descriptor >> 6]
    assert.equal(descriptor & 0x03, 0, 'no dictionary id expected')
    // Rewrite the header: no content size, not single-segment, a 2 MiB window (log 21).
    const headerEnd = 5 + ((descriptor & 0x20) !== 0 ? 0 : 1) + sizeBytes
    const unsized = Buffer.concat([framed.subarray(0, 4), Buffer.from([descriptor & 0x04, (21 - 10) << 3]), framed.subarray(headerEnd)])
    assert.equal(declaredContentSize(unsized), undefined)
    assert.deepEqual(await codec.decompress(unsized), input)
    await assert.rejects(codec.decompress(unsized, 1_000_000), ProtocolDecodeError)
  })

  test('registerCodec replaces a built-in codec; unknown ids are decode errors', async () => {
    const original = codecById(3)
    const calls: string[] = []
    const custom: CompressionCodec = {
      name: 'lz4',
      id: 3,
      async compress (input) { calls.push('compress'); return input },
      async decompress (input) { calls.push('decompress'); return input },
    }
    registerCodec(custom)
    try {
      assert.equal(codecByName('lz4'), custom)
      await codecById(3).compress(Buffer.from('a'))
      assert.deepEqual(calls, ['compress'])
    } finally {
      registerCodec(original)
    }
    assert.throws(() => codecById(6), ProtocolDecodeError)
  })
})
