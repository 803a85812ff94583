/** `steadfast produce`, run as a user runs it (bin/steadfast) with lines on stdin, against the mock cluster. */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { MockCluster } from '../../../src/testkit/mock-cluster/mock-cluster.ts'
import { fetchBatches, kcatRead } from '../../producer/helpers.ts'
import { produceLines, type LineResult } from '../../../src/cli/commands/produce-lines.ts'
import type { ProducerRecord } from '../../../src/producer/record.ts'
import type { RecordMetadata } from '../../../src/producer/batch.ts'
import { BufferFullError, SendBatchError } from '../../../src/producer/errors.ts'
import { Producer } from '../../../src/producer/producer.ts'

const BIN = fileURLToPath(new URL('../../../bin/steadfast', import.meta.url))

function steadfast (args: string[], stdin: string): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(BIN, args, { timeout: 30_000, env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
    child.stdin?.end(stdin)
  })
}

/** Lines as a terminal gives them: each read brings one. */
async function * numbered (count: number, width = 10): AsyncGenerator<Buffer[]> {
  for (let i = 0; i < count; i++) yield [Buffer.from(String(i).padStart(width, '0'))]
}

/** A stand-in for the producer's sendBatch made of a per-record send, with sendBatch's contract: every outcome, a SendBatchError when any failed. */
function batching (send: (record: ProducerRecord) => Promise<RecordMetadata>): Pick<Producer, 'sendBatch'> {
  return {
    sendBatch: async (records) => {
      const outcomes = await Promise.allSettled(records.map(send))
      const failures = outcomes.filter((o) => o.status === 'rejected')
      if (failures.length > 0) throw new SendBatchError(outcomes, failures.length, failures[0]?.reason)
      return outcomes.map((o) => (o as PromiseFulfilledResult<RecordMetadata>).value)
    },
  }
}

/** A stand-in producer whose sends settle a few ticks later; it records how many were pending at most. */
function slowProducer (fail: (value: string) => boolean = () => false) {
  const state = { pending: 0, most: 0, sent: [] as string[] }
  const send = async (record: ProducerRecord): Promise<RecordMetadata> => {
    state.sent.push(String(record.value))
    state.most = Math.max(state.most, ++state.pending)
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    state.pending--
    if (fail(String(record.value))) throw new BufferFullError(`no space for ${String(record.value)}`)
    return { topic: record.topic, partition: 0, offset: BigInt(state.sent.indexOf(String(record.value))), timestamp: 0 }
  }
  return { send, state }
}

const input = { topic: 't', headers: [] }

describe('produceLines backpressure', () => {
  test('reading pauses while maxPending sends await their outcome; every line is sent once, in order', async () => {
    const { send, state } = slowProducer()
    const told: number[] = []
    const summary = await produceLines(batching(send), input, numbered(200), { maxPending: 7, each: (r) => told.push(r.line) })
    assert.equal(state.most, 7, 'the cap is reached and never passed')
    assert.deepEqual(state.sent, Array.from({ length: 200 }, (_, i) => String(i).padStart(10, '0')))
    assert.deepEqual([summary.lines, summary.succeeded, summary.failed], [200, 200, 0])
    assert.deepEqual(told, Array.from({ length: 200 }, (_, i) => i + 1))
  })

  test('outcomes are told in line order; those held behind a slow line count against the cap', async () => {
    const gate: { open: () => void } = { open: () => {} }
    const opened = new Promise<void>((resolve) => { gate.open = resolve })
    const sent: string[] = []
    const send = async (record: ProducerRecord): Promise<RecordMetadata> => {
      sent.push(String(record.value))
      if (sent.length === 1) await opened
      return { topic: 't', partition: 0, offset: BigInt(Number(record.value)), timestamp: 0 }
    }
    const told: number[] = []
    const running = produceLines(batching(send), input, numbered(50), { maxPending: 5, each: (r) => told.push(r.line) })
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    assert.equal(sent.length, 5, 'reading paused: one line in flight and four outcomes held behind it')
    assert.deepEqual(told, [])
    gate.open()
    await running
    assert.deepEqual(told, Array.from({ length: 50 }, (_, i) => i + 1))
  })

  test('bytes awaiting an outcome are capped too', async () => {
    const { send, state } = slowProducer()
    await produceLines(batching(send), input, numbered(100, 1000), { maxPending: 1000, maxPendingBytes: 4000 })
    assert.equal(state.most, 4, 'four lines of 1000 bytes reach the 4000-byte cap')
  })

  test('the summary keeps counts and the first 100 failures, by line', async () => {
    const { send } = slowProducer((value) => Number(value) % 2 === 1)
    const summary = await produceLines(batching(send), input, numbered(400), { maxPending: 50 })
    assert.deepEqual([summary.lines, summary.succeeded, summary.failed], [400, 200, 200])
    assert.deepEqual(summary.partitions, { 0: 200 })
    assert.equal(summary.results.length, 100)
    assert.ok(summary.results.every((r, i) => 'error' in r && (i === 0 || r.line > (summary.results[i - 1]?.line ?? 0))))
  })
})

