import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { keyPartition, murmur2, toPositive } from '../../src/producer/murmur2.ts'

// Expected values are the Java client's (Utils.murmur2), as listed in Kafka's UtilsTest and in
// librdkafka's rdmurmur2.c unit test, which checks its own implementation against Java.
const JAVA: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['kafka', 0xd067cf64 | 0],
  ['giberish123456789', 0x8f552b0c | 0],
  ['1234', 0x9fc97b14 | 0],
  ['234', 0xe7c009ca | 0],
  ['34', 0x873930da | 0],
  ['4', 0x5a4b5ca1 | 0],
  ['PreAmbleWillBeRemoved,ThePrePartThatIs', 0x78424f1c | 0],
  ['reAmbleWillBeRemoved,ThePrePartThatIs', 0x4a62b377 | 0],
  ['eAmbleWillBeRemoved,ThePrePartThatIs', 0xe0e4e09e | 0],
  ['AmbleWillBeRemoved,ThePrePartThatIs', 0x62b8b43f | 0],
  ['', 0x106e08d9 | 0],
]

// Keys with bytes above 0x7f, which Kafka's published vectors lack. Expected values come from
// kafkajs's default-partitioner murmur2 (a separate port of Java's Utils.murmur2 that masks each
// byte with 0xff); producer.test.ts holds the same kind of keys against kcat's partitions.
const HIGH_BYTES: Array<[string, number]> = [
  ['ff', 0xed6f615b | 0],
  ['807f', 0xcaab0f7b | 0],
  ['c3a980', 0x5f4ff5ca],
  ['fffefdfc', 0x7f530faf],
  ['8081828384', 0x9cb89e59 | 0],
  ['7f80ff0001fe90', 0x4ea3389a],
  ['636cc3a9', 0x549d0116], // "clé" in UTF-8
  ['d0bad0bbd18ed187', 0x7e806270], // "ключ"
  ['e98db5f09f9491', 0x3a9f916e], // "鍵🔑"
]

describe('murmur2 (Java-compatible)', () => {
  test('matches the Java client on known keys of every length modulo 4', () => {
    for (const [key, expected] of JAVA) assert.equal(murmur2(Buffer.from(key)), expected, `murmur2("${key}")`)
  })

  test('hashes bytes above 0x7f as unsigned, like Java masks with 0xff, in the 4-byte body and in the tail', () => {
    for (const [hex, expected] of HIGH_BYTES) assert.equal(murmur2(Buffer.from(hex, 'hex')), expected, `murmur2(0x${hex})`)
  })

  test('toPositive clears the sign bit (Java Utils.toPositive), unlike Math.abs', () => {
    assert.equal(toPositive(-1), 0x7fffffff)
    assert.equal(toPositive(-2147483648), 0)
    assert.equal(toPositive(5), 5)
  })

  test('keyPartition is toPositive(murmur2) modulo the partition count', () => {
    // "kafka" hashes to 0xd067cf64: positive part 0x5067cf64 = 1348980580.
    assert.equal(keyPartition(Buffer.from('kafka'), 1000), 580)
    // "foobar" hashes to -790332482 (0xd0e47bbe): positive part 0x50e47bbe = 1357151166.
    assert.equal(keyPartition(Buffer.from('foobar'), 3), 0)
    assert.equal(keyPartition(Buffer.from('foobar'), 10), 6)
  })

  test('property: always a signed 32-bit integer, deterministic, partition in range', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 10_000 }), (bytes, n) => {
      const h = murmur2(bytes)
      assert.ok(Number.isInteger(h) && h >= -2147483648 && h <= 2147483647)
      assert.equal(murmur2(Uint8Array.from(bytes)), h)
      const p = keyPartition(bytes, n)
      assert.ok(p >= 0 && p < n)
    }))
  })
})
