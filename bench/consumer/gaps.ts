/**
 * The longest consumption gap through a fault, steadfast next to KafkaJS 2.2.4, both reading the
 * same steady stream on one real Kafka cluster (3 nodes, also the controller quorum) as members
 * of their own groups:
 *
 * 1. the leader of partition 0 killed, started again 5 s later;
 * 2. every broker down for 5 s, then up (killNodes / startNodes);
 * 4. every broker restarted on a new port (restartAllWithNewEndpoints): steadfast is given a
 *    bootstrap function that returns the cluster's current list; KafkaJS has no endpoint following
 *    and keeps the list it started with, which is what it shows.
 *
 * A partition's gap is the longest time between two of its records a client received, from the
 * fault until the client has read again for 10 s after the cluster recovered (or 60 s passed: then
 * "stopped"); the worst and the median of the 6 partitions are shown. The producer (steadfast,
 * bootstrap function) sends to each partition on its own, one record every 10 ms, so a partition
 * without a leader stalls only itself. Durations include the rig's own reaction (a killed broker is
 * fenced after ~6 s) and the producer's.
 *
 * Run: node --import tsx bench/consumer/gaps.ts
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { Cluster } from '../../src/cluster/cluster.ts'
import { Consumer } from '../../src/consumer/consumer.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Producer } from '../../src/producer/producer.ts'
import { RealCluster } from '../../src/testkit/index.ts'

const logger = createLogger({ level: 'silent' })
const TOPIC = 'gaps'
const PARTITIONS = 6
const AFTER_RECOVERY_MS = 10_000
const GIVE_UP_MS = 60_000

/** Arrival times of one client's records, per partition. */
class Arrivals {
  readonly times = new Map<number, number[]>()
  note (partition: number): void { this.times.set(partition, [...(this.times.get(partition) ?? []), performance.now()]) }
  count (since: number): number { return [...this.times.values()].reduce((n, list) => n + list.filter((t) => t >= since).length, 0) }
  /** Each partition's longest wait in [from, to], counting the wait from `from` to its first record after it and from its last to `to`. */
  longestGaps (from: number, to: number): number[] {
    return Array.from({ length: PARTITIONS }, (_, p) => {
      let last = from
      let gap = 0
      for (const t of this.times.get(p) ?? []) {
        if (t < from || t > to) continue
        gap = Math.max(gap, t - last)
        last = t
      }
      return Math.max(gap, to - last)
    }).sort((a, b) => a - b)
  }
}

interface Reader { arrivals: Arrivals, close: () => Promise<void> }

function steadfast (cluster: RealCluster, group: string): Reader {
  const arrivals = new Arrivals()
  const c = new Consumer({ bootstrap: () => cluster.bootstrap, logger, groupId: group, autoOffsetReset: 'latest', sessionTimeoutMs: 30_000 })
  c.subscribe([TOPIC])
  const reading = c.run({ eachBatch: ({ partition, messages }) => { for (let i = 0; i < messages.length; i++) arrivals.note(partition) } }).catch(() => {})
  return { arrivals, close: async () => { await c.close(); await reading } }
}

async function kafkajs (cluster: RealCluster, group: string): Promise<Reader> {
  const arrivals = new Arrivals()
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING })
  const c = kafka.consumer({ groupId: group, sessionTimeout: 30_000 })
  await c.connect()
  await c.subscribe({ topic: TOPIC, fromBeginning: false })
  c.run({ eachMessage: async ({ partition }) => { arrivals.note(partition) } }).catch(() => {})
  // A KafkaJS consumer that lost every broker may never finish disconnecting: give it 10 s.
  return { arrivals, close: async () => { await Promise.race([c.disconnect().catch(() => {}), sleep(10_000)]) } }
}

async function until (check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > end) return false
    await sleep(50)
  }
  return true
}

const scenarios: Array<[string, (cluster: RealCluster) => Promise<void>]> = [
  ['1: leader of partition 0 killed, back after 5 s', async (cluster) => {
    const leader = await cluster.leaderOf(TOPIC, 0)
    await cluster.kill(leader)
    await sleep(5_000)
    await cluster.startNode(leader)
  }],
  ['2: every broker down for 5 s', async (cluster) => {
    await cluster.killNodes([1, 2, 3])
    await sleep(5_000)
    await cluster.startNodes([1, 2, 3])
  }],
  ['4: every broker on a new endpoint', async (cluster) => {
    await cluster.restartAllWithNewEndpoints()
  }],
]

const cluster = await RealCluster.start({ brokers: 3, topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }] })
const producerCluster = new Cluster({ bootstrap: () => cluster.bootstrap, logger })
const producer = new Producer({ cluster: producerCluster, logger, lingerMs: 0, deliveryTimeoutMs: 300_000 })
const sending = { on: true }
// One loop per partition: a partition whose leader is gone stalls only itself.
const stream = Promise.all(Array.from({ length: PARTITIONS }, async (_, p) => {
  while (sending.on) {
    await producer.send({ topic: TOPIC, partition: p, value: 'x' }).catch(() => {})
    await sleep(10)
  }
}))
const rows: string[] = []
try {
  let round = 0
  for (const [name, fault] of scenarios) {
    round++
    console.error(`scenario ${name}`)
    const readers: Array<[string, Reader]> = [['steadfast', steadfast(cluster, `gaps-sf-${round}`)], ['kafkajs', await kafkajs(cluster, `gaps-kjs-${round}`)]]
    const warm = performance.now()
    await until(() => readers.every(([, r]) => r.arrivals.count(warm) >= 100), GIVE_UP_MS)
    const start = performance.now()
    await fault(cluster)
    const recovered = performance.now()
    const results = await Promise.all(readers.map(async ([client, r]) => {
      const back = await until(() => r.arrivals.count(recovered) > 0 && performance.now() - recovered >= AFTER_RECOVERY_MS, GIVE_UP_MS)
      const end = performance.now()
      const gaps = r.arrivals.longestGaps(start, end)
      const s = (ms: number | undefined): string => ((ms ?? NaN) / 1000).toFixed(1)
      return back
        ? `${client} ${s(gaps[gaps.length - 1])} s worst partition, ${s(gaps[Math.floor(gaps.length / 2)])} s median partition`
        : `${client} stopped (nothing in the ${(GIVE_UP_MS / 1000).toFixed(0)} s after the cluster recovered)`
    }))
    rows.push(`${name.padEnd(50)} fault took ${((recovered - start) / 1000).toFixed(1)} s; longest gap: ${results.join(', ')}`)
    await Promise.all(readers.map(async ([, r]) => { await r.close() }))
  }
} finally {
  sending.on = false
  await stream
  await producer.close()
  await producerCluster.close()
  await cluster.stop()
}
console.log(`\nlongest consumption gap through a fault, Kafka ${cluster.kafkaVersion}, one run each`)
for (const row of rows) console.log(row)
