/**
 * Shared helpers for the producer tests: reading a partition back with kcat (an independent
 * client, librdkafka 2.0.2) and with a raw Fetch (to see producer ids and sequence numbers).
 */
import { after, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Cluster } from '../../src/cluster/cluster.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { Producer } from '../../src/producer/producer.ts'
import type { ProducerOptions } from '../../src/producer/options.ts'
import { decodeRecordSet } from '../../src/protocol/records/index.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import type { RecordBatch } from '../../src/protocol/records/types.ts'

const run = promisify(execFile)

export const silent = createLogger({ level: 'silent' })

export interface KcatRecord {
  key: string
  value: string
  offset: number
  headers: string
  timestamp: number
}

/** Every record of one partition, as kcat reads it. */
export async function kcatRead (bootstrap: string, topic: string, partition: number): Promise<KcatRecord[]> {
  const { stdout } = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q',
    '-f', '%k\\t%s\\t%o\\t%T\\t%h\\n'], { timeout: 20_000, maxBuffer: 256 * 1024 * 1024 })
  return stdout.split('\n').filter((line) => line !== '').map((line) => {
    const [key = '', value = '', offset = '', timestamp = '', headers = ''] = line.split('\t')
    return { key, value, offset: Number(offset), timestamp: Number(timestamp), headers }
  })
}

/** Produces lines with kcat (`key:value`), letting librdkafka's murmur2 partitioner place them. */
export async function kcatProduce (bootstrap: string, topic: string, lines: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K', ':', '-X', 'partitioner=murmur2_random'], { timeout: 20_000 }, (error) => {
      if (error === null) resolve()
      else reject(error)
    })
    child.stdin?.end(lines.join('\n') + '\n')
  })
}

/** The record batches of one partition as stored, through raw Fetches (the mock answers one batch per Fetch). */
export async function fetchBatches (bootstrap: string, topic: string, partition: number): Promise<RecordBatch[]> {
  const cluster = new Cluster({ bootstrap, logger: silent })
  const batches: RecordBatch[] = []
  try {
    const connection = await cluster.leaderConnection(topic, partition)
    for (let offset = 0n; ;) {
      const response = await connection.request(apis.Fetch, {
        maxWaitMs: 10,
        minBytes: 0,
        maxBytes: 64 * 1024 * 1024,
        isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 64 * 1024 * 1024 }] }],
        forgottenTopicsData: [],
      }, { maxVersion: 12 })
      const data = response.body.responses[0]?.partitions[0]
      assert.ok(data !== undefined, `the Fetch answer has ${topic}-${partition}`)
      const got = (await decodeRecordSet(data.records)).batches
      if (got.length === 0) return batches
      batches.push(...got)
      const last = got[got.length - 1] as RecordBatch
      offset = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n
      if (offset >= data.highWatermark) return batches
    }
  } finally {
    await cluster.close()
  }
}

export interface ProducerSuite {
  /** The suite's 3-broker mock cluster (started before the first test). */
  readonly mock: MockCluster
  /** A producer on that cluster, closed when the suite ends. */
  producer: (options?: Partial<ProducerOptions>) => Producer
}

/** Call inside a describe: one mock cluster for the suite, and producers closed before it stops. */
export function producerSuite (): ProducerSuite {
  let mock: MockCluster | undefined
  const producers: Producer[] = []
  before(async () => { mock = await MockCluster.start({ brokers: 3 }) })
  after(async () => {
    await Promise.all(producers.map(async (p) => { await p.close() }))
    await mock?.stop()
  })
  const suite: ProducerSuite = {
    get mock (): MockCluster {
      if (mock === undefined) throw new Error('producerSuite: the mock cluster is not started yet (use it inside a test)')
      return mock
    },
    producer: (options = {}) => {
      const p = new Producer({ bootstrap: suite.mock.bootstrap, logger: silent, ...options })
      producers.push(p)
      return p
    },
  }
  return suite
}
