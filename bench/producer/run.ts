/**
 * Producer benchmarks, steadfast next to KafkaJS 2.2.4 and kcat (librdkafka) against the same mock
 * cluster (3 brokers), in one run:
 *
 * 1. Throughput, acks=all, 6 partitions x RF 3: 200k records of 100 B and 3k records of 10 KiB
 *    (each run on a fresh topic, sized under the mock's 5 MiB per-partition retention), several
 *    runs each: median and spread of records/s, MiB/s, peak RSS, and the record count checked
 *    afterwards (throughput.ts says how each client is run).
 *    KafkaJS takes up to 1000 records (at most 3 MiB) per send() call, 8 calls in flight; steadfast is run with
 *    every record handed to send() at once, and fed the same way as KafkaJS, to send() (steadfast/chunks)
 *    and to sendBatch() (steadfast/sendBatch).
 * 2. Scenario 2 (leader election under load): records flow to 3 partitions led by broker 1; the
 *    leaders move away and broker 1 goes down. Longest gap between acknowledgements, and sends
 *    that failed.
 * 3. A long stream (default 10M records of 100 B), fed in chunks to sendBatch() and to send(), one
 *    run each: peak RSS shows whether memory stays bounded (it should be close to the 200k run's).
 *    The mock keeps 5 MiB a partition, so the count checked is the partitions' end offsets.
 *
 * Run: node --expose-gc --import tsx bench/producer/run.ts [runs] [stream records]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { countRecords, kafkajsClient, steadfastClient, type Client } from './clients.ts'
import { KAFKAJS, KCAT_NAME, STEADFAST, STEADFAST_BATCH, STEADFAST_CHUNKS, throughput } from './throughput.ts'

const runs = Number(process.argv[2] ?? 3)
const streamRecords = Number(process.argv[3] ?? 10_000_000)
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

let topics = 0

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
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-bench-kcat-'))
  const target = { bootstrap: mock.bootstrap, describe: `mock cluster (librdkafka ${mock.librdkafkaVersion})`, createTopic: async (spec: { name: string, partitions: number, replicationFactor: number }) => { await mock.createTopic(spec) } }
  const names = [STEADFAST, STEADFAST_CHUNKS, STEADFAST_BATCH, KAFKAJS, KCAT_NAME]
  const clients = [steadfastClient(mock.bootstrap, 'all'), await kafkajsClient(mock.bootstrap)]
  try {
    await throughput(target, names, 200_000, 100, runs, dir)
    await throughput(target, names, 3_000, 10 * 1024, runs, dir)
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
    console.log(`\nscenario 3: a stream of ${streamRecords} records of 100 B, 1000 a call, 8 calls in flight`)
    await throughput(target, [STEADFAST_BATCH, STEADFAST_CHUNKS], streamRecords, 100, 1, dir)
  } finally {
    for (const client of clients) await client.close()
    await mock.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
