import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { CorruptRecordError, ProtocolDecodeError } from '../../../src/resilience/errors.ts'
import { crc32, decodeRecordBatch, decodeRecordSet, encodeRecordBatch, encodeRecordBatchPieces } from '../../../src/protocol/records/index.ts'
import { SHARE_MIN_BYTES } from '../../../src/protocol/primitives/writer.ts'
import type { RecordInput } from '../../../src/protocol/records/index.ts'

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

const bytes = fc.option(fc.uint8Array({ maxLength: 40 }).map(b => Buffer.from(b)), { nil: null })
const recordArbitrary: fc.Arbitrary<RecordInput> = fc.record({
  key: bytes,
  value: bytes,
  headers: fc.array(fc.record({ key: fc.string({ unit: 'binary', maxLength: 8 }), value: bytes }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }),
})

describe('record batch v2', () => {
  for (const compression of CODECS) {
    test(`round-trips keys, values, headers, timestamps and producer fields with ${compression}`, async () => {
      await fc.assert(fc.asyncProperty(
        fc.array(recordArbitrary, { minLength: 1, maxLength: 6 }),
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        fc.bigInt({ min: -1n, max: 2n ** 62n }),
        fc.boolean(),
        async (records, baseOffset, producerId, isTransactional) => {
          const batch = await encodeRecordBatch({ records, baseOffset, producerId, producerEpoch: 3, baseSequence: 7, isTransactional, compression, partitionLeaderEpoch: 5 })
          const decoded = await decodeRecordBatch(batch)
          assert.equal(decoded.compression, compression)
          assert.equal(decoded.baseOffset, baseOffset)
          assert.equal(decoded.producerId, producerId)
          assert.equal(decoded.producerEpoch, 3)
          assert.equal(decoded.baseSequence, 7)
          assert.equal(decoded.partitionLeaderEpoch, 5)
          assert.equal(decoded.isTransactional, isTransactional)
          assert.equal(decoded.lastOffsetDelta, records.length - 1)
          assert.equal(decoded.baseTimestamp, records[0].timestamp)
          assert.equal(decoded.maxTimestamp, Math.max(...records.map(r => r.timestamp ?? 0)))
          assert.deepEqual(decoded.records, records.map((r, i) => ({
            offset: baseOffset + BigInt(i),
            timestamp: r.timestamp,
            key: r.key,
            value: r.value,
            headers: (r.headers ?? []).map(h => ({ ...h })),
          })))
        }
      ), { numRuns: 25 })
    })
  }

  test('header keys that repeat, change in one byte, move, or are long or non-ASCII decode as written', async () => {
    const long = 'k'.repeat(100)
    const headerSets = [
      ['trace', 'span', 'é-ü'],
      ['trace', 'spam', 'é-ü'],
      ['tracf', 'span'],
      ['span', 'trace', 'é-ü', 'x'],
      [long, 'trace'],
      [long.slice(0, 99) + 'j', 'trace'],
      [],
      ['trace', 'span', 'é-ü'],
    ]
    const records = headerSets.map((keys, i) => ({ value: `v${i}`, headers: keys.map((key) => ({ key, value: Buffer.from(key) })) }))
    const decoded = await decodeRecordBatch(await encodeRecordBatch({ records }))
    assert.deepEqual(decoded.records.map((r) => r.headers.map((h) => h.key)), headerSets)
    assert.deepEqual(decoded.records.map((r) => r.headers.map((h) => h.value?.toString())), headerSets)
  })

  test('encodes the header fields at their documented offsets, with a valid CRC32C', async () => {
    const batch = await encodeRecordBatch({ baseOffset: 42n, records: [{ key: 'a', value: 'b', timestamp: 1000 }], producerId: 9n, producerEpoch: 1, baseSequence: 0 })
    assert.equal(batch.readBigInt64BE(0), 42n)
    assert.equal(batch.readInt32BE(8), batch.length - 12)
    assert.equal(batch.readInt32BE(12), -1)
    assert.equal(batch[16], 2)
    assert.equal(batch.readInt16BE(21), 0)
    assert.equal(batch.readInt32BE(23), 0)
    assert.equal(batch.readBigInt64BE(27), 1000n)
    assert.equal(batch.readBigInt64BE(35), 1000n)
    assert.equal(batch.readBigInt64BE(43), 9n)
    assert.equal(batch.readInt16BE(51), 1)
    assert.equal(batch.readInt32BE(53), 0)
    assert.equal(batch.readInt32BE(57), 1)
    // One record: length 8 (zig-zag 0x10), attributes 0, timestampDelta 0, offsetDelta 0, key "a", value "b", 0 headers.
    assert.deepEqual(batch.subarray(61), Buffer.from([0x10, 0x00, 0x00, 0x00, 0x02, 0x61, 0x02, 0x62, 0x00]))
  })

  test('a flipped bit anywhere after the CRC field is a CorruptRecordError', async () => {
    const batch = await encodeRecordBatch({ records: [{ key: 'k', value: 'value' }, { value: 'other' }] })
    for (let i = 21; i < batch.length; i++) {
      const copy = Buffer.from(batch)
      copy[i] ^= 0x10
      await assert.rejects(decodeRecordBatch(copy), CorruptRecordError)
    }
  })

  test('log-append-time batches report the max timestamp for every record', async () => {
    const batch = await encodeRecordBatch({ timestampType: 'log-append-time', records: [{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 9 }] })
    const decoded = await decodeRecordBatch(batch)
    assert.equal(decoded.timestampType, 'log-append-time')
    assert.deepEqual(decoded.records.map(r => r.timestamp), [9, 9])
  })
})

