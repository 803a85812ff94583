/**
 * Peak memory while a group consumer reads 1M records of 100 B with a slow handler (1 ms of
 * waiting every 100 records, so fetching outruns the application): steadfast (iterator and
 * eachBatch) next to KafkaJS 2.2.4 (eachMessage), side by side on one real Kafka broker (the
 * mock's 5 MiB per-partition retention cannot hold 100 MB). The topic is produced once; each run
 * is a child process of its own reading it as a fresh group, so one client's heap never counts
 * for another. Reported: peak RSS (the kernel's maxRSS), RSS growth over the child's RSS before
 * subscribing, records read (a run that read fewer fails the benchmark). steadfast's
 * backpressure (maxBufferedBytesPerPartition) is what should hold its line flat.
 *
 * Run: node --import tsx bench/consumer/memory.ts [records] [runs]
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Kafka, logLevel } from 'kafkajs'
import { Consumer } from '../../src/consumer/consumer.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Producer } from '../../src/producer/producer.ts'
import { RealCluster } from '../../src/testkit/index.ts'
import { median, spread } from '../producer/clients.ts'

const logger = createLogger({ level: 'silent' })
const PARTITIONS = 6
const PAUSE_EVERY = 100

type Client = 'steadfast iterator' | 'steadfast eachBatch' | 'kafkajs eachMessage'
const CLIENTS: Client[] = ['steadfast iterator', 'steadfast eachBatch', 'kafkajs eachMessage']

interface ChildResult { read: number, maxRssMiB: number, startRssMiB: number, halfwayRssMiB: number, maxBufferedMiB: number | undefined, seconds: number }

/** RSS when half the records were read: close to the peak when memory holds flat, about half of its growth when it grows with the count. */
let halfway = 0
let halfwayRss = 0
/** The largest steadfast `bufferedBytes` seen (the part backpressure bounds). */
let maxBuffered: number | undefined

/** The slow application: 1 ms of waiting every PAUSE_EVERY records. */
async function handle (n: number, consumer?: Consumer): Promise<void> {
  if (n === halfway) halfwayRss = process.memoryUsage.rss()
  if (n % PAUSE_EVERY !== 0) return
  if (consumer !== undefined) maxBuffered = Math.max(maxBuffered ?? 0, consumer.bufferedBytes)
  await sleep(1)
}

async function readAll (client: Client, bootstrap: string, topic: string, count: number, groupId: string): Promise<number> {
  let n = 0
  if (client === 'kafkajs eachMessage') {
    const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING })
    const c = kafka.consumer({ groupId, sessionTimeout: 30_000 })
    await c.connect()
    await c.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      c.run({ eachMessage: async () => { await handle(++n); if (n >= count) resolve() } }).catch(reject)
    })
    await c.disconnect()
    return n
  }
  const c = new Consumer({ bootstrap, logger, groupId, autoOffsetReset: 'earliest', sessionTimeoutMs: 30_000 })
  c.subscribe([topic])
  if (client === 'steadfast iterator') {
    for await (const m of c) {
      if (m.value !== null) await handle(++n, c)
      if (n >= count) break
    }
    await c.close()
    return n
  }
  await c.run({
    eachBatch: async ({ messages }) => {
      for (let i = 0; i < messages.length; i++) await handle(++n, c)
      if (n >= count) c.close().catch(() => {})
    },
  })
  return n
}

async function child (client: Client, bootstrap: string, topic: string, count: number, groupId: string): Promise<void> {
  halfway = Math.floor(count / 2)
  const startRss = process.memoryUsage.rss()
  const start = performance.now()
  const read = await readAll(client, bootstrap, topic, count, groupId)
  const result: ChildResult = {
    read,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    startRssMiB: startRss / 1024 / 1024,
    halfwayRssMiB: halfwayRss / 1024 / 1024,
    maxBufferedMiB: maxBuffered === undefined ? undefined : maxBuffered / 1024 / 1024,
    seconds: (performance.now() - start) / 1000,
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

async function runChild (client: Client, bootstrap: string, topic: string, count: number, groupId: string): Promise<ChildResult> {
  const script = fileURLToPath(import.meta.url)
  return await new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, 'child', client, bootstrap, topic, String(count), groupId], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    p.on('error', reject)
    p.on('close', (code) => {
      if (code !== 0) { reject(new Error(`${client} exited with ${String(code)}`)); return }
      resolve(JSON.parse(out.trim().split('\n').pop() as string) as ChildResult)
    })
  })
}

