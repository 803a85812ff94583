/**
 * The processor's throughput and recovery, on the mock cluster. Run:
 *   node --import tsx bench/processor/run.ts [records=200000] [tableKeys=100000] [rounds=3] [mock|real]
 * (`real`: a 3-broker RealCluster, topics with replication factor 3, instead of the mock).
 *
 * 1. The same input (records of ~100 B over 10k keys, 6 partitions) is produced (raw produce),
 *    then, in each round, read by a plain consumer (raw consume: the ceiling) and run through a
 *    stateful processor of a group of its own (read input, update the table, emit one output
 *    record; measured until every input offset is committed, i.e. processed and acknowledged).
 *    Ratios against raw consume and against half the raw produce rate (each input record makes
 *    two writes) are printed per round and as the median of the rounds (the build machine is
 *    shared: single runs move by 2–4×). The event loop's longest stall while the processor runs
 *    is printed too: past the session timeout the group would drop the member. So is the CPU time
 *    this process spent per record in each phase (user + system), which the machine's load moves
 *    far less than the wall-clock rates: the figure to compare code changes by.
 * 2. A table of `tableKeys` keys recovered into a View, in memory and in SQLite.
 * Record counts are checked after each step, so a fast wrong run cannot pass as a figure.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { join } from 'node:path'
import { Admin } from '../../src/admin/admin.ts'
import { Consumer } from '../../src/consumer/consumer.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Producer } from '../../src/producer/producer.ts'
import { keyPartition } from '../../src/producer/murmur2.ts'
import { defineGroup, input, jsonCodec, output, persist, Processor, sqliteStore, stringCodec, View, memoryStore, type Context, type StoreFactory } from '../../src/processor/index.ts'
import { ApiKey, MockCluster, RealCluster } from '../../src/testkit/index.ts'

const RECORDS = Number(process.argv[2] ?? 200_000)
const TABLE_KEYS = Number(process.argv[3] ?? 100_000)
const ROUNDS = Number(process.argv[4] ?? 3)
const RIG = process.argv[5] ?? 'mock'
const PARTITIONS = 6
// Logs are off unless STEADFAST_BENCH_LOG names a level.
const logger = createLogger({ level: process.env.STEADFAST_BENCH_LOG ?? 'silent' })

function perSecond (count: number, ms: number): number { return Math.round(count / (ms / 1000)) }

/** Microseconds of this process's CPU (user + system) per record since `since`. */
function cpuPerRecord (since: NodeJS.CpuUsage, count: number): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / count
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

async function produceInput (bootstrap: string, topic: string, count: number, keyOf: (i: number) => string): Promise<{ ms: number, cpuUs: number }> {
  const producer = new Producer({ bootstrap, logger })
  const value = 'x'.repeat(90)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const pending: Array<Promise<unknown>> = []
  for (let i = 0; i < count; i++) {
    const key = keyOf(i)
    pending.push(producer.send({ topic, key, value, partition: keyPartition(Buffer.from(key), PARTITIONS) }))
    if (pending.length >= 20_000) await Promise.all(pending.splice(0))
  }
  await Promise.all(pending)
  const ms = performance.now() - started
  const cpuUs = cpuPerRecord(cpu, count)
  await producer.close()
  return { ms, cpuUs }
}

async function rawConsume (bootstrap: string, topic: string, count: number): Promise<{ ms: number, cpuUs: number }> {
  const consumer = new Consumer({ bootstrap, logger, autoOffsetReset: 'earliest', fetchMaxWaitMs: 100 })
  await consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })))
  const cpu = process.cpuUsage()
  const started = performance.now()
  let read = 0
  const done = consumer.run({ eachBatch: (batch) => { read += batch.messages.length; if (read >= count) consumer.close().catch((error: unknown) => { throw error }) } })
  await done
  const ms = performance.now() - started
  const cpuUs = cpuPerRecord(cpu, count)
  if (read !== count) throw new Error(`raw consume read ${read} of ${count}`)
  return { ms, cpuUs }
}

