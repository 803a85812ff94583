import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { InvalidArgumentError, ProtocolDecodeError } from '../../../src/resilience/errors.ts'
import { Reader } from '../../../src/protocol/primitives/reader.ts'
import { SHARE_MIN_BYTES, Writer } from '../../../src/protocol/primitives/writer.ts'
import { ZERO_UUID, uuidToBytes, uuidToString } from '../../../src/protocol/primitives/uuid.ts'

const hex = (w: Writer): string => w.toBuffer().toString('hex')
const reader = (text: string): Reader => new Reader(Buffer.from(text, 'hex'))

describe('varints', () => {
  test('zig-zag varints and varlongs have the protocol encodings', () => {
    const cases: Array<[number, string]> = [[0, '00'], [-1, '01'], [1, '02'], [-64, '7f'], [64, '8001'], [-2147483648, 'ffffffff0f'], [2147483647, 'feffffff0f']]
    for (const [value, encoded] of cases) {
      assert.equal(hex(new Writer().varint(value)), encoded, `varint ${value}`)
      assert.equal(reader(encoded).varint(), value)
      assert.equal(hex(new Writer().varlong(BigInt(value))), encoded, `varlong ${value}`)
      assert.equal(reader(encoded).varlong(), BigInt(value))
      assert.equal(reader(encoded).varlongNumber(), value)
    }
    assert.equal(hex(new Writer().varlong(-(2n ** 63n))), 'ffffffffffffffffff01')
    assert.equal(reader('ffffffffffffffffff01').varlong(), -(2n ** 63n))
    assert.equal(reader('feffffffffffffffff01').varlong(), 2n ** 63n - 1n)
    assert.equal(hex(new Writer().uvarint(300)), 'ac02')
  })

  test('varints round-trip across their ranges', () => {
    fc.assert(fc.property(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.nat(), (i, big, n) => {
      const r = new Reader(new Writer().varint(i).varlong(big).uvarint(n).toBuffer())
      assert.equal(r.varint(), i)
      assert.equal(r.varlong(), big)
      assert.equal(r.uvarint(), n)
      assert.equal(r.remaining, 0)
    }))
  })

  test('varints round-trip when the writer grows in the middle of one (from a 1-byte start, after shared bytes too)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer(), fc.nat()), { minLength: 1, maxLength: 40 }), fc.boolean(), (values, shareFirst) => {
      const w = new Writer(1)
      if (shareFirst) w.int8(1).share(Buffer.alloc(SHARE_MIN_BYTES, 9))
      for (const v of values) w.uvarint(Math.abs(v)).varint(v)
      const r = new Reader(w.toBuffer())
      if (shareFirst) {
        assert.equal(r.int8(), 1)
        r.raw(SHARE_MIN_BYTES)
      }
      for (const v of values) assert.deepEqual([r.uvarint(), r.varint()], [Math.abs(v), v])
      assert.equal(r.remaining, 0)
    }), { numRuns: 300 })
  })

  test('over-long or truncated varints are decode errors', () => {
    assert.throws(() => reader('ffffffffff01').uvarint(), /longer than 32 bits/)
    assert.throws(() => reader('ffffffff7f').uvarint(), /longer than 32 bits/)
    assert.throws(() => reader('ffffffffffffffffffff01').varlong(), /longer than 64 bits/)
    assert.throws(() => reader('ffffffffffffffff7f').varlongNumber(), /out of range/)
    for (const text of ['80', 'ff', '8080']) {
      assert.throws(() => reader(text).uvarint(), ProtocolDecodeError)
      assert.throws(() => reader(text).varlongNumber(), ProtocolDecodeError)
      assert.throws(() => reader(text).varlong(), ProtocolDecodeError)
    }
  })
})

