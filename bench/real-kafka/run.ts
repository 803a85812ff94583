/**
 * Produce throughput on real Apache Kafka: steadfast, KafkaJS 2.2.4 and kcat (librdkafka, Debian's
 * build) side by side on the same 3-broker RealCluster in one run, acks=all, idempotent where the
 * client supports it, 6 partitions with replication factor 3. 100 B and 10 KiB records, several
 * runs each (alternating order), median and spread of records/s, peak RSS, and ratios
 * (bench/producer/throughput.ts, shared with the mock-cluster benchmark). Every run writes to a
 * fresh topic whose record count is read back afterwards by KafkaJS's admin; a short count fails
 * the benchmark. kcat's time includes its process start (as a user would run it).
 *
 * The brokers run with the JVM's full JIT (the tests use a quick-start JVM), 1 GiB heap each.
 *
 * Run: node --expose-gc --import tsx bench/real-kafka/run.ts [runs] [kafka-version]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'
import { KAFKAJS, KCAT_NAME, STEADFAST, STEADFAST_BATCH, STEADFAST_CHUNKS, throughput } from '../producer/throughput.ts'

const runs = Number(process.argv[2] ?? 3)
const kafkaVersion = process.argv[3]

async function main (): Promise<void> {
  const cluster = await RealCluster.start({
    brokers: 3,
    ...(kafkaVersion === undefined ? {} : { kafkaVersion }),
    jvmOptions: ['-Xms1g', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true'],
  })
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-bench-kcat-'))
  const target = { bootstrap: cluster.bootstrap, describe: `real Kafka ${cluster.kafkaVersion}`, createTopic: async (spec: { name: string, partitions: number, replicationFactor: number }) => { await cluster.createTopic(spec) } }
  const names = [STEADFAST, STEADFAST_CHUNKS, STEADFAST_BATCH, KAFKAJS, KCAT_NAME]
  try {
    await throughput(target, names, 200_000, 100, runs, dir)
    await throughput(target, names, 5_000, 10 * 1024, runs, dir)
  } finally {
    await cluster.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
