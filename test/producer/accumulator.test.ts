import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Accumulator } from '../../src/producer/accumulator.ts'
import type { PendingRecord, ProducerBatch } from '../../src/producer/batch.ts'

function record (value: string, size: number): PendingRecord {
  return { key: null, value: Buffer.from(value), headers: [], timestamp: 0, size, resolve: () => {}, reject: () => {} }
}

const values = (batch: ProducerBatch): string[] => batch.records.map((r) => r.value?.toString() ?? '')

describe('Accumulator', () => {
  test('records fill one batch per partition; the record that would overflow it starts the next', () => {
    const sealed: ProducerBatch[] = []
    const acc = new Accumulator({ batchSize: 100, lingerMs: 60_000, deliveryTimeoutMs: 1000 }, (b) => sealed.push(b))
    for (const [i, size] of [40, 40, 30, 10].entries()) acc.append('t', 0, record(`a${i}`, size))
    acc.append('t', 1, record('b0', 10))
    assert.deepEqual(sealed.map(values), [['a0', 'a1']], 'sealed when the third record would pass 100 bytes')
    acc.sealAll()
    assert.deepEqual(sealed.map((b) => [b.partition, values(b)]), [[0, ['a0', 'a1']], [0, ['a2', 'a3']], [1, ['b0']]])
    assert.equal(acc.open, 0)
  })

  test('a batch that reaches batchSize is sealed at once; a record larger than batchSize travels alone', () => {
    const sealed: ProducerBatch[] = []
    const acc = new Accumulator({ batchSize: 100, lingerMs: 60_000, deliveryTimeoutMs: 1000 }, (b) => sealed.push(b))
    acc.append('t', 0, record('exact', 100))
    acc.append('t', 0, record('small', 10))
    acc.append('t', 0, record('huge', 500))
    assert.deepEqual(sealed.map(values), [['exact'], ['small'], ['huge']])
    assert.equal(acc.open, 0)
  })

  test('a batch is sealed when lingerMs has passed since its first record', async () => {
    const sealed = new Promise<ProducerBatch>((resolve) => {
      const acc = new Accumulator({ batchSize: 1000, lingerMs: 5, deliveryTimeoutMs: 1000 }, resolve)
      acc.append('t', 2, record('x', 1))
      acc.append('t', 2, record('y', 1))
    })
    const batch = await sealed
    assert.deepEqual([batch.topic, batch.partition, values(batch)], ['t', 2, ['x', 'y']])
    assert.equal(batch.deadline, batch.createdAt + 1000)
  })

  test('property: sealed batches keep every record once, in append order per partition, within batchSize unless alone', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ partition: fc.integer({ min: 0, max: 3 }), size: fc.integer({ min: 1, max: 150 }) }), { maxLength: 200 }),
      fc.integer({ min: 1, max: 200 }),
      (appends, batchSize) => {
        const sealed: ProducerBatch[] = []
        const acc = new Accumulator({ batchSize, lingerMs: 60_000, deliveryTimeoutMs: 1000 }, (b) => sealed.push(b))
        appends.forEach((a, i) => acc.append('t', a.partition, record(String(i), a.size)))
        acc.sealAll()
        for (let p = 0; p <= 3; p++) {
          const expected = appends.flatMap((a, i) => a.partition === p ? [String(i)] : [])
          assert.deepEqual(sealed.filter((b) => b.partition === p).flatMap(values), expected)
        }
        for (const b of sealed) assert.ok(b.records.length === 1 || b.sizeBytes <= batchSize)
      }))
  })
})
