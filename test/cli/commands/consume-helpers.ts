/**
 * Shared by the `steadfast consume` tests (mock and real Kafka): the command run as a user runs
 * it with its stdout kept as bytes, kcat (librdkafka) as the independent reader, records that
 * UTF-8 decoding would change, and checks of what a group committed.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Admin } from '../../../src/admin/admin.ts'
import { Producer } from '../../../src/producer/producer.ts'
import { silent } from '../../producer/helpers.ts'
import { BIN } from '../../support/run-cli.ts'

const run = promisify(execFile)
export const PARTITIONS = [0, 1, 2]
/** Every token kcat and steadfast share; tabs and newlines never occur inside the records below. */
export const FORMAT = '%t\\t%p\\t%o\\t%k\\t%s\\t%S\\t%K\\t%h\\t%T\\n'

export async function kcat (bootstrap: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run('kcat', ['-C', '-b', bootstrap, '-q', ...args], { encoding: 'buffer', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 })
  return stdout
}

/** bin/steadfast consume; its stdout kept as bytes (test/support/run-cli.ts decodes it as UTF-8). */
/**
 * At the info level, so a failure message shows what the command met (group joins, retries).
 * Stopped after 60 s: the command handles SIGTERM as a user's stop and exits 0, so a stop by this
 * timer is reported as code -2, never as a run that ended by itself.
 */
export async function consume (bootstrap: string, args: string[]): Promise<{ code: number, stdout: Buffer, stderr: string }> {
  const started = Date.now()
  return await new Promise((resolve) => {
    const child = execFile(BIN, ['consume', '--bootstrap', bootstrap, ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, STEADFAST_LOG_LEVEL: 'info' } }, (error, stdout, stderr) => {
      clearTimeout(timer)
      const code = timedOut ? -2 : error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr: stderr.toString() + (timedOut ? `\n(stopped by the test after ${Date.now() - started} ms)` : '') })
    })
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGTERM') }, 60_000)
    child.stdin?.end()
  })
}

/** Bytes no UTF-8 decoder keeps as they are (0x80–0xff alone, NUL), never a tab or newline. */
export function binary (i: number): Buffer {
  return Buffer.from([0xff, 0x00, 0x80 + (i % 100), 0xc3, 0x28, 0x41 + (i % 26)])
}

/**
 * 90 records over 3 partitions of an existing topic: binary values, a NULL value and a NULL key now
 * and then, headers with NULL and empty values; record i has timestamp base + i s. Returns base.
 */
export async function produceMixed (bootstrap: string, topic: string): Promise<number> {
  const producer = new Producer({ bootstrap, logger: silent, lingerMs: 0 })
  // Recent timestamps, a second apart, all in the past: real Kafka's time-based retention (7 days by
  // default) deletes older records at its first check, about 30 s after a broker starts, so a
  // fixed 2023 timestamp emptied the topic under a test that ran slower than that.
  const base = Date.now() - 100_000
  try {
    await Promise.all(Array.from({ length: 90 }, async (_, i) => await producer.send({
      topic,
      partition: i % 3,
      key: i % 10 === 3 ? null : `key-${i}`,
      value: i % 15 === 7 ? null : i % 2 === 0 ? binary(i) : `text ${i} é`,
      headers: i % 4 === 0 ? [{ key: 'h', value: `v${i}` }, { key: 'empty', value: '' }, { key: 'none', value: null }] : [],
      timestamp: base + i * 1000,
    })))
    return base
  } finally {
    await producer.close()
  }
}

/** Lines per partition (second field), in the order printed. */
export function linesByPartition (output: Buffer): Map<string, string[]> {
  const result = new Map<string, string[]>()
  for (const line of output.toString('latin1').split('\n').filter((l) => l !== '')) {
    const partition = line.split('\t')[1] ?? ''
    result.set(partition, [...(result.get(partition) ?? []), line])
  }
  return result
}

export function lines (output: Buffer): string[] {
  return output.toString().split('\n').filter((l) => l !== '')
}

/** The group's committed offset of every partition is one past the last record printed there (lines of `%p %o`). */
export async function assertCommittedAtEnd (bootstrap: string, group: string, topic: string, printed: string[]): Promise<void> {
  const ends = new Map<number, bigint>()
  for (const line of printed) {
    const [p, o] = line.split(' ').map(Number) as [number, number]
    ends.set(p, BigInt(Math.max(Number(ends.get(p) ?? 0n), o + 1)))
  }
  const admin = new Admin({ bootstrap, logger: silent })
  try {
    const committed = (await admin.listConsumerGroupOffsets(group, { topics: [{ topic, partitions: [...ends.keys()] }] })).get(group) ?? []
    assert.deepEqual(new Map(committed.filter((c) => c.topic === topic).map((c) => [c.partition, c.offset])), ends)
  } finally {
    await admin.close()
  }
}