describe('fixed-width values, strings, bytes and arrays', () => {
  test('fixed-width values round-trip with big-endian layout', () => {
    const w = new Writer(1).int8(-2).int16(-300).uint16(65535).int32(-5).uint32(4294967295).int64(-2n).float64(1.5).bool(true)
    assert.equal(hex(w), 'fe' + 'fed4' + 'ffff' + 'fffffffb' + 'ffffffff' + 'fffffffffffffffe' + '3ff8000000000000' + '01')
    const r = new Reader(w.toBuffer())
    assert.deepEqual([r.int8(), r.int16(), r.uint16(), r.int32(), r.uint32(), r.int64(), r.float64(), r.bool()], [-2, -300, 65535, -5, 4294967295, -2n, 1.5, true])
  })

  test('strings and bytes, classic and compact, null included', () => {
    const w = new Writer().nullableString('hé', false).nullableString(null, false).nullableString('hé', true).nullableString(null, true)
      .nullableBytes(Buffer.from([1]), false).nullableBytes(null, false).nullableBytes(Buffer.from([1]), true).nullableBytes(null, true)
    assert.equal(hex(w), '000368c3a9' + 'ffff' + '0468c3a9' + '00' + '0000000101' + 'ffffffff' + '0201' + '00')
    const r = new Reader(w.toBuffer())
    assert.equal(r.nullableString(false), 'hé')
    assert.equal(r.nullableString(false), null)
    assert.equal(r.nullableString(true), 'hé')
    assert.equal(r.nullableString(true), null)
    assert.deepEqual(r.nullableBytes(false), Buffer.from([1]))
    assert.equal(r.nullableBytes(false), null)
    assert.deepEqual(r.nullableBytes(true), Buffer.from([1]))
    assert.equal(r.nullableBytes(true), null)
    assert.equal(r.remaining, 0)
  })

  test('array lengths, classic and compact, null included', () => {
    const w = new Writer().arrayLength(2, false).arrayLength(null, false).arrayLength(2, true).arrayLength(null, true)
    assert.equal(hex(w), '00000002' + 'ffffffff' + '03' + '00')
    assert.equal(reader('00000002' + '0000').arrayCount(false, 1), 2)
    assert.equal(reader('ffffffff').arrayCount(false, 1), -1)
    assert.equal(reader('03' + '0000').arrayCount(true, 1), 2)
    assert.equal(reader('00').arrayCount(true, 1), -1)
  })

  test('lengths and counts beyond the input are refused before reading', () => {
    assert.throws(() => reader('7fff00').nullableString(false), /length 32767 at offset 2 exceeds the 1 bytes left/)
    assert.throws(() => reader('7fffffff').nullableBytes(false), /exceeds/)
    assert.throws(() => reader('fffe').nullableString(false), /negative string length/)
    assert.throws(() => reader('00000003' + '0000').arrayCount(false, 1), /cannot fit/)
    assert.throws(() => reader('00000002' + '000000').arrayCount(false, 4), /cannot fit/)
    assert.throws(() => reader('fffffffe').arrayCount(false, 1), /negative array length/)
    assert.throws(() => reader('0000').int32(), /int32 needs 4 bytes at offset 0, 2 left/)
  })

  test('a reader stays within its window of a larger buffer', () => {
    const r = new Reader(Buffer.from('0102030405', 'hex'), 1, 3)
    assert.equal(r.int16(), 0x0203)
    assert.throws(() => r.int8(), ProtocolDecodeError)
  })
})

describe('shared bytes', () => {
  test('large bytes are kept as a piece of their own, not copied; the pieces hold what raw writes would', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.nat({ max: 3 * SHARE_MIN_BYTES }), fc.constant(SHARE_MIN_BYTES)), { maxLength: 6 }), fc.nat({ max: 600 }), (sizes, between) => {
      const shared = new Writer(16)
      const copied = new Writer()
      const big: Buffer[] = []
      for (const [i, size] of sizes.entries()) {
        const bytes = Buffer.alloc(size, i + 1)
        shared.int32(i).nullableBytes(bytes, false, true).raw(Buffer.alloc(between, 0xee))
        copied.int32(i).nullableBytes(bytes, false).raw(Buffer.alloc(between, 0xee))
        if (size >= SHARE_MIN_BYTES) big.push(bytes)
      }
      const pieces = shared.pieces()
      assert.deepEqual(Buffer.concat(pieces), copied.toBuffer())
      assert.equal(shared.length, copied.length)
      assert.deepEqual(shared.toBuffer(), copied.toBuffer())
      assert.deepEqual(shared.view(), copied.toBuffer())
      for (const bytes of big) assert.ok(pieces.includes(bytes), 'a large buffer is one of the pieces itself')
      assert.equal(pieces.filter((piece) => !big.includes(piece)).reduce((n, piece) => n + piece.length, 0), copied.length - big.reduce((n, b) => n + b.length, 0), 'nothing is written twice')
    }))
  })
})

describe('uuids', () => {
  test('uuids are Kafka\'s URL-safe base64 form and convert both ways', () => {
    const bytes = Buffer.from('fb7f1d0e6c5f4e5a8e1d2c3b4a596877', 'hex')
    assert.equal(uuidToString(bytes), '-38dDmxfTlqOHSw7Sllodw')
    assert.deepEqual(uuidToBytes('-38dDmxfTlqOHSw7Sllodw'), bytes)
    assert.deepEqual(uuidToBytes(ZERO_UUID), Buffer.alloc(16))
    assert.equal(reader('fb7f1d0e6c5f4e5a8e1d2c3b4a596877').uuid(), '-38dDmxfTlqOHSw7Sllodw')
  })

  test('anything else is an InvalidArgumentError naming the place', () => {
    for (const bad of ['', 'AAAA', '00000000-0000-0000-0000-000000000000', 'AAAAAAAAAAAAAAAAAAAAA+', 'AAAAAAAAAAAAAAAAAAAAAB']) {
      assert.throws(() => uuidToBytes(bad, 'topics[0].topicId'), (error: unknown) => error instanceof InvalidArgumentError && error.message.startsWith('topics[0].topicId:'))
    }
  })
})
