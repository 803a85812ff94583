/**
 * Incident I3, measured: a group's coordinator moves to another broker and the old one goes down
 * between two "list committed offsets" calls. For steadfast's Admin and KafkaJS's admin, side by
 * side against the same mock cluster: did the second call succeed with the same offsets, and how
 * long did it take. Run: node --import tsx bench/admin/run.ts [rounds]
 */
import { Kafka, logLevel } from 'kafkajs'
import { Admin } from '../../src/admin/admin.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'

const rounds = Number(process.argv[2] ?? 5)
const GROUP = 'bench-group'
const TOPIC = 'orders'
const EXPECTED = '0:11,1:22,2:33'

interface Outcome { ok: boolean, ms: number, detail: string }

type Fetch = () => Promise<string>

async function round (mock: MockCluster, fetch: Fetch, from: number, to: number): Promise<Outcome> {
  await mock.setCoordinator('group', GROUP, from)
  await fetch()
  await mock.setCoordinator('group', GROUP, to)
  await mock.brokerDown(from)
  const start = performance.now()
  try {
    const got = await fetch()
    return { ok: got === EXPECTED, ms: performance.now() - start, detail: got === EXPECTED ? 'same offsets' : `wrong offsets ${got}` }
  } catch (error) {
    return { ok: false, ms: performance.now() - start, detail: (error as Error).message.slice(0, 100) }
  } finally {
    await mock.brokerUp(from)
  }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

function ratio (base: number | undefined, other: number | undefined): string {
  return base !== undefined && other !== undefined && Number.isFinite(base) && Number.isFinite(other) && base > 0 ? (other / base).toFixed(2) : 'n/a'
}

async function main (): Promise<void> {
  const mock = await MockCluster.start({ brokers: 3, topics: [{ name: TOPIC, partitions: 3, replicationFactor: 3 }] })
  const steadfast = new Admin({ bootstrap: mock.bootstrap, logger: createLogger({ level: 'silent' }), defaultTimeoutMs: 30_000 })
  const kafkajs = new Kafka({ clientId: 'bench', brokers: mock.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 5 } }).admin()
  await kafkajs.connect()
  try {
    await steadfast.alterConsumerGroupOffsets(GROUP, [{ topic: TOPIC, partition: 0, offset: 11 }, { topic: TOPIC, partition: 1, offset: 22 }, { topic: TOPIC, partition: 2, offset: 33 }])
    const clients: Array<[string, Fetch]> = [
      ['steadfast', async () => ((await steadfast.listConsumerGroupOffsets(GROUP, { topics: [{ topic: TOPIC }] })).get(GROUP) ?? []).map((o) => `${o.partition}:${o.offset}`).join(',')],
      ['kafkajs 2.2.4', async () => (await kafkajs.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => `${p.partition}:${p.offset}`).join(',')],
    ]
    const results = new Map<string, Outcome[]>()
    for (let i = 0; i < rounds; i++) {
      const from = (i % 3) + 1
      const to = ((i + 1) % 3) + 1
      for (const [name, fetch] of clients) results.set(name, [...(results.get(name) ?? []), await round(mock, fetch, from, to)])
    }
    console.log(`I3 coordinator move + old coordinator down, ${rounds} rounds each`)
    console.log('client          succeeded  median ms  max ms   first failure')
    const summary = new Map<string, { median: number, max: number }>()
    for (const [name, outcomes] of results) {
      const ok = outcomes.filter((o) => o.ok)
      const stats = { median: median(ok.map((o) => o.ms)), max: Math.max(...outcomes.map((o) => o.ms)) }
      summary.set(name, stats)
      const failure = outcomes.find((o) => !o.ok)?.detail ?? ''
      console.log(`${name.padEnd(15)} ${`${ok.length}/${outcomes.length}`.padEnd(10)} ${stats.median.toFixed(1).padStart(9)}  ${stats.max.toFixed(1).padStart(7)}   ${failure}`)
    }
    const a = summary.get('steadfast')
    const b = summary.get('kafkajs 2.2.4')
    console.log(`ratios kafkajs/steadfast: median ${ratio(a?.median, b?.median)}, worst ${ratio(a?.max, b?.max)}`)
  } finally {
    await kafkajs.disconnect()
    await steadfast.close()
    await mock.stop()
  }
}

await main()
