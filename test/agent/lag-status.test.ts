import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LagTracker, partitionStatus, type Sample } from '../../src/agent/lag-status.ts'
import { globToRegExp } from '../../src/agent/loops/lag.ts'

const samples = (rows: Array<[number, number]>): Sample[] => rows.map(([committed, lag], i) => ({ at: i, committed: BigInt(committed), lag: BigInt(lag) }))

test('OK until the window is full, and whenever lag is 0', () => {
  assert.equal(partitionStatus(samples([[0, 5], [0, 6]]), 3).status, 'OK')
  assert.equal(partitionStatus(samples([[0, 0], [0, 0], [0, 0]]), 3).status, 'OK')
})

test('ERR when the committed offset does not move across the window while there is lag', () => {
  const verdict = partitionStatus(samples([[7, 3], [7, 5], [7, 9]]), 3)
  assert.equal(verdict.status, 'ERR')
  assert.match(verdict.reason ?? '', /stuck at 7 for 3 samples with lag 9/)
})

test('WARN when commits move but lag grows at every sample; OK when it falls once', () => {
  assert.equal(partitionStatus(samples([[1, 3], [2, 5], [3, 8]]), 3).status, 'WARN')
  assert.equal(partitionStatus(samples([[1, 3], [5, 2], [6, 8]]), 3).status, 'OK')
})

test('a group takes its worst partition; windows slide', () => {
  const tracker = new LagTracker(2)
  const lag = (p0: number, c1: number, l1: number) => [
    { topic: 't', partition: 0, committed: 10n, latest: 10n + BigInt(p0), lag: BigInt(p0) },
    { topic: 't', partition: 1, committed: BigInt(c1), latest: BigInt(c1 + l1), lag: BigInt(l1) },
  ]
  assert.equal(tracker.observe('g', lag(0, 5, 1), 1).status, 'OK')
  const second = tracker.observe('g', lag(0, 5, 4), 2)
  assert.equal(second.status, 'ERR')
  assert.equal(second.totalLag, 4n)
  assert.deepEqual(second.partitions.map((p) => p.status), ['OK', 'ERR'])
  assert.equal(tracker.observe('g', lag(0, 9, 2), 3).status, 'OK')
})

test('group patterns: * matches any run, other characters are literal', () => {
  assert.ok(globToRegExp('orders-*').test('orders-billing'))
  assert.ok(!globToRegExp('orders-*').test('xorders-billing'))
  assert.ok(!globToRegExp('a.b').test('axb'))
})
