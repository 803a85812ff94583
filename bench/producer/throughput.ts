/**
 * The producer throughput comparison both producer benchmarks print (mock cluster and real
 * Kafka): each client writes `count` records of `size` bytes to a fresh 6-partition topic,
 * acks=all, several runs in alternating order. steadfast and KafkaJS run in a process of their
 * own (worker.ts) so that each peak RSS is that client's alone; both processes load the same
 * modules (tsx, both clients), so the module overhead is the same on both sides. kcat runs as
 * its own process too, under /usr/bin/time; its time includes its process start, as a user
 * would run it. Every run's record count is read back afterwards; a short count fails the run.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { countRecords, kcatClient, median, spread, type KcatRun } from './clients.ts'

export const STEADFAST = 'steadfast'
export const STEADFAST_CHUNKS = 'steadfast/chunks'
export const STEADFAST_BATCH = 'steadfast/sendBatch'
export const KAFKAJS = 'kafkajs 2.2.4'
export const KCAT_NAME = 'kcat (librdkafka)'

export interface Target {
  bootstrap: string
  /** "mock cluster (librdkafka 2.x)", "real Kafka 4.1" */
  describe: string
  createTopic: (spec: { name: string, partitions: number, replicationFactor: number }) => Promise<void>
}

interface RunFigures {
  ms: number
  peakRssMiB: number
  /** Peak growth of heap + Buffers over the run (Node clients only). */
  heapMiB: number
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))

async function inWorker (name: string, bootstrap: string, topic: string, size: number, count: number): Promise<RunFigures> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', WORKER, name, bootstrap, topic, String(size), String(count)],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`${name} worker exited ${String(code)}: ${stderr.slice(0, 1000)}`)
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as RunFigures
}

let topics = 0

/** Runs and prints the comparison; resolves with each client's median records/s. */
export async function throughput (target: Target, names: readonly string[], count: number, size: number, runs: number, kcatDir: string): Promise<Map<string, number>> {
  let kcatRun: KcatRun | undefined
  const kcat = kcatClient(target.bootstrap, kcatDir, (run) => { kcatRun = run })
  const stats = new Map<string, { rates: number[], rss: number[], heap: number[], counted: number[] }>()
  for (let run = 0; run < runs; run++) {
    for (const name of run % 2 === 0 ? names : [...names].reverse()) {
      const topic = `bench-${process.pid}-${++topics}`
      await target.createTopic({ name: topic, partitions: 6, replicationFactor: 3 })
      let figures: RunFigures
      if (name === KCAT_NAME) {
        await kcat.sendOne(topic, 0, 'warm-up')
        await kcat.sendAll(topic, Buffer.alloc(size, 120), count)
        const done = kcatRun as KcatRun
        figures = { ms: done.ms, peakRssMiB: done.peakRssMiB, heapMiB: NaN }
      } else {
        figures = await inWorker(name, target.bootstrap, topic, size, count)
      }
      const s = stats.get(name) ?? { rates: [], rss: [], heap: [], counted: [] }
      s.rates.push(count / (figures.ms / 1000))
      s.rss.push(figures.peakRssMiB)
      s.heap.push(figures.heapMiB)
      s.counted.push(await countRecords(target.bootstrap, topic) - 1)
      stats.set(name, s)
    }
  }
  console.log(`\nthroughput: ${count} records of ${size} B, acks=all, 6 partitions x RF 3, ${target.describe}, ${runs} runs each`)
  console.log('client              median rec/s  spread rec/s       median MiB/s  peak RSS MiB  heap+buf MiB  records in log')
  for (const [name, s] of stats) {
    const mibs = median(s.rates) * size / 1024 / 1024
    const heap = Number.isNaN(median(s.heap)) ? '-' : median(s.heap).toFixed(1)
    console.log(`${name.padEnd(19)} ${median(s.rates).toFixed(0).padStart(12)}  ${spread(s.rates).padEnd(17)}  ${mibs.toFixed(1).padStart(12)}  ${median(s.rss).toFixed(0).padStart(12)}  ${heap.padStart(12)}  ${s.counted.join(',')} of ${count}`)
  }
  for (const ours of [STEADFAST, STEADFAST_CHUNKS, STEADFAST_BATCH]) {
    const a = stats.get(ours)
    if (a === undefined) continue
    for (const other of [KAFKAJS, KCAT_NAME]) {
      const b = stats.get(other)
      if (b === undefined) continue
      console.log(`ratio ${ours}/${other}: throughput ${(median(a.rates) / median(b.rates)).toFixed(2)}x, peak RSS ${(median(a.rss) / median(b.rss)).toFixed(2)}x`)
    }
  }
  // A rate measured over records that never reached the log is no rate: a short log ends the run.
  const short = [...stats].flatMap(([name, s]) => s.counted.filter((n) => n < count).map((n) => `${name} ${n} of ${count}`))
  if (short.length > 0) throw new Error(`throughput: records acknowledged but missing from the log: ${short.join('; ')}`)
  return new Map([...stats].map(([name, s]) => [name, median(s.rates)]))
}