interface ProcessorRun { ms: number, recordsPerSecond: number, repeated: number, restarts: number, longestStallMs: number, cpuUs: number }

async function processAll (bootstrap: string, topic: string, count: number, round: number): Promise<ProcessorRun> {
  const group = `bench-proc-${round}`
  const out = `bench-out-${round}`
  const graph = defineGroup(group,
    input(topic, stringCodec, (ctx: Context<number>) => {
      const n = (ctx.value() ?? 0) + 1
      ctx.setValue(n)
      ctx.emit(out, ctx.key, n)
    }),
    persist(jsonCodec<number>()),
    output(out, jsonCodec<number>())
  )
  const processor = new Processor(graph, { bootstrap, logger, commitIntervalMs: 100, consumer: { fetchMaxWaitMs: 100, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 } })
  const stalls = monitorEventLoopDelay({ resolution: 10 })
  stalls.enable()
  const cpu = process.cpuUsage()
  const started = performance.now()
  const running = processor.run()
  // Done when the committed offsets cover every input record (a commit covers only acknowledged
  // work). Counted from the commits, not from the partitions' processed counts, which start again
  // at zero when a rebalance gives a partition a new worker.
  const committedTo = new Map<number, bigint>()
  await new Promise<void>((resolve, reject) => {
    processor.on('commit', (offsets: Array<{ topic: string, partition: number, offset: bigint }>) => {
      for (const o of offsets) if (o.topic === topic) committedTo.set(o.partition, o.offset)
      if ([...committedTo.values()].reduce((n, o) => n + Number(o), 0) >= count) resolve()
    })
    running.then(() => { reject(new Error('processor stopped early')) }, reject)
  })
  const ms = performance.now() - started
  const cpuUs = cpuPerRecord(cpu, count)
  stalls.disable()
  const restarts = processor.status().partitions.reduce((n, p) => n + p.restarts, 0)
  await processor.stop()
  const admin = new Admin({ bootstrap, logger })
  const committed = (await admin.consumerGroupLag(group, { topics: [{ topic }] })).reduce((n, l) => n + Number(l.committed), 0)
  const outputs = (await admin.listOffsets([{ topic: out }], 'latest')).reduce((n, o) => n + Number(o.offset), 0)
  await admin.close()
  // At least once: every input committed and emitted; more emits than inputs are records processed again (restarts, rebalances).
  if (committed !== count || outputs < count) throw new Error(`processor committed ${committed} and emitted ${outputs} of ${count}`)
  return { ms, recordsPerSecond: perSecond(count, ms), repeated: outputs - count, restarts, longestStallMs: Math.round(stalls.max / 1e6), cpuUs }
}

async function recover (bootstrap: string, topic: string, store: StoreFactory, keys: number): Promise<number> {
  const view = new View(topic, stringCodec, { bootstrap, logger, store })
  const started = performance.now()
  await view.start()
  const ms = performance.now() - started
  const size = view.size
  await view.close()
  if (size !== keys) throw new Error(`view recovered ${size} of ${keys} keys`)
  return ms
}

/** The mock (group APIs capped where it parses them, no initial rebalance delay) or 3 real brokers. */
async function startRig (names: string[]): Promise<{ bootstrap: string, stop: () => Promise<void> }> {
  if (RIG === 'real') return await RealCluster.start({ brokers: 3, topics: names.map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 3 })) })
  const mock = await MockCluster.start({ brokers: 3, topics: names.map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1 })) })
  await mock.setApiVersion(ApiKey.JoinGroup, 0, 5)
  await mock.setApiVersion(ApiKey.SyncGroup, 0, 3)
  await mock.setApiVersion(ApiKey.LeaveGroup, 0, 2)
  await mock.setGroupInitialRebalanceDelay(0)
  return mock
}

