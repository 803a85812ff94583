/**
 * One partition's Fetch data as the application sees it: records before the fetch offset (a
 * compressed batch comes whole), control batches and, under read_committed, aborted
 * transactions dropped; the next offset past every complete batch.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeRecordBatch } from '../../src/protocol/records/index.ts'
import { partitionRecords } from '../../src/consumer/partition-data.ts'

const values = (records: Array<{ value: Buffer | null }>): string[] => records.map((r) => String(r.value))

async function batch (baseOffset: bigint, texts: string[], extra: Record<string, unknown> = {}): Promise<Buffer> {
  return await encodeRecordBatch({ baseOffset, records: texts.map((t) => ({ value: t })), ...extra })
}

/** A transaction marker: control batch whose one record's key says abort (0) or commit (1). */
async function marker (offset: bigint, producerId: bigint, type: 0 | 1): Promise<Buffer> {
  const key = Buffer.alloc(4)
  key.writeInt16BE(type, 2)
  return await encodeRecordBatch({ baseOffset: offset, records: [{ key, value: Buffer.alloc(6) }], isControl: true, isTransactional: true, producerId, producerEpoch: 0 })
}

describe('partitionRecords', () => {
  test('a compressed batch that starts before the fetch offset yields only the records from it on', async () => {
    const records = Buffer.concat([await batch(10n, ['a', 'b', 'c', 'd', 'e'], { compression: 'gzip' }), await batch(15n, ['f', 'g'])])
    const result = await partitionRecords({ records }, 13n, false)
    assert.deepEqual(values(result.records), ['d', 'e', 'f', 'g'])
    assert.deepEqual(result.records.map((r) => r.offset), [13n, 14n, 15n, 16n])
    assert.equal(result.nextOffset, 17n)
  })

  test('control batches are skipped and the position moves past them', async () => {
    const records = Buffer.concat([
      await batch(0n, ['t1', 't2'], { isTransactional: true, producerId: 5n, producerEpoch: 0 }),
      await marker(2n, 5n, 1),
    ])
    const result = await partitionRecords({ records, abortedTransactions: [] }, 0n, true)
    assert.deepEqual(values(result.records), ['t1', 't2'])
    assert.equal(result.nextOffset, 3n)
  })

  test('read_committed drops the batches of aborted transactions, keeps committed and plain ones', async () => {
    const records = Buffer.concat([
      await batch(0n, ['plain-0']),
      await batch(1n, ['aborted-1', 'aborted-2'], { isTransactional: true, producerId: 7n, producerEpoch: 0 }),
      await batch(3n, ['committed-3'], { isTransactional: true, producerId: 8n, producerEpoch: 0 }),
      await marker(4n, 7n, 0),
      await marker(5n, 8n, 1),
      // The same producer again after its abort: a new transaction, not aborted.
      await batch(6n, ['later-6'], { isTransactional: true, producerId: 7n, producerEpoch: 0 }),
      await marker(7n, 7n, 1),
    ])
    const aborted = [{ producerId: 7n, firstOffset: 1n }]
    const committed = await partitionRecords({ records, abortedTransactions: aborted }, 0n, true)
    assert.deepEqual(values(committed.records), ['plain-0', 'committed-3', 'later-6'])
    assert.equal(committed.nextOffset, 8n)
    const uncommitted = await partitionRecords({ records, abortedTransactions: aborted }, 0n, false)
    assert.deepEqual(values(uncommitted.records), ['plain-0', 'aborted-1', 'aborted-2', 'committed-3', 'later-6'])
  })

  test('a partial trailing batch is left for the next fetch; no complete batch keeps the position', async () => {
    const whole = await batch(0n, ['x', 'y'])
    const partial = (await batch(2n, ['z'])).subarray(0, 20)
    const result = await partitionRecords({ records: Buffer.concat([whole, partial]) }, 0n, false)
    assert.deepEqual(values(result.records), ['x', 'y'])
    assert.equal(result.nextOffset, 2n)
    const none = await partitionRecords({ records: partial }, 2n, false)
    assert.deepEqual(none, { records: [], nextOffset: 2n })
    assert.deepEqual(await partitionRecords({ records: null }, 9n, false), { records: [], nextOffset: 9n })
  })
})