async function fill (bootstrap: string, topic: string, count: number): Promise<void> {
  const producer = new Producer({ bootstrap, logger, lingerMs: 5, deliveryTimeoutMs: 300_000 })
  const value = Buffer.alloc(100, 120)
  // In slices, so the producer's own queue does not hold a million promises at once.
  for (let from = 0; from < count; from += 50_000) {
    const pending: Array<Promise<unknown>> = []
    for (let i = from; i < Math.min(count, from + 50_000); i++) pending.push(producer.send({ topic, value, partition: i % PARTITIONS }))
    await Promise.all(pending)
  }
  await producer.close()
}

async function main (): Promise<void> {
  const count = Number(process.argv[2] ?? 1_000_000)
  const runs = Number(process.argv[3] ?? 3)
  const topic = 'memory-bench'
  const cluster = await RealCluster.start({ brokers: 1, topics: [{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }] })
  try {
    console.error(`producing ${count} records of 100 B`)
    await fill(cluster.bootstrap, topic, count)
    const results = new Map<Client, ChildResult[]>()
    for (let run = 0; run < runs; run++) {
      for (const client of run % 2 === 0 ? CLIENTS : [...CLIENTS].reverse()) {
        console.error(`run ${run + 1}: ${client}`)
        const r = await runChild(client, cluster.bootstrap, topic, count, `memory-${run}-${client.replace(/\W/g, '-')}`)
        if (r.read < count) throw new Error(`${client} read ${r.read} of ${count} records`)
        results.set(client, [...(results.get(client) ?? []), r])
      }
    }
    console.log(`\npeak RSS consuming ${count} records of 100 B with a slow handler (1 ms every ${PAUSE_EVERY}), Kafka ${cluster.kafkaVersion}, ${runs} runs each`)
    console.log('client                peak RSS MiB (spread)   growth MiB (spread)   RSS at half MiB   most buffered MiB   seconds')
    for (const [client, r] of results) {
      const peak = r.map((x) => x.maxRssMiB)
      const growth = r.map((x) => x.maxRssMiB - x.startRssMiB)
      const buffered = r.map((x) => x.maxBufferedMiB).filter((x) => x !== undefined)
      console.log(`${client.padEnd(21)} ${median(peak).toFixed(0).padStart(6)} (${spread(peak)})`.padEnd(46) +
        `${median(growth).toFixed(0).padStart(6)} (${spread(growth)})`.padEnd(22) +
        median(r.map((x) => x.halfwayRssMiB)).toFixed(0).padStart(15) +
        (buffered.length === 0 ? '-' : median(buffered).toFixed(1)).padStart(20) +
        median(r.map((x) => x.seconds)).toFixed(1).padStart(10))
    }
    const growthOf = (c: Client): number => median((results.get(c) ?? []).map((x) => x.maxRssMiB - x.startRssMiB))
    for (const ours of ['steadfast iterator', 'steadfast eachBatch'] as const) {
      console.log(`ratio ${ours}: ${(growthOf(ours) / growthOf('kafkajs eachMessage')).toFixed(2)}x the RSS growth of kafkajs eachMessage`)
    }
  } finally {
    await cluster.stop()
  }
}

if (process.argv[2] === 'child') {
  const [, , , client, bootstrap, topic, count, groupId] = process.argv
  await child(client as Client, bootstrap as string, topic as string, Number(count), groupId as string)
} else {
  await main()
}
