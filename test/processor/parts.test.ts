/**
 * The processor's pieces without Kafka: key placement against published vectors, the
 * co-partitioning assignor, the stores (SQLite surviving a reopen with its offset), the table
 * overlay (a callback reads its own writes; the store holds only what was acknowledged) and the
 * offset tracker (commits only over a prefix of finished records).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copartitionedAssignor, fnv32a, partitionFor, MemoryStore, sqliteStore } from '../../src/processor/index.ts'
import { TablePartition } from '../../src/processor/table-partition.ts'
import { OffsetTracker } from '../../src/processor/offset-tracker.ts'

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

test('table overlay: own writes visible at once, the store only gets acknowledged ones, discard drops the rest', async () => {
  const store = new MemoryStore()
  store.apply([['k', bytes('old')]], 4n)
  const table = new TablePartition(store)
  const w1 = table.write('k', bytes('v1'))
  const w2 = table.write('k', bytes('v2'))
  const wDel = table.write('gone', null)
  assert.equal(table.get('k')?.toString(), 'v2')
  assert.equal(store.get('k')?.toString(), 'old')
  table.acknowledge(w1, 5n)
  table.flush()
  assert.equal(store.get('k')?.toString(), 'v1')
  assert.equal(store.offset, 5n)
  assert.equal(table.get('k')?.toString(), 'v2', 'the later write still shows')
  table.acknowledge(wDel, 6n)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(store.offset, 6n, 'acknowledged writes reach the store by themselves')
  table.discardPending()
  assert.equal(table.get('k')?.toString(), 'v1', 'the write never acknowledged is gone')
  table.acknowledge(w2, 7n)
  table.flush()
  assert.equal(store.get('k')?.toString(), 'v2')
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
