/**
 * Producer benchmarks, steadfast next to KafkaJS 2.2.4 against the same mock cluster, in one run:
 *
 * 1. Throughput, acks=all, 6 partitions: 200k records of 100 B and 3k records of 10 KiB (each run
 *    on a fresh topic, sized under the mock's 5 MiB per-partition retention), several runs each,
 *    median and spread of records/s, peak memory growth (heap + Buffers), and the record count
 *    checked afterwards.
 *    KafkaJS takes up to 1000 records (at most 3 MiB) per send() call, 8 calls in flight; steadfast is run both with
 *    every record handed to send() at once and fed the same way as KafkaJS (steadfast/chunks).
 * 2. Scenario 2 (leader election under load): records flow to 3 partitions led by broker 1; the
 *    leaders move away and broker 1 goes down. Longest gap between acknowledgements, and sends
 *    that failed.
 *
 * Run: node --expose-gc --import tsx bench/producer/run.ts [runs]
 */
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { countRecords, kafkajsClient, measure, median, spread, steadfastClient, type Client } from './clients.ts'

const runs = Number(process.argv[2] ?? 3)
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

let topics = 0

async function throughput (mock: MockCluster, clients: Client[], count: number, size: number): Promise<void> {
  const value = Buffer.alloc(size, 120)
  const stats = new Map<string, { rates: number[], heap: number[], counted: number[] }>()
  for (let run = 0; run < runs; run++) {
    for (const client of run % 2 === 0 ? clients : [...clients].reverse()) {
      const topic = `bench-${++topics}`
      await mock.createTopic({ name: topic, partitions: 6, replicationFactor: 3 })
      await client.sendOne(topic, 0, 'warm-up')
      const { ms, heapMiB } = await measure(async () => { await client.sendAll(topic, value, count) })
      const s = stats.get(client.name) ?? { rates: [], heap: [], counted: [] }
      s.rates.push(count / (ms / 1000))
      s.heap.push(heapMiB)
      s.counted.push(await countRecords(mock.bootstrap, topic) - 1)
      stats.set(client.name, s)
    }
  }
  console.log(`\nthroughput: ${count} records of ${size} B, acks=all, 6 partitions, ${runs} runs each`)
  console.log('client          median rec/s  spread rec/s      median MiB/s  peak mem MiB   records in log')
  for (const [name, s] of stats) {
    const mibs = median(s.rates) * size / 1024 / 1024
    console.log(`${name.padEnd(15)} ${median(s.rates).toFixed(0).padStart(12)}  ${spread(s.rates).padEnd(16)}  ${mibs.toFixed(1).padStart(12)}  ${median(s.heap).toFixed(1).padStart(13)}  ${s.counted.join(',')} of ${count}`)
  }
  const b = stats.get('kafkajs 2.2.4')
  for (const name of ['steadfast', 'steadfast/chunks']) {
    const a = stats.get(name)
    if (a === undefined || b === undefined) continue
    console.log(`ratio ${name}/kafkajs: throughput ${(median(a.rates) / median(b.rates)).toFixed(2)}x, peak memory ${(median(a.heap) / median(b.heap)).toFixed(2)}x`)
  }
  // A rate measured over records that never reached the log is no rate: a short log ends the run.
  const short = [...stats].flatMap(([name, s]) => s.counted.filter((n) => n < count).map((n) => `${name} ${n} of ${count}`))
  if (short.length > 0) throw new Error(`throughput: records acknowledged but missing from the log: ${short.join('; ')}`)
}

async function leaderElection (mock: MockCluster, client: Client): Promise<{ gapMs: number, failed: number, acked: number }> {
  const topic = `election-${++topics}`
  await mock.createTopic({ name: topic, partitions: 3, replicationFactor: 3 })
  for (let p = 0; p < 3; p++) await mock.setPartitionLeader(topic, p, 1)
  const acks: number[] = []
  let failed = 0
  const state = { running: true }
  const senders = [0, 1, 2].map(async (partition) => {
    for (let i = 0; state.running; i++) {
      try {
        await client.sendOne(topic, partition, `${partition}-${i}`)
        acks.push(performance.now())
      } catch {
        failed++
      }
      await sleep(5)
    }
  })
  await sleep(500)
  const faultAt = performance.now()
  for (let p = 0; p < 3; p++) await mock.setPartitionLeader(topic, p, 2 + (p % 2))
  await mock.brokerDown(1)
  await sleep(3000)
  state.running = false
  await Promise.all(senders)
  await mock.brokerUp(1)
  const after = [faultAt, ...acks.filter((t) => t >= faultAt)]
  let gapMs = 0
  for (let i = 1; i < after.length; i++) gapMs = Math.max(gapMs, (after[i] ?? 0) - (after[i - 1] ?? 0))
  const inLog = await countRecords(mock.bootstrap, topic)
  if (inLog < acks.length) throw new Error(`scenario 2, ${client.name}: ${acks.length} records acknowledged but only ${inLog} in the log`)
  return { gapMs, failed, acked: acks.length }
}

async function main (): Promise<void> {
  const mock = await MockCluster.start({ brokers: 3 })
  const kafkajs = await kafkajsClient(mock.bootstrap)
  const clients = [steadfastClient(mock.bootstrap, 'all'), kafkajs]
  const all = [...clients, steadfastClient(mock.bootstrap, 'chunks')]
  try {
    await throughput(mock, all, 200_000, 100)
    await throughput(mock, all, 3_000, 10 * 1024)
    console.log('\nscenario 2: leaders of 3 partitions move off broker 1, which then goes down (one record per partition in flight)')
    console.log('client          longest ack gap ms  failed sends  acknowledged')
    const gaps = new Map<string, number>()
    for (const client of clients) {
      const r = await leaderElection(mock, client)
      gaps.set(client.name, r.gapMs)
      console.log(`${client.name.padEnd(15)} ${r.gapMs.toFixed(0).padStart(18)}  ${String(r.failed).padStart(12)}  ${String(r.acked).padStart(12)}`)
    }
    const a = gaps.get('steadfast')
    const b = gaps.get('kafkajs 2.2.4')
    if (a !== undefined && b !== undefined && a > 0) console.log(`ratio kafkajs/steadfast longest gap: ${(b / a).toFixed(2)}x`)
  } finally {
    for (const client of all) await client.close()
    await mock.stop()
  }
}

await main()
