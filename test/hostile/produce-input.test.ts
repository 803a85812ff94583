/**
 * `steadfast produce` fed hostile input: invalid UTF-8 (used to be stored as U+FFFD), CR line
 * endings (used to be stripped silently), a line too large for a record (a line over ~512 MB
 * crashed with RangeError: Invalid string length), and a reader that closes stdout early (an
 * unhandled EPIPE stack trace).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { byteLines, type InputLine } from '../../src/cli/byte-lines.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { fetchBatches } from '../producer/helpers.ts'
import { BIN, runCli } from '../support/run-cli.ts'

async function collect (lines: AsyncIterable<InputLine[]>): Promise<InputLine[]> {
  const out: InputLine[] = []
  for await (const group of lines) out.push(...group)
  return out
}

async function * chunks (...parts: Array<Buffer | string>): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part)
}

describe('byteLines', () => {
  test('splits at \\n across chunks and keeps every other byte, \\r and invalid UTF-8 included', async () => {
    const lines = await collect(byteLines(chunks(Buffer.from([0xff, 0xfe, 0x0a, 0x61]), 'b\r\n\nlast'), 100))
    assert.deepEqual(lines, [Buffer.from([0xff, 0xfe]), Buffer.from('ab\r'), Buffer.alloc(0), Buffer.from('last')])
  })

  test('a line longer than the limit is counted, not held, and the next line is read as usual', async () => {
    const lines = await collect(byteLines(chunks('ok\n', 'x'.repeat(7), 'y'.repeat(5), '\nnext\n', 'z'.repeat(11)), 10))
    assert.deepEqual(lines, [Buffer.from('ok'), { oversizedBytes: 12, limitBytes: 10 }, Buffer.from('next'), { oversizedBytes: 11, limitBytes: 10 }])
  })

  test('a 600 MB line (more than a JavaScript string can hold) is reported by size without being buffered', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61)
    async function * huge (): AsyncGenerator<Buffer> {
      for (let i = 0; i < 600; i++) yield chunk
      yield Buffer.from('\nafter\n')
    }
    assert.deepEqual(await collect(byteLines(huge(), 1024 * 1024)), [{ oversizedBytes: 600 * 1024 * 1024, limitBytes: 1024 * 1024 }, Buffer.from('after')])
  })
})

describe('steadfast produce with hostile input', { timeout: 90_000 }, () => {
  let mock: MockCluster
  before(async () => {
    mock = await MockCluster.start({ brokers: 1, topics: [{ name: 'bytes', partitions: 1 }, { name: 'crlf', partitions: 1 }, { name: 'big', partitions: 1 }, { name: 'pipe', partitions: 1 }] })
  })
  after(async () => { await mock.stop() })

  async function stored (topic: string): Promise<Array<[string | null, string | null]>> {
    const batches = await fetchBatches(mock.bootstrap, topic, 0)
    return batches.flatMap((b) => b.records.map((r): [string | null, string | null] => [r.key?.toString('hex') ?? null, r.value?.toString('hex') ?? null]))
  }

  test('what arrives on stdin is stored byte for byte: invalid UTF-8, separators and \\r', async () => {
    const input = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('\n'), Buffer.from([0x6b, 0xc3]), Buffer.from(':'), Buffer.from([0x28, 0x76, 0x0d]), Buffer.from('\n')])
    const { code, stdout } = await runCli(['produce', '--topic', 'bytes', '--bootstrap', mock.bootstrap], { stdin: input })
    assert.equal(code, 0, stdout)
    const keyed = await runCli(['produce', '--topic', 'bytes', '--bootstrap', mock.bootstrap, '--key-separator', ':'], { stdin: Buffer.from([0x6b, 0xc3, 0x3a, 0x28, 0x76, 0x0d, 0x0a]) })
    assert.equal(keyed.code, 0, keyed.stdout)
    assert.deepEqual(await stored('bytes'), [[null, 'fffe'], [null, '6bc33a28760d'], ['6bc3', '28760d']])
  })

  test('--crlf strips one trailing \\r and nothing else', async () => {
    const { code } = await runCli(['produce', '--topic', 'crlf', '--bootstrap', mock.bootstrap, '--crlf'], { stdin: Buffer.from('a\r\nb\r\r\nc\rd\n') })
    assert.equal(code, 0)
    assert.deepEqual(await stored('crlf'), [[null, '61'], [null, '620d'], [null, '630d64']])
  })

  test('a line larger than a record may be is reported and skipped; the lines around it are stored', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x62)
    const { code, stdout } = await runCli(['produce', '--topic', 'big', '--bootstrap', mock.bootstrap, '--output', 'json'], { stdin: Buffer.concat([Buffer.from('before\n'), big, Buffer.from('\nafter\n')]) })
    assert.equal(code, 1)
    const summary = JSON.parse(stdout) as { lines: number, succeeded: number, failed: number, results: Array<{ line: number, error?: string }> }
    assert.deepEqual([summary.lines, summary.succeeded, summary.failed], [3, 2, 1])
    assert.equal(summary.results[1]?.error, `line 2 is ${big.length} bytes, more than one record may hold (1048576 bytes); skipped`)
    assert.deepEqual(await stored('big'), [[null, Buffer.from('before').toString('hex')], [null, Buffer.from('after').toString('hex')]])
  })

  test('stdout closed by its reader (| head -c 100) ends the command quietly with status 141', async () => {
    const child = spawn(BIN, ['produce', '--topic', 'pipe', '--bootstrap', mock.bootstrap, '--output', 'json'], { env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const exited = once(child, 'exit')
    // The command ends (141) before it has read every line, so writing the rest meets a closed pipe:
    // EPIPE on our side is the expected outcome, not a failure (Node 24 raises it where 20 did not).
    child.stdin.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'EPIPE') throw error })
    child.stdin.end(Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join('\n') + '\n')
    let head = ''
    for await (const chunk of child.stdout) {
      head += String(chunk)
      if (head.length >= 100) break
    }
    child.stdout.destroy()
    const [code, signal] = await exited as [number | null, string | null]
    assert.equal(stderr, '')
    assert.deepEqual([code, signal], [141, null])
    assert.match(head, /^\{\n {2}"topic": "pipe",/)
  })
})