describe('produceLines chunks', () => {
  test('the lines of one read go out in sendBatch calls of at most maxChunkLines, within maxPending, in order', async () => {
    const calls: number[] = []
    const sent: string[] = []
    const state = { pending: 0, most: 0 }
    const producer: Pick<Producer, 'sendBatch'> = {
      sendBatch: async (records) => {
        calls.push(records.length)
        sent.push(...records.map((r) => String(r.value)))
        state.most = Math.max(state.most, state.pending += records.length)
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
        state.pending -= records.length
        return records.map((r) => ({ topic: r.topic, partition: 0, offset: BigInt(Number(r.value)), timestamp: 0 }))
      },
    }
    async function * reads (): AsyncGenerator<Buffer[]> {
      for (let r = 0; r < 3; r++) yield Array.from({ length: 10 }, (_, i) => Buffer.from(String(r * 10 + i)))
    }
    const told: LineResult[] = []
    const summary = await produceLines(producer, input, reads(), { maxChunkLines: 4, maxPending: 6, each: (r) => told.push(r) })
    assert.ok(calls.every((n) => n <= 4), `chunk sizes ${calls.join(',')}`)
    assert.ok(state.most <= 6, `at most ${state.most} pending`)
    assert.deepEqual(sent, Array.from({ length: 30 }, (_, i) => String(i)))
    assert.deepEqual(told, Array.from({ length: 30 }, (_, i) => ({ line: i + 1, partition: 0, offset: BigInt(i) })))
    assert.deepEqual([summary.lines, summary.succeeded, summary.failed], [30, 30, 0])
  })
})