async function main (): Promise<void> {
  const perRound = Array.from({ length: ROUNDS }, (_, r) => [`bench-proc-${r}-table`, `bench-out-${r}`]).flat()
  const names = ['bench-in', 'bench-table', ...perRound]
  const mock = await startRig(names)
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-bench-'))
  try {
    const produced = await produceInput(mock.bootstrap, 'bench-in', RECORDS, (i) => `key-${i % 10_000}`)
    const produceRate = perSecond(RECORDS, produced.ms)
    // Each input record makes the processor write two (the table and the output): half the raw produce rate is its write ceiling.
    const writeBound = produceRate / 2
    console.log(`\nThroughput, ${RECORDS} records of ~100 B, ${PARTITIONS} partitions, ${RIG === 'real' ? 'real Kafka (3 brokers, RF 3)' : 'mock cluster'}; raw produce ${produceRate} records/s, ${produced.cpuUs.toFixed(1)} CPU µs per record`)
    console.log('| round | raw consume records/s | processor records/s (read, table update, emit; until committed) | ratio to raw consume | ratio to half raw produce | CPU µs per record: raw consume, processor | longest event-loop stall ms | partition restarts | records processed again |')
    console.log('|---|---|---|---|---|---|---|---|---|')
    const ratios: number[] = []
    const rates: number[] = []
    const cpus: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const consumed = await rawConsume(mock.bootstrap, 'bench-in', RECORDS)
      const consumeRate = perSecond(RECORDS, consumed.ms)
      const processed = await processAll(mock.bootstrap, 'bench-in', RECORDS, round)
      ratios.push(processed.recordsPerSecond / consumeRate)
      rates.push(processed.recordsPerSecond)
      cpus.push(processed.cpuUs)
      console.log(`| ${round + 1} | ${consumeRate} | ${processed.recordsPerSecond} | ${(processed.recordsPerSecond / consumeRate).toFixed(2)} | ${(processed.recordsPerSecond / writeBound).toFixed(2)} | ${consumed.cpuUs.toFixed(1)}, ${processed.cpuUs.toFixed(1)} | ${processed.longestStallMs} | ${processed.restarts} | ${processed.repeated} |`)
    }
    console.log(`median of ${ROUNDS}: processor ${median(rates)} records/s, ratio to raw consume ${median(ratios).toFixed(2)}, ratio to half raw produce ${(median(rates) / writeBound).toFixed(2)}, processor CPU ${median(cpus).toFixed(1)} µs per record`)

    await produceInput(mock.bootstrap, 'bench-table', TABLE_KEYS, (i) => `k${i}`)
    // The mock keeps about 5 MiB (and 100k records) per partition and drops older records: the
    // table holds the keys still in the log, one per record (on real Kafka, all of them).
    const admin = new Admin({ bootstrap: mock.bootstrap, logger })
    const offsets = async (spec: 'earliest' | 'latest'): Promise<number> => (await admin.listOffsets([{ topic: 'bench-table' }], spec)).reduce((n, o) => n + Number(o.offset), 0)
    const keys = await offsets('latest') - await offsets('earliest')
    await admin.close()
    const memoryMs = await recover(mock.bootstrap, 'bench-table', memoryStore, keys)
    const sqliteMs = await recover(mock.bootstrap, 'bench-table', sqliteStore(join(dir, 'sqlite')), keys)
    // The same SQLite store again: already at the high watermark, nothing to read.
    const sqliteAgainMs = await recover(mock.bootstrap, 'bench-table', sqliteStore(join(dir, 'sqlite')), keys)
    console.log(`\nRecovery of a table of ${keys} keys (~100 B values) into a View${keys < TABLE_KEYS ? ` (${TABLE_KEYS} written; the log retention kept ${keys})` : ''}`)
    console.log('| store | ms | keys/s | ratio to memory |')
    console.log('|---|---|---|---|')
    console.log(`| memory | ${Math.round(memoryMs)} | ${perSecond(keys, memoryMs)} | 1.00 |`)
    console.log(`| SQLite, empty | ${Math.round(sqliteMs)} | ${perSecond(keys, sqliteMs)} | ${(sqliteMs / memoryMs).toFixed(2)} |`)
    console.log(`| SQLite, reopened at the high watermark | ${Math.round(sqliteAgainMs)} | | ${(sqliteAgainMs / memoryMs).toFixed(2)} |`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await mock.stop()
  }
}

await main()
