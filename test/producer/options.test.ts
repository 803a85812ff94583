import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveProducerOptions } from '../../src/producer/options.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'

const base = { bootstrap: '127.0.0.1:9092' }

describe('producer options', () => {
  test('defaults: acks all, idempotent, no compression, Java-like timeouts', () => {
    const o = resolveProducerOptions(base)
    assert.equal(o.acks, -1)
    assert.equal(o.idempotent, true)
    assert.equal(o.compression, 'none')
    assert.equal(o.deliveryTimeoutMs, 120_000)
    assert.equal(o.maxInFlightPerPartition, 5)
    assert.equal(o.lingerMs, 5)
    assert.equal(o.maxBufferedBytesPerPartition, 16 * 1024 * 1024, 'a quarter of maxBufferedBytes')
    assert.equal(resolveProducerOptions({ ...base, batchSize: 4096, maxBufferedBytes: 8192 }).maxBufferedBytesPerPartition, 4096, 'never below batchSize')
  })

  test('acks 1 or 0 turn idempotence off unless asked for, and asking for it with them is an error', () => {
    assert.equal(resolveProducerOptions({ ...base, acks: 1 }).idempotent, false)
    assert.equal(resolveProducerOptions({ ...base, acks: 'all' }).acks, -1)
    assert.throws(() => resolveProducerOptions({ ...base, acks: 0, idempotent: true }), /acks must be 'all' when idempotent is true, got 0/)
  })

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no bootstrap', {}, /need bootstrap/],
    ['unknown option', { ...base, lingerMS: 5 }, /option lingerMS is not known/],
    ['acks', { ...base, acks: 2 }, /acks must be 0, 1, -1 or 'all', got 2/],
    ['compression', { ...base, compression: 'brotli' }, /compression must be one of none, gzip, snappy, lz4, zstd, got "brotli"/],
    ['lingerMs', { ...base, lingerMs: -1 }, /lingerMs must be an integer from 0 to 60000, got -1/],
    ['batchSize above maxRequestSize', { ...base, batchSize: 2_000_000 }, /batchSize must be an integer from 1 to 1048576/],
    ['per-partition buffer below batch', { ...base, batchSize: 1000, maxBufferedBytesPerPartition: 999 }, /maxBufferedBytesPerPartition must be an integer from 1000 to 67108864, got 999/],
    ['per-partition buffer above the total', { ...base, maxBufferedBytes: 2_000_000, maxBufferedBytesPerPartition: 2_000_001 }, /maxBufferedBytesPerPartition must be an integer from 524288 to 2000000/],
    ['buffer below batch', { ...base, batchSize: 1000, maxBufferedBytes: 10 }, /maxBufferedBytes must be an integer >= 1000, got 10/],
    ['in flight with idempotence', { ...base, maxInFlightPerPartition: 6 }, /maxInFlightPerPartition must be an integer from 1 to 5, got 6/],
    ['delivery below request timeout', { ...base, deliveryTimeoutMs: 1000, requestTimeoutMs: 5000 }, /deliveryTimeoutMs must be >= lingerMs \+ requestTimeoutMs \(5005\)/],
    ['partitioner', { ...base, partitioner: 3 }, /partitioner must be a function or an object with a partition\(\) method, got 3/],
    ['idempotent type', { ...base, idempotent: 'yes' }, /idempotent must be true or false/],
    ['sasl with a given cluster', { cluster: {}, sasl: { mechanism: 'PLAIN', username: 'a', password: 'b' } }, /option sasl applies to the cluster the producer makes from bootstrap; with cluster given, set it on that cluster/],
  ]
  for (const [name, options, message] of bad) {
    test(`rejects bad ${name} with an error naming it`, () => {
      assert.throws(() => resolveProducerOptions(options as never), (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message))
    })
  }
})