describe('steadfast produce', { timeout: 90_000 }, () => {
  let mock: MockCluster
  before(async () => {
    mock = await MockCluster.start({ brokers: 3, topics: [{ name: 'lines', partitions: 3 }, { name: 'plain', partitions: 1 }, { name: 'one', partitions: 2 }, { name: 'chunked', partitions: 1 }] })
  })
  after(async () => { await mock.stop() })

  test('keyed lines with lz4 and acks all: json reports every line, kcat reads them back on the murmur2 partitions', async () => {
    const keys = ['alice', 'bob', 'carol', 'dave']
    // Where Java's murmur2 puts them among 3 partitions (computed with KafkaJS's port of it).
    const partitions = [0, 0, 2, 1]
    const input = keys.map((k, i) => `${k}:hello ${i}:with colon`).join('\n') + '\n'
    const { code, stdout } = await steadfast(['produce', '--topic', 'lines', '--bootstrap', mock.bootstrap, '--key-separator', ':', '--compression', 'lz4', '--acks', 'all', '--output', 'json'], input)
    assert.equal(code, 0)
    const summary = JSON.parse(stdout)
    assert.equal(summary.lines, 4)
    assert.equal(summary.succeeded, 4)
    assert.equal(summary.failed, 0)
    keys.forEach((key, i) => {
      assert.equal(summary.results[i].line, i + 1)
      assert.equal(summary.results[i].partition, partitions[i], `partition of ${key}`)
    })
    for (const [i, key] of keys.entries()) {
      const log = await kcatRead(mock.bootstrap, 'lines', partitions[i] ?? -1)
      const found = log.find((r) => r.key === key)
      assert.equal(found?.value, `hello ${i}:with colon`)
      assert.equal(found?.offset, summary.results[i].offset)
    }
    const batches = await fetchBatches(mock.bootstrap, 'lines', partitions[0] ?? -1)
    assert.equal(batches[0]?.compression, 'lz4')
  })

  test('plain lines to a fixed partition, table summary, headers', async () => {
    const { code, stdout } = await steadfast(['produce', '--topic', 'one', '--bootstrap', mock.bootstrap, '--partition', '1', '--header', 'source=cli', '--crlf'], 'a\nb\r\nc\n')
    assert.equal(code, 0)
    assert.equal(stdout, 'produced 3 of 3 line(s) to one (partition: records 1: 3); 0 failed\n')
    assert.deepEqual((await kcatRead(mock.bootstrap, 'one', 1)).map((r) => [r.value, r.headers]), [['a', 'source=cli'], ['b', 'source=cli'], ['c', 'source=cli']])
  })

  test('a line without the key separator fails alone and makes the exit code non-zero', async () => {
    const { code, stdout } = await steadfast(['produce', '--topic', 'plain', '--bootstrap', mock.bootstrap, '--key-separator', '=', '--output', 'json'], 'k=v\nnokey\nk2=v2\n')
    assert.equal(code, 1)
    const summary = JSON.parse(stdout)
    assert.equal(summary.succeeded, 2)
    assert.deepEqual(summary.results[1], { line: 2, error: 'line 2 has no key separator "="' })
    assert.deepEqual((await kcatRead(mock.bootstrap, 'plain', 0)).map((r) => [r.key, r.value]), [['k', 'v'], ['k2', 'v2']])
  })

  test('a chunk the producer refuses as a whole (one record too large) is resent line by line: only that line fails, the rest keep their order', async () => {
    // The line fits the producer's limit; its record, with the header, does not.
    const producer = new Producer({ bootstrap: mock.bootstrap, maxRequestSize: 1024, lingerMs: 0 })
    const lines = ['a', 'b', 'x'.repeat(1010), 'c', 'd', 'e', 'f'].map((l) => Buffer.from(l))
    async function * reads (): AsyncGenerator<Buffer[]> { yield lines }
    try {
      const summary = await produceLines(producer, { topic: 'chunked', headers: [{ key: 'h', value: 'v' }] }, reads(), { maxChunkLines: 3 })
      assert.deepEqual([summary.lines, summary.succeeded, summary.failed], [7, 6, 1])
      assert.equal(summary.results[0]?.line, 3)
      assert.match((summary.results[0] as { error: string }).error, /the record for topic chunked is about 1044 bytes, more than maxRequestSize \(1024\)/)
    } finally {
      await producer.close()
    }
    assert.deepEqual((await kcatRead(mock.bootstrap, 'chunked', 0)).map((r) => r.value), ['a', 'b', 'c', 'd', 'e', 'f'])
  })

  test('bad options are one clear line on stderr', async () => {
    const acks = await steadfast(['produce', '--topic', 'plain', '--bootstrap', mock.bootstrap, '--acks', '2'], 'x\n')
    assert.equal(acks.code, 2)
    assert.match(acks.stderr, /--acks: "2" is not 0, 1 or all/)
    const codec = await steadfast(['produce', '--topic', 'plain', '--bootstrap', mock.bootstrap, '--compression', 'brotli'], 'x\n')
    assert.equal(codec.code, 2)
    assert.match(codec.stderr, /compression must be one of none, gzip, snappy, lz4, zstd, got "brotli"/)
    const tiny = await steadfast(['produce', '--topic', 'plain', '--bootstrap', mock.bootstrap, '--timeout', '0'], 'x\n')
    assert.equal(tiny.code, 2)
    assert.match(tiny.stderr, /--timeout must be at least 1s \(room for a metadata lookup, a send and a retry\), got "0"/)
  })

  test('an unknown topic fails fast, after a short bounded wait, naming the topic', async () => {
    const { code, stdout, stderr } = await steadfast(['produce', '--topic', 'no-such-topic', '--bootstrap', mock.bootstrap, '--timeout', '1s'], 'x\n')
    assert.equal(code, 2)
    assert.equal(stdout, '')
    assert.match(stderr, /--topic: the cluster does not know topic "no-such-topic" \(UNKNOWN_TOPIC_OR_PARTITION for 1000 ms\); create it first/)
  })
})
