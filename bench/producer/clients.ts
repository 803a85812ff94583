/**
 * What the producer benchmarks share: the clients side by side (steadfast, KafkaJS 2.2.4, kcat),
 * fed the same way, a record count read back by KafkaJS's admin (never by the client under test),
 * and memory sampling, medians and spreads.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kafka, logLevel, type Producer as KafkaJsProducer } from 'kafkajs'
import { Producer } from '../../src/producer/producer.ts'
import { createLogger } from '../../src/observability/logger.ts'

const logger = createLogger({ level: 'silent' })

export interface Client {
  name: string
  /** Sends `count` values to `topic` with acks=all; resolves when all are acknowledged. */
  sendAll: (topic: string, value: Buffer, count: number) => Promise<void>
  /** Sends one record to a partition; resolves when acknowledged. */
  sendOne: (topic: string, partition: number, value: string) => Promise<void>
  close: () => Promise<void>
}

/**
 * KafkaJS is fed up to 1000 records a call, 8 calls in flight; steadfast can be fed the same way.
 * KafkaJS puts a call's records for one partition into one batch, which a real broker refuses
 * above message.max.bytes (1 MiB): calls carry at most 3 MiB in all (≈ 0.5 MiB per partition of 6).
 */
const MAX_CHUNK = 1000
const MAX_CHUNK_BYTES = 3 * 1024 * 1024
const CONCURRENCY = 8

export async function chunked (count: number, size: number, sendChunk: (n: number) => Promise<void>): Promise<void> {
  const chunk = Math.max(1, Math.min(MAX_CHUNK, Math.floor(MAX_CHUNK_BYTES / size)))
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = Math.min(chunk, count - next)
      next += n
      await sendChunk(n)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

/**
 * `fed`: 'all' hands every record to send() at once; 'chunks' feeds send() like KafkaJS; 'batch'
 * feeds sendBatch() like KafkaJS (one call per chunk).
 */
export function steadfastClient (bootstrap: string, fed: 'all' | 'chunks' | 'batch'): Client {
  const producer = new Producer({ bootstrap, logger, deliveryTimeoutMs: 120_000 })
  const sendMany = async (topic: string, value: Buffer, count: number): Promise<void> => {
    const pending: Array<Promise<unknown>> = new Array(count)
    for (let i = 0; i < count; i++) pending[i] = producer.send({ topic, value })
    await Promise.all(pending)
  }
  const sendBatch = async (topic: string, value: Buffer, count: number): Promise<void> => {
    await producer.sendBatch(Array.from({ length: count }, () => ({ topic, value })))
  }
  const names = { all: 'steadfast', chunks: 'steadfast/chunks', batch: 'steadfast/sendBatch' }
  return {
    name: names[fed],
    sendAll: fed === 'all'
      ? sendMany
      : async (topic, value, count) => { await chunked(count, value.length, async (n) => { await (fed === 'batch' ? sendBatch : sendMany)(topic, value, n) }) },
    sendOne: async (topic, partition, value) => { await producer.send({ topic, partition, value }) },
    close: async () => { await producer.close() },
  }
}

export async function kafkajsClient (bootstrap: string): Promise<Client> {
  const kafka = new Kafka({ clientId: 'bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING })
  const producer: KafkaJsProducer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  return {
    name: 'kafkajs 2.2.4',
    sendAll: async (topic, value, count) => {
      await chunked(count, value.length, async (n) => { await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, () => ({ value })) }) })
    },
    sendOne: async (topic, partition, value) => { await producer.send({ topic, acks: -1, messages: [{ partition, value }] }) },
    close: async () => { await producer.disconnect() },
  }
}

export const KCAT = '/usr/bin/kcat'

/** What one kcat process did: its wall time (process start included) and peak RSS. */
export interface KcatRun {
  ms: number
  peakRssMiB: number
}

/**
 * kcat -P (librdkafka, Debian's build) reading newline-separated values from a file in `dir`,
 * acks=all and idempotent, run under /usr/bin/time for its peak RSS. `sendAll` here also
 * reports what the process did through `onRun`.
 */
export function kcatClient (bootstrap: string, dir: string, onRun: (run: KcatRun) => void = () => {}): Client {
  const files = new Map<string, string>()
  const input = (size: number, count: number): string => {
    const key = `${size}x${count}`
    let file = files.get(key)
    if (file === undefined) {
      file = join(dir, `${key}.txt`)
      writeFileSync(file, (Buffer.alloc(size, 120).toString() + '\n').repeat(count))
      files.set(key, file)
    }
    return file
  }
  const run = async (args: string[], file: string | undefined, stdin?: string): Promise<KcatRun> => {
    const fd = file === undefined ? 'pipe' : openSync(file, 'r')
    try {
      const start = performance.now()
      const child = spawn('/usr/bin/time', ['-f', 'maxrss-kib %M', KCAT, '-P', '-b', bootstrap, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'message.max.bytes=2000000', ...args],
        { stdio: [fd, 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
      if (stdin !== undefined) child.stdin?.end(stdin)
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      const ms = performance.now() - start
      if (code !== 0) throw new Error(`kcat exited ${String(code)}: ${stderr.slice(0, 500)}`)
      const rss = /maxrss-kib (\d+)/.exec(stderr)
      return { ms, peakRssMiB: Number(rss?.[1] ?? NaN) / 1024 }
    } finally {
      if (typeof fd === 'number') closeSync(fd)
    }
  }
  return {
    name: 'kcat (librdkafka)',
    sendAll: async (topic, value, count) => { onRun(await run(['-t', topic], input(value.length, count))) },
    sendOne: async (topic, partition, value) => { await run(['-t', topic, '-p', String(partition)], undefined, value + '\n') },
    close: async () => {},
  }
}

export async function countRecords (bootstrap: string, topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'bench-count', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0)
  } finally {
    await admin.disconnect()
  }
}

function gc (): void {
  (globalThis as { gc?: () => void }).gc?.()
}

/** JS heap plus memory outside it (Buffers): what a client holds for records in flight. */
function used (): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

/** Runs `fn` while sampling memory; returns its duration and the peak growth. */
export async function measure (fn: () => Promise<void>): Promise<{ ms: number, heapMiB: number }> {
  gc()
  const base = used()
  let peak = base
  const sampler = setInterval(() => { peak = Math.max(peak, used()) }, 10)
  const start = performance.now()
  try {
    await fn()
  } finally {
    clearInterval(sampler)
  }
  const ms = performance.now() - start
  peak = Math.max(peak, used())
  return { ms, heapMiB: (peak - base) / 1024 / 1024 }
}

export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

export function spread (values: number[]): string {
  return `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`
}
