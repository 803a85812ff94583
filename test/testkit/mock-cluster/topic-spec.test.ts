import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseTopicSpec } from '../../../src/testkit/mock-cluster/topic-spec.ts'
import { InvalidArgumentError } from '../../../src/resilience/errors.ts'

describe('parseTopicSpec', () => {
  test('reads name, partitions and replication factor', () => {
    assert.deepEqual(parseTopicSpec('orders'), { name: 'orders' })
    assert.deepEqual(parseTopicSpec('orders:6'), { name: 'orders', partitions: 6 })
    assert.deepEqual(parseTopicSpec('orders:6:3'), { name: 'orders', partitions: 6, replicationFactor: 3 })
  })

  test('names what is wrong with a bad spec', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /--topic: "" is not a topic spec \(expected name\[:partitions\[:replicationFactor\]\]/],
      [':3', /is not a topic spec/],
      ['a:1:1:1', /is not a topic spec/],
      ['a:0', /"a:0": partitions must be a positive integer, got "0"/],
      ['a:x:1', /partitions must be a positive integer, got "x"/],
      ['a:2:', /replication factor must be a positive integer, got ""/],
      ['a:2:-1', /replication factor must be a positive integer, got "-1"/],
      ['a:1e3', /partitions must be a positive integer/],
    ]
    for (const [text, message] of cases) {
      assert.throws(() => parseTopicSpec(text), (error: unknown) => error instanceof InvalidArgumentError && message.test(error.message), text)
    }
  })

  test('round-trips any valid spec (generated input)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/)
    const count = fc.integer({ min: 1, max: 99_999 })
    fc.assert(fc.property(name, count, count, (n, p, r) => {
      assert.deepEqual(parseTopicSpec(`${n}:${p}:${r}`), { name: n, partitions: p, replicationFactor: r })
    }))
  })
})
