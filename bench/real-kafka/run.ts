/**
 * Produce throughput on real Apache Kafka: steadfast, KafkaJS 2.2.4 and kcat (librdkafka, Debian's
 * build) side by side on the same 3-broker RealCluster in one run, acks=all, idempotent where the
 * client supports it, 6 partitions with replication factor 3. 100 B and 10 KiB records, several
 * runs each (alternating order), median and spread of records/s, and ratios. Every run writes to a
 * fresh topic whose record count is read back afterwards by KafkaJS's admin; a short count fails
 * the benchmark. kcat's time includes its process start (as a user would run it).
 *
 * The brokers run with the JVM's full JIT (the tests use a quick-start JVM), 1 GiB heap each.
 *
 * Run: node --expose-gc --import tsx bench/real-kafka/run.ts [runs] [kafka-version]
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'
import { countRecords, kafkajsClient, measure, median, spread, steadfastClient, type Client } from '../producer/clients.ts'

const runs = Number(process.argv[2] ?? 3)
const kafkaVersion = process.argv[3]
const KCAT = '/usr/bin/kcat'

/** kcat -P reading `count` newline-separated values of `size` bytes from a file, as a Client. */
function kcatClient (bootstrap: string, dir: string): Client {
  const files = new Map<string, string>()
  const input = (size: number, count: number): string => {
    const key = `${size}x${count}`
    let file = files.get(key)
    if (file === undefined) {
      file = join(dir, `${key}.txt`)
      writeFileSync(file, (Buffer.alloc(size, 120).toString() + '\n').repeat(count))
      files.set(key, file)
    }
    return file
  }
  const run = async (args: string[], file: string | undefined, stdin?: string): Promise<void> => {
    const fd = file === undefined ? 'pipe' : openSync(file, 'r')
    try {
      const child = spawn(KCAT, ['-P', '-b', bootstrap, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'message.max.bytes=2000000', ...args],
        { stdio: [fd, 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
      if (stdin !== undefined) child.stdin?.end(stdin)
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      if (code !== 0) throw new Error(`kcat exited ${String(code)}: ${stderr.slice(0, 500)}`)
    } finally {
      if (typeof fd === 'number') closeSync(fd)
    }
  }
  return {
    name: 'kcat (librdkafka)',
    sendAll: async (topic, value, count) => { await run(['-t', topic], input(value.length, count)) },
    sendOne: async (topic, partition, value) => { await run(['-t', topic, '-p', String(partition)], undefined, value + '\n') },
    close: async () => {},
  }
}

let topics = 0

async function throughput (cluster: RealCluster, clients: Client[], count: number, size: number): Promise<void> {
  const value = Buffer.alloc(size, 120)
  const stats = new Map<string, number[]>()
  for (let run = 0; run < runs; run++) {
    for (const client of run % 2 === 0 ? clients : [...clients].reverse()) {
      const topic = `bench-real-${++topics}`
      await cluster.createTopic({ name: topic, partitions: 6, replicationFactor: 3 })
      await client.sendOne(topic, 0, 'warm-up')
      const { ms } = await measure(async () => { await client.sendAll(topic, value, count) })
      const counted = await countRecords(cluster.bootstrap, topic) - 1
      if (counted !== count) throw new Error(`${client.name} run ${run + 1}: ${counted} records in ${topic}, expected ${count}`)
      // Topics are kept: KafkaJS goes on asking for every topic it has sent to, and fails its
      // metadata refreshes once one of them is deleted.
      stats.set(client.name, [...(stats.get(client.name) ?? []), count / (ms / 1000)])
    }
  }
  console.log(`\nthroughput: ${count} records of ${size} B, acks=all, 6 partitions x RF 3 on real Kafka ${cluster.kafkaVersion}, ${runs} runs each (counts checked)`)
  console.log('client              median rec/s  spread rec/s        median MiB/s')
  for (const [name, rates] of stats) {
    console.log(`${name.padEnd(19)} ${median(rates).toFixed(0).padStart(12)}  ${spread(rates).padEnd(18)}  ${(median(rates) * size / 1024 / 1024).toFixed(1).padStart(12)}`)
  }
  const ours = median(stats.get('steadfast') ?? [])
  for (const other of ['kafkajs 2.2.4', 'kcat (librdkafka)']) {
    console.log(`ratio steadfast/${other}: ${(ours / median(stats.get(other) ?? [])).toFixed(2)}x`)
  }
}

async function main (): Promise<void> {
  const cluster = await RealCluster.start({
    brokers: 3,
    ...(kafkaVersion === undefined ? {} : { kafkaVersion }),
    jvmOptions: ['-Xms1g', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true'],
  })
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-bench-kcat-'))
  const clients = [steadfastClient(cluster.bootstrap, 'all'), await kafkajsClient(cluster.bootstrap), kcatClient(cluster.bootstrap, dir)]
  try {
    await throughput(cluster, clients, 200_000, 100)
    await throughput(cluster, clients, 5_000, 10 * 1024)
  } finally {
    for (const client of clients) await client.close()
    await cluster.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
