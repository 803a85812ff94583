/**
 * Consumer group throughput, side by side on one mock cluster in one run: steadfast (iterator and
 * eachBatch), KafkaJS 2.2.4 (eachMessage and eachBatch) and kcat (`-C -G`, librdkafka 2.0.2).
 * 200k records of 100 B and 2.4k of 10 KiB on a 6-partition topic (4 MiB a partition, under the
 * mock's 5 MiB per-partition retention: 3k would lose its first records), produced once by steadfast; each run reads the whole topic as a fresh
 * group (so every client starts at the beginning) and counts what it read (a run that read fewer
 * fails the benchmark). Several runs, alternating client order; median and spread of records/s
 * from subscribing until the last record arrived (group join included, as a user sees it).
 *
 * Run: node --expose-gc --import tsx bench/consumer/run.ts [runs]
 */
import { spawn } from 'node:child_process'
import { Kafka, logLevel } from 'kafkajs'
import { Consumer } from '../../src/consumer/consumer.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Producer } from '../../src/producer/producer.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { median, spread } from '../producer/clients.ts'

const runs = Number(process.argv[2] ?? 3)
const logger = createLogger({ level: 'silent' })
let groups = 0

type ReadAll = (bootstrap: string, topic: string, count: number) => Promise<number>

/** Reads until `count` records came; resolves with how many it read. */
const steadfastIterator: ReadAll = async (bootstrap, topic, count) => {
  const c = new Consumer({ bootstrap, logger, groupId: `bench-${++groups}`, autoOffsetReset: 'earliest', sessionTimeoutMs: 6_000 })
  c.subscribe([topic])
  let n = 0
  for await (const m of c) {
    if (m.value !== null) n++
    if (n >= count) break
  }
  await c.close()
  return n
}

const steadfastBatch: ReadAll = async (bootstrap, topic, count) => {
  const c = new Consumer({ bootstrap, logger, groupId: `bench-${++groups}`, autoOffsetReset: 'earliest', sessionTimeoutMs: 6_000 })
  c.subscribe([topic])
  let n = 0
  await c.run({
    eachBatch: async ({ messages }) => {
      n += messages.length
      // Closing ends run(); not awaited here, since close waits for this batch to finish.
      if (n >= count) c.close().catch(() => {})
    },
  })
  return n
}

function kafkajs (style: 'eachMessage' | 'eachBatch'): ReadAll {
  return async (bootstrap, topic, count) => {
    const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING })
    const c = kafka.consumer({ groupId: `bench-${++groups}`, sessionTimeout: 6_000 })
    await c.connect()
    await c.subscribe({ topic, fromBeginning: true })
    let n = 0
    await new Promise<void>((resolve, reject) => {
      const done = (): void => { if (n >= count) resolve() }
      c.run(style === 'eachMessage'
        ? { eachMessage: async () => { n++; done() } }
        : { eachBatch: async ({ batch }) => { n += batch.messages.length; done() } }).catch(reject)
    })
    await c.disconnect()
    return n
  }
}

const kcat: ReadAll = async (bootstrap, topic, count) => {
  return await new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-C', '-b', bootstrap, '-G', `bench-${++groups}`, '-o', 'beginning', '-X', 'auto.offset.reset=earliest', '-q', '-f', '\\n', '-c', String(count), topic])
    let n = 0
    child.stdout.on('data', (chunk: Buffer) => { for (const byte of chunk) if (byte === 0x0a) n++ })
    child.on('error', reject)
    child.on('close', () => { resolve(n) })
  })
}

const clients: Array<[string, ReadAll]> = [
  ['steadfast iterator', steadfastIterator],
  ['steadfast eachBatch', steadfastBatch],
  ['kafkajs eachMessage', kafkajs('eachMessage')],
  ['kafkajs eachBatch', kafkajs('eachBatch')],
  ['kcat -C -G', kcat],
]

async function fill (bootstrap: string, topic: string, count: number, size: number): Promise<void> {
  const producer = new Producer({ bootstrap, logger, deliveryTimeoutMs: 120_000 })
  const value = Buffer.alloc(size, 120)
  const pending: Array<Promise<unknown>> = []
  // Spread evenly: the sticky partitioner can put a third of them in one partition, past the
  // mock's retention, which then drops that partition's first records.
  for (let i = 0; i < count; i++) pending.push(producer.send({ topic, value, partition: i % 6 }))
  await Promise.all(pending)
  await producer.close()
}

async function throughput (mock: MockCluster, count: number, size: number): Promise<void> {
  const topic = `consume-${count}x${size}`
  await mock.createTopic({ name: topic, partitions: 6, replicationFactor: 3 })
  await fill(mock.bootstrap, topic, count, size)
  const rates = new Map<string, number[]>()
  for (let run = 0; run < runs; run++) {
    for (const [name, read] of run % 2 === 0 ? clients : [...clients].reverse()) {
      console.error(`run ${run + 1}: ${name}, ${count} x ${size} B`)
      const start = performance.now()
      const n = await read(mock.bootstrap, topic, count)
      const ms = performance.now() - start
      if (n < count) throw new Error(`${name} read ${n} of ${count} records`)
      rates.set(name, [...(rates.get(name) ?? []), count / (ms / 1000)])
    }
  }
  console.log(`\ngroup consume: ${count} records of ${size} B, 6 partitions, ${runs} runs each`)
  console.log('client                median rec/s  spread rec/s')
  for (const [name, r] of rates) console.log(`${name.padEnd(21)} ${median(r).toFixed(0).padStart(12)}  ${spread(r)}`)
  const ratio = (a: string, b: string): string => (median(rates.get(a) ?? []) / median(rates.get(b) ?? [])).toFixed(2)
  for (const ours of ['steadfast iterator', 'steadfast eachBatch']) {
    console.log(`ratio ${ours}: ${ratio(ours, 'kafkajs eachMessage')}x kafkajs eachMessage, ${ratio(ours, 'kafkajs eachBatch')}x kafkajs eachBatch, ${ratio(ours, 'kcat -C -G')}x kcat`)
  }
}

const mock = await MockCluster.start({ brokers: 3 })
try {
  // The mock misreads later JoinGroup, SyncGroup and LeaveGroup versions (test/consumer/group-faults.test.ts).
  await mock.setApiVersion(ApiKey.JoinGroup, 0, 5)
  await mock.setApiVersion(ApiKey.SyncGroup, 0, 3)
  await mock.setApiVersion(ApiKey.LeaveGroup, 0, 2)
  await mock.setGroupInitialRebalanceDelay(0)
  await throughput(mock, 200_000, 100)
  await throughput(mock, 2_400, 10 * 1024)
} finally {
  await mock.stop()
}