describe('record sets (the records field of a fetch)', () => {
  test('control batches are reported but their records are skipped', async () => {
    const data = await encodeRecordBatch({ baseOffset: 0n, isTransactional: true, producerId: 4n, records: [{ value: 'x' }, { value: 'y' }] })
    const commitKey = Buffer.from([0, 0, 0, 1])
    const marker = await encodeRecordBatch({ baseOffset: 2n, isTransactional: true, isControl: true, producerId: 4n, records: [{ key: commitKey, value: Buffer.from([0, 0, 0, 0, 0, 0]) }] })
    const set = await decodeRecordSet(Buffer.concat([data, marker]))
    assert.equal(set.batches.length, 2)
    assert.equal(set.batches[1].isControl, true)
    assert.equal(set.batches[1].controlType, 'commit')
    assert.deepEqual(set.records.map(r => [r.offset, r.value?.toString()]), [[0n, 'x'], [1n, 'y']])
  })

  test('a truncated trailing batch is tolerated: the complete ones are returned', async () => {
    const one = await encodeRecordBatch({ baseOffset: 0n, records: [{ value: 'first' }] })
    const two = await encodeRecordBatch({ baseOffset: 1n, records: [{ value: 'second' }] })
    for (let cut = 0; cut < two.length; cut++) {
      const set = await decodeRecordSet(Buffer.concat([one, two.subarray(0, cut)]))
      assert.deepEqual(set.records.map(r => r.value?.toString()), ['first'])
      assert.equal(set.truncatedBytes, cut)
    }
    assert.deepEqual((await decodeRecordSet(null)).batches, [])
  })
})

function legacyMessage (magic: 0 | 1, offset: bigint, attributes: number, timestamp: number, key: Buffer | null, value: Buffer | null): Buffer {
  const body: Buffer[] = [Buffer.from([magic, attributes])]
  if (magic === 1) {
    const ts = Buffer.alloc(8)
    ts.writeBigInt64BE(BigInt(timestamp))
    body.push(ts)
  }
  for (const field of [key, value]) {
    const length = Buffer.alloc(4)
    length.writeInt32BE(field === null ? -1 : field.length)
    body.push(length)
    if (field !== null) body.push(field)
  }
  const content = Buffer.concat(body)
  const head = Buffer.alloc(16)
  head.writeBigInt64BE(offset, 0)
  head.writeInt32BE(content.length + 4, 8)
  head.writeUInt32BE(crc32(content), 12)
  return Buffer.concat([head, content])
}

