import { describe, mock, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { defaultPartitioner, keyedRoundRobinPartitioner, roundRobinPartitioner, toPartitioner, type PartitionerInput } from '../../src/producer/partitioner.ts'

function input (key: string | null, partitionCount = 6, availablePartitions: number[] = [...Array(partitionCount).keys()]): PartitionerInput {
  return { topic: 't', key: key === null ? null : Buffer.from(key), value: null, partitionCount, availablePartitions }
}

describe('partitioners', () => {
  test('default: keyed records go to toPositive(murmur2(key)) % n, even to a partition without a leader', () => {
    const p = defaultPartitioner()
    // From the Java client's hashes (murmur2.test.ts): toPositive(hash) % 6.
    for (const [key, partition] of [['kafka', 4], ['foobar', 0], ['abc', 3], ['', 3]] as const) {
      assert.equal(p.partition(input(key, 6, [])), partition, `partition of "${key}"`)
    }
  })

  test('default: null keys stick to one available partition until its batch is sealed', () => {
    const p = defaultPartitioner()
    const first = p.partition(input(null, 6, [2, 4]))
    assert.ok([2, 4].includes(first))
    for (let i = 0; i < 20; i++) assert.equal(p.partition(input(null, 6, [2, 4])), first)
    p.onBatchSealed?.('t', first === 2 ? 4 : 2)
    assert.equal(p.partition(input(null, 6, [2, 4])), first, 'sealing another partition does not move it')
    const seen = new Set<number>()
    for (let i = 0; i < 200; i++) {
      p.onBatchSealed?.('t', p.partition(input(null, 6, [2, 4])))
      seen.add(p.partition(input(null, 6, [2, 4])))
    }
    assert.deepEqual([...seen].sort(), [2, 4])
  })

  test('default: sealing another partition\'s batch keeps the sticky choice, sealing its own makes a new one', () => {
    // Math.random held: the first choice is 2 (0.1 of [2, 4]); any later choice would be 4 (0.9).
    const draws = [0.1, 0.9, 0.9]
    mock.method(Math, 'random', () => draws.shift() ?? 0.9)
    try {
      const p = defaultPartitioner()
      assert.equal(p.partition(input(null, 6, [2, 4])), 2)
      p.onBatchSealed?.('t', 4)
      p.onBatchSealed?.('u', 2)
      assert.equal(p.partition(input(null, 6, [2, 4])), 2, 'another partition, or another topic\'s, was sealed')
      p.onBatchSealed?.('t', 2)
      assert.equal(p.partition(input(null, 6, [2, 4])), 4, 'its own batch was sealed: the next draw')
    } finally {
      mock.restoreAll()
    }
  })

  test('default: with no partition available, null keys still spread over every partition', () => {
    const p = defaultPartitioner()
    const seen = new Set<number>()
    for (let i = 0; i < 200; i++) {
      const chosen = p.partition(input(null, 6, []))
      seen.add(chosen)
      p.onBatchSealed?.('t', chosen)
    }
    assert.ok(seen.size > 1, `null keys all went to ${[...seen].join()}`)
  })

  test('default: a sticky partition the topic no longer has is replaced', () => {
    const p = defaultPartitioner()
    assert.equal(p.partition(input(null, 6, [5])), 5)
    assert.equal(p.partition(input(null, 5, [3])), 3, 'partition 5 is gone: a new sticky choice among the available ones')
  })

  test('round robin with no partition available cycles over every partition', () => {
    const p = roundRobinPartitioner()
    assert.deepEqual(Array.from({ length: 4 }, () => p.partition(input(null, 3, []))), [0, 1, 2, 0])
  })

  test('a plain function is a partitioner; a partitioner object is used as it is', () => {
    const fn = (i: PartitionerInput): number => i.partitionCount - 1
    assert.equal(toPartitioner(fn).partition(input('k', 4)), 3)
    const object = roundRobinPartitioner()
    assert.equal(toPartitioner(object), object)
  })

  test('round robin cycles over available partitions and ignores keys', () => {
    const p = roundRobinPartitioner()
    const got = Array.from({ length: 6 }, (_, i) => p.partition(input(`k${i % 2}`, 4, [0, 1, 3])))
    assert.deepEqual(got, [0, 1, 3, 0, 1, 3])
  })

  test('keyed round robin: murmur2 for keys, round robin for null keys', () => {
    const p = keyedRoundRobinPartitioner()
    assert.equal(p.partition(input('kafka', 5)), 0, 'toPositive(0xd067cf64) % 5')
    assert.equal(p.partition(input('abc', 5)), 2, 'toPositive(479470107) % 5')
    assert.deepEqual([0, 1, 2].map(() => p.partition(input(null, 3))), [0, 1, 2])
  })

  test('property: every built-in partitioner answers a partition in range', () => {
    fc.assert(fc.property(
      fc.option(fc.string(), { nil: null }),
      fc.integer({ min: 1, max: 50 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (key, n, avail) => {
        const available = [...new Set(avail.map((a) => a % n))].sort((a, b) => a - b)
        for (const p of [defaultPartitioner(), roundRobinPartitioner(), keyedRoundRobinPartitioner()]) {
          const chosen = p.partition(input(key, n, available))
          assert.ok(Number.isInteger(chosen) && chosen >= 0 && chosen < n)
        }
      }))
  })
})
