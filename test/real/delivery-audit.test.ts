/**
 * The audit the real-Kafka tests rest on: each kind of difference between what send reported and
 * what a reader found is counted (so a test asserting zeros can fail).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { audit, keyOf, type SentRecord } from './delivery-audit.ts'

const sent = (acked: Array<number | undefined>): SentRecord[] =>
  acked.map((offset, seq) => ({ partition: 0, seq, ackedOffset: offset === undefined ? undefined : BigInt(offset) }))
const log = (...entries: Array<[offset: number, seq: number | string]>): Map<number, Array<{ offset: number, key: string }>> =>
  new Map([[0, entries.map(([offset, seq]) => ({ offset, key: typeof seq === 'number' ? keyOf(0, seq) : seq }))]])

test('a clean delivery counts nothing but what was sent, acknowledged and read', () => {
  assert.deepEqual(audit(sent([0, 1, 2]), log([0, 0], [1, 1], [2, 2])),
    { sent: 3, acked: 3, readBack: 3, duplicates: 0, lost: 0, unackedPresent: 0, outOfOrder: 0, offsetMismatches: 0, foreign: 0 })
})

test('lost, duplicated, reordered, misplaced, unacknowledged-but-present and foreign records are each counted', () => {
  const report = audit(sent([0, 1, 2, 3, undefined]), log([0, 0], [1, 2], [2, 1], [3, 2], [4, 4], [5, 'stranger']))
  assert.deepEqual(report, {
    sent: 5,
    acked: 4,
    readBack: 6,
    duplicates: 1, // seq 2 twice
    lost: 1, // seq 3
    unackedPresent: 1, // seq 4
    outOfOrder: 1, // seq 1 found after seq 2
    offsetMismatches: 2, // seq 1 acked at 1, found at 2; seq 2 acked at 2, found at 1 and 3
    foreign: 1,
  })
})
