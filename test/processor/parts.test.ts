/**
 * The processor's pieces without Kafka: key placement against published vectors, the
 * co-partitioning assignor, the stores (SQLite surviving a reopen with its offset), the table
 * overlay (a callback reads its own writes; the store holds only what was acknowledged), the
 * write batch (one sendBatch per turn, outcomes per write) and the offset tracker (commits only
 * over a prefix of finished records).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copartitionedAssignor, fnv32a, partitionFor, MemoryStore, sqliteStore } from '../../src/processor/index.ts'
import { TablePartition } from '../../src/processor/table-partition.ts'
import { OffsetTracker } from '../../src/processor/offset-tracker.ts'
import { WriteBatch } from '../../src/processor/write-batch.ts'
import { SendBatchError } from '../../src/producer/errors.ts'
import type { Producer } from '../../src/producer/producer.ts'
import type { ProducerRecord } from '../../src/producer/record.ts'
import type { RecordMetadata } from '../../src/producer/batch.ts'

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8')

test('hashing: FNV-1a 32 vectors; Sarama and Java placements', () => {
  // Published FNV-1a 32-bit test vectors.
  assert.equal(fnv32a(bytes('')), 0x811c9dc5)
  assert.equal(fnv32a(bytes('a')), 0xe40c292c)
  assert.equal(fnv32a(bytes('foobar')), 0xbf9cf968)
  // 0xe40c292c as int32 is -468965076; truncated % 7 = -6 → 6 (Sarama makes the remainder positive).
  assert.equal(partitionFor('fnv32a', bytes('a'), 7), 6)
  // Kafka's UtilsTest: murmur2("21") = -973932308; toPositive = 1173551340; % 10 = 0. murmur2("abc") = 479470107; % 7 = 4.
  assert.equal(partitionFor('murmur2', bytes('21'), 10), 0)
  assert.equal(partitionFor('murmur2', bytes('abc'), 7), 4)
})

test('co-partitioning assignor: each member has the same partition numbers of every topic; each partition once', () => {
  const members = ['m-c', 'm-a', 'm-b'].map((memberId) => ({ memberId, groupInstanceId: null, topics: ['in', 'g-loop'] }))
  const assignment = copartitionedAssignor.assign(members, new Map([['in', 8], ['g-loop', 8]]))
  const numbers = new Map([...assignment].map(([m, topics]) => [m, topics.get('in')]))
  assert.deepEqual(Object.fromEntries(numbers), { 'm-a': [0, 1, 2], 'm-b': [3, 4, 5], 'm-c': [6, 7] })
  for (const [m, topics] of assignment) assert.deepEqual(topics.get('g-loop'), numbers.get(m), m)
})

test('SQLite store: values and offset survive a reopen; apply is atomic with its offset; clear forgets both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-sqlite-'))
  try {
    const open = sqliteStore(join(dir, 'nested'))
    const s = open('t', 3)
    assert.equal(s.offset, -1n)
    s.apply([['a', bytes('1')], ['b', bytes('2')]], 10n)
    s.apply([['a', null], ['c', bytes('3')]], 11n)
    s.close()
    const again = open('t', 3)
    assert.equal(again.offset, 11n)
    assert.deepEqual([...again.entries()].map(([k, v]) => `${k}=${v.toString()}`), ['b=2', 'c=3'])
    assert.equal(again.size, 2)
    assert.throws(() => { again.apply([['d', bytes('4')], ['e', {} as never]], 12n) })
    assert.equal(again.offset, 11n, 'a failed apply leaves the offset')
    assert.equal(again.get('d'), undefined, 'and no value of it')
    again.clear()
    assert.equal(again.offset, -1n)
    assert.equal(again.size, 0)
    again.close()
    assert.equal(open('t', 4).offset, -1n, 'each partition has its own file')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('table overlay: own writes visible at once; the store takes acknowledged writes in the order made, however the acknowledgements arrive; discard drops the rest', async () => {
  const store = new MemoryStore()
  store.apply([['k', bytes('old')], ['gone', bytes('g')]], 4n)
  const table = new TablePartition(store)
  const w1 = table.write('k', bytes('v1'))
  const w2 = table.write('k', bytes('v2'))
  const wDel = table.write('gone', null)
  const w3 = table.write('j', bytes('x'))
  assert.equal(table.get('k')?.toString(), 'v2')
  assert.equal(table.get('gone'), undefined)
  assert.equal(store.get('k')?.toString(), 'old')
  // A batch of writes settles when its slowest partition answers: the later write can be acknowledged first.
  table.acknowledge(w2, 6n)
  table.flush()
  assert.equal(store.get('k')?.toString(), 'old', 'the later write waits for the earlier one')
  assert.equal(store.offset, 4n)
  table.acknowledge(w1, 5n)
  table.flush()
  assert.equal(store.get('k')?.toString(), 'v2', 'both applied in the order made: the newer value stays')
  assert.equal(store.offset, 6n)
  assert.equal(table.get('k')?.toString(), 'v2')
  table.acknowledge(wDel, 7n)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(store.offset, 7n, 'acknowledged writes reach the store by themselves')
  assert.equal(store.get('gone'), undefined, 'the tombstone deleted the key')
  table.discardPending()
  assert.equal(table.get('j'), undefined, 'the write never acknowledged is gone')
  table.acknowledge(w3, 8n)
  table.flush()
  assert.equal(store.get('j'), undefined, 'a discarded write never reaches the store (the restart reads the topic)')
  assert.equal(store.offset, 7n)
})

test('write batch: the writes of a turn go in one sendBatch, in the order made; each write gets its offset; a failed batch reports its delivered writes first', async () => {
  const calls: ProducerRecord[][] = []
  let answer = async (records: readonly ProducerRecord[]): Promise<RecordMetadata[]> => records.map((r, i) => ({ topic: r.topic, partition: 0, offset: BigInt(10 + i), timestamp: 0 }))
  const producer = { sendBatch: async (records: ProducerRecord[]) => { calls.push(records); return await answer(records) } } as unknown as Producer
  const events: string[] = []
  const batch = new WriteBatch<string>(producer, { delivered: (tag, offset) => events.push(`${tag}@${offset}`), failed: (error) => events.push(`failed: ${error.message}`) })
  batch.add({ topic: 't', value: 'a' }, 'a')
  batch.add({ topic: 't', value: 'b' }, 'b')
  assert.equal(calls.length, 0, 'gathered until the turn ends')
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(calls.map((c) => c.map((r) => r.value)), [['a', 'b']], 'one call, in order, by itself at the turn')
  await batch.idle()
  assert.deepEqual(events, ['a@10', 'b@11'])
  const timedOut = new Error('timed out')
  answer = async () => { throw new SendBatchError([{ status: 'fulfilled', value: { topic: 't', partition: 0, offset: 12n, timestamp: 0 } }, { status: 'rejected', reason: timedOut }], 1, timedOut) }
  batch.add({ topic: 't', value: 'c' }, 'c')
  batch.add({ topic: 't', value: 'd' }, 'd')
  await batch.idle()
  assert.equal(calls.length, 2)
  assert.deepEqual(events.slice(2), ['c@12', 'failed: sendBatch: 1 of 2 record(s) failed; the first: timed out'], 'the delivered write, then the failure; nothing for the lost one')
  for (let i = 0; i < 1025; i++) batch.add({ topic: 't', value: String(i) }, String(i))
  assert.equal(calls.length, 3, 'a full batch (1024 writes) goes at once')
  assert.equal(calls[2]?.length, 1024)
  await batch.idle()
  assert.deepEqual(calls.slice(3).map((c) => c.length), [1], 'the rest at idle')
})

test('offset tracker: the position moves only over finished records, whatever order they finish in', () => {
  const t = new OffsetTracker()
  const a = t.add('in', 10n)
  const b = t.add('in', 11n)
  const c = t.add('loop', 3n)
  b.remaining++
  assert.equal(t.settle(b), false)
  assert.equal(t.settle(c), false)
  assert.equal(t.done.size, 0, 'nothing done while the first record is in flight')
  assert.equal(t.settle(a), true)
  assert.deepEqual(Object.fromEntries(t.done), { in: 11n })
  assert.equal(t.settle(b), true)
  assert.deepEqual(Object.fromEntries(t.done), { in: 12n, loop: 4n })
  assert.equal(t.inFlight, 0)
})