describe('legacy message sets', () => {
  test('magic v0 and v1 messages decode with their offsets, keys, values and timestamps', async () => {
    const set = await decodeRecordSet(Buffer.concat([
      legacyMessage(0, 3n, 0, 0, Buffer.from('k0'), Buffer.from('v0')),
      legacyMessage(1, 4n, 0, 1234, null, Buffer.from('v1')),
    ]))
    assert.deepEqual(set.records, [
      { offset: 3n, timestamp: -1, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [] },
      { offset: 4n, timestamp: 1234, key: null, value: Buffer.from('v1'), headers: [] },
    ])
    assert.deepEqual(set.batches.map(b => b.magic), [0, 1])
  })

  test('a gzip-compressed v1 wrapper yields its inner messages with absolute offsets', async () => {
    const inner = Buffer.concat([0n, 1n, 2n].map(i => legacyMessage(1, i, 0, 100 + Number(i), null, Buffer.from(`m${i}`))))
    const wrapper = legacyMessage(1, 12n, 1, 200, null, gzipSync(inner))
    const set = await decodeRecordSet(wrapper)
    assert.deepEqual(set.records.map(r => [r.offset, r.timestamp, r.value?.toString()]), [[10n, 100, 'm0'], [11n, 101, 'm1'], [12n, 102, 'm2']])
    assert.equal(set.batches[0].compression, 'gzip')
  })

  test('a magic-v0 wrapper keeps the absolute inner offsets; a log-append-time v1 wrapper stamps its own time', async () => {
    const inner0 = Buffer.concat([7n, 8n].map(i => legacyMessage(0, i, 0, 0, null, Buffer.from(`a${i}`))))
    const v0 = await decodeRecordSet(legacyMessage(0, 8n, 1, 0, null, gzipSync(inner0)))
    assert.deepEqual(v0.records.map(r => [r.offset, r.timestamp]), [[7n, -1], [8n, -1]])
    const inner1 = Buffer.concat([0n, 1n].map(i => legacyMessage(1, i, 0, 5, null, Buffer.from('x'))))
    const v1 = await decodeRecordSet(legacyMessage(1, 41n, 1 | 0x08, 999, null, gzipSync(inner1)))
    assert.deepEqual(v1.records.map(r => [r.offset, r.timestamp]), [[40n, 999], [41n, 999]])
    assert.equal(v1.batches[0].timestampType, 'log-append-time')
  })

  test('malformed legacy wrappers are decode errors', async () => {
    const nested = legacyMessage(1, 0n, 1, 0, null, gzipSync(legacyMessage(1, 0n, 1, 0, null, gzipSync(legacyMessage(1, 0n, 0, 0, null, Buffer.from('x'))))))
    await assert.rejects(decodeRecordSet(nested), /nested compressed/)
    await assert.rejects(decodeRecordSet(legacyMessage(1, 0n, 1, 0, null, null)), /has no value/)
    await assert.rejects(decodeRecordSet(legacyMessage(1, 0n, 5, 0, null, Buffer.from('x'))), ProtocolDecodeError)
    const badMagic = legacyMessage(1, 0n, 0, 0, null, Buffer.from('x'))
    badMagic[16] = 3
    badMagic.writeUInt32BE(crc32(badMagic.subarray(16)), 12)
    await assert.rejects(decodeRecordSet(badMagic), ProtocolDecodeError)
  })

  test('a legacy CRC32 mismatch is a CorruptRecordError; a bad length a ProtocolDecodeError', async () => {
    const message = legacyMessage(1, 0n, 0, 5, null, Buffer.from('payload'))
    const corrupt = Buffer.from(message)
    corrupt[corrupt.length - 1] ^= 1
    await assert.rejects(decodeRecordSet(corrupt), CorruptRecordError)
    const badLength = Buffer.from(message)
    badLength.writeInt32BE(-5, 8)
    await assert.rejects(decodeRecordSet(badLength), ProtocolDecodeError)
  })
})

describe('record batch v2 as pieces (encodeRecordBatchPieces)', () => {
  // Values either side of the share threshold, so batches mix copied and shared ones.
  const sized = fc.option(fc.integer({ min: SHARE_MIN_BYTES - 2, max: SHARE_MIN_BYTES + 300 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })).map((b) => Buffer.from(b)), { nil: null })
  const large = fc.record({ key: fc.oneof(bytes, sized), value: fc.oneof(bytes, sized), headers: fc.array(fc.record({ key: fc.string({ maxLength: 4 }), value: fc.oneof(bytes, sized) }), { maxLength: 2 }) })

  test('the pieces joined are the bytes encodeRecordBatch writes (CRC32C included), for every codec', async () => {
    await fc.assert(fc.asyncProperty(fc.array(large, { minLength: 1, maxLength: 5 }), fc.constantFrom(...CODECS), async (records, compression) => {
      const input = { records, compression, baseTimestamp: 1_700_000_000_000, producerId: 9n, producerEpoch: 1, baseSequence: 4 }
      const joined = Buffer.concat(await encodeRecordBatchPieces(input))
      assert.deepEqual(joined, await encodeRecordBatch(input))
      const decoded = await decodeRecordBatch(joined)
      assert.deepEqual(decoded.records.map((r) => [r.key, r.value]), records.map((r) => [r.key, r.value]))
    }), { numRuns: 60 })
  })

  test('uncompressed, a value of SHARE_MIN_BYTES or more is the caller\'s own buffer, not a copy; smaller ones are copied', async () => {
    const big = Buffer.alloc(SHARE_MIN_BYTES, 7)
    const small = Buffer.alloc(SHARE_MIN_BYTES - 1, 8)
    const pieces = await encodeRecordBatchPieces({ records: [{ value: small }, { value: big }, { value: small }] })
    assert.equal(pieces.length, 3, 'header and the first records, the shared value, the last record')
    assert.equal(pieces[1], big)
    assert.ok(!pieces.includes(small))
    assert.equal((await decodeRecordBatch(Buffer.concat(pieces))).records[1]?.value?.equals(big), true)
  })

  test('compressed, nothing is shared: one piece', async () => {
    const big = Buffer.alloc(SHARE_MIN_BYTES * 2, 7)
    const pieces = await encodeRecordBatchPieces({ records: [{ value: big }], compression: 'gzip' })
    assert.equal(pieces.length, 1)
  })
})
