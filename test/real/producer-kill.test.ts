/**
 * Issue 9 §4.1 against real Kafka: an idempotent producer under continuous load while the
 * partition leader's broker is killed (SIGKILL, answers to batches in flight lost) and started
 * again, then leads again; the same with the leader hung (SIGSTOP) and resumed, and with it
 * restarted on a new port (the producer must follow the endpoint change, incident I4). Kafka checks producer sequences, so resent batches it already wrote
 * must be dropped: every acknowledged record is in the log exactly once, in send order, at the
 * offset send reported — read back by kcat and by Kafka's own Java consumer, compared record by
 * record. The counts are printed.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Producer } from '../../src/producer/producer.ts'
import { registry } from '../../src/observability/metrics.ts'
import { kcatRead, silent } from '../producer/helpers.ts'
import { audit, type LogRecord } from './delivery-audit.ts'
import { keyedLoad } from './keyed-load.ts'
import { realClusterSuite, unique } from './suite.ts'
import type { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'

const PARTITIONS = 3

async function producerRetries (): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('steadfast_retries_total')?.get()
  const byReason: Record<string, number> = {}
  for (const v of metric?.values ?? []) {
    if (v.labels.component === 'producer') byReason[String(v.labels.reason)] = (byReason[String(v.labels.reason)] ?? 0) + v.value
  }
  return byReason
}

interface LeaderFault {
  name: string
  lose: (cluster: RealCluster, node: number) => Promise<void>
  restore: (cluster: RealCluster, node: number) => Promise<void>
}

const FAULTS: LeaderFault[] = [
  { name: 'killed (SIGKILL: its connections reset) and started again', lose: async (c, n) => await c.kill(n), restore: async (c, n) => await c.startNode(n) },
  { name: 'paused (SIGSTOP: hung, answers never come) and resumed', lose: async (c, n) => await c.pause(n), restore: async (c, n) => await c.resume(n) },
  { name: 'restarted on a new port (its old endpoint refused from then on)', lose: async (c, n) => { await c.restartWithNewEndpoint(n) }, restore: async () => {} },
]

describe('idempotent producer against real Kafka: the leader lost under load', { timeout: 600_000 }, () => {
  const suite = realClusterSuite({ brokers: 3 })

  for (const fault of FAULTS) {
    test(`leader ${fault.name}: every acknowledged record exactly once, in send order per partition, read back by kcat and by the Java consumer`, async () => {
      const { cluster } = suite
      const topic = unique('leader-lost')
      await cluster.createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
      // A short request timeout, so requests to a hung leader are given up in seconds, not 30.
      const producer = suite.closeAfter(new Producer({ bootstrap: cluster.bootstrap, logger: silent, lingerMs: 2, batchSize: 16 * 1024, requestTimeoutMs: 5000 }))
      const retriesBefore = await producerRetries()
      const load = keyedLoad(producer, topic, PARTITIONS)

      await load.whenAcked(3000)
      const victim = await cluster.leaderOf(topic, 0)
      const led = (await cluster.describeTopic(topic)).filter((p) => p.leader === victim).map((p) => p.partition)
      const lostAt = Date.now()
      await fault.lose(cluster, victim)
      await load.whenAcked(1500, led)
      const resumedMs = Date.now() - lostAt
      await fault.restore(cluster, victim)
      await cluster.moveLeader(topic, 0, victim)
      await load.whenAcked(1500, [0])
      const failures = await load.stop()
      await producer.flush()

      const kcat = new Map<number, LogRecord[]>()
      const java = new Map<number, LogRecord[]>()
      for (let p = 0; p < PARTITIONS; p++) {
        kcat.set(p, (await kcatRead(cluster.bootstrap, topic, p)).map((r) => ({ offset: r.offset, key: r.key })))
        java.set(p, (await cluster.readPartition(topic, p)).map((r) => ({ offset: r.offset, key: r.key })))
      }
      const byKcat = audit(load.sent, kcat)
      const byJava = audit(load.sent, java)
      const retries = Object.fromEntries(Object.entries(await producerRetries()).map(([reason, n]): [string, number] => [reason, n - (retriesBefore[reason] ?? 0)]).filter(([, n]) => n !== 0))
      console.log(`# ${fault.name}: broker ${victim} (leader of partitions ${led.join(',')}); its partitions acknowledged 1500 more ${resumedMs} ms after the fault`)
      console.log(`# kcat: ${JSON.stringify(byKcat)}`)
      console.log(`# java: ${JSON.stringify(byJava)}`)
      console.log(`# producer retries by reason: ${JSON.stringify(retries)}; failed sends: ${failures.length}`)

      assert.deepEqual(java, kcat, 'the two independent readers see the same records at the same offsets')
      assert.deepEqual(failures.map(String), [], 'no send fails: the delivery timeout is far away')
      assert.equal(byKcat.acked, byKcat.sent)
      assert.deepEqual({ lost: byKcat.lost, duplicates: byKcat.duplicates, unackedPresent: byKcat.unackedPresent, outOfOrder: byKcat.outOfOrder, offsetMismatches: byKcat.offsetMismatches, foreign: byKcat.foreign },
        { lost: 0, duplicates: 0, unackedPresent: 0, outOfOrder: 0, offsetMismatches: 0, foreign: 0 })
      assert.equal(byKcat.readBack, byKcat.sent, 'the log holds exactly the records sent')
      assert.ok(Object.values(retries).reduce((a, b) => a + b, 0) > 0, 'the fault hit requests in flight: the producer retried')
      assert.equal(await cluster.leaderOf(topic, 0), victim, 'the restored broker leads partition 0 again')
    })
  }
})
