/**
 * Large records in one long-lived process: steadfast's `sendBatch` and kcat -P take turns writing
 * `count` records of `size` bytes (default 30k × 10 KiB, 300 MB) to fresh 6-partition topics of one
 * mock cluster, acks=all, `rounds` times. run.ts starts every Node client in a fresh process and
 * writes 3k records of 10 KiB (about 80 ms of work), so its 10 KiB figure is mostly a cold JIT;
 * this one shows the first round (cold) apart from the rest (warm), which is what a long-running
 * service sees. kcat's time includes its process start in every round, as in run.ts. Counts are
 * the partitions' end offsets (the mock keeps 5 MiB a partition, so records are not read back).
 *
 * Run: node --import tsx bench/producer/warm.ts [rounds=6] [count=30000] [size=10240]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { countRecords, kcatClient, median, spread, steadfastClient, type KcatRun } from './clients.ts'

const rounds = Number(process.argv[2] ?? 6)
const count = Number(process.argv[3] ?? 30_000)
const size = Number(process.argv[4] ?? 10_240)
if (!Number.isInteger(rounds) || rounds < 2 || !Number.isInteger(count) || count < 1 || !Number.isInteger(size) || size < 1) {
  console.error('usage: warm.ts [rounds ≥ 2] [count ≥ 1] [size ≥ 1]')
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'bench-warm-'))
const mock = await MockCluster.start({ brokers: 3 })
let kcatRun: KcatRun | undefined
const kcat = kcatClient(mock.bootstrap, dir, (run) => { kcatRun = run })
const steadfast = steadfastClient(mock.bootstrap, 'batch')
let topics = 0
const fresh = async (): Promise<string> => {
  const topic = `warm-${++topics}`
  await mock.createTopic({ name: topic, partitions: 6, replicationFactor: 3 })
  return topic
}
try {
  await steadfast.sendOne(await fresh(), 0, 'warm-up')
  // The input file is written on kcat's first call; that call is not timed below.
  await kcat.sendAll(await fresh(), Buffer.alloc(size, 120), count)
  const value = Buffer.alloc(size, 120)
  const rates: Record<'steadfast' | 'kcat', number[]> = { steadfast: [], kcat: [] }
  for (let round = 0; round < rounds; round++) {
    const ours = await fresh()
    const start = performance.now()
    await steadfast.sendAll(ours, value, count)
    rates.steadfast.push(count / ((performance.now() - start) / 1000))
    const theirs = await fresh()
    await kcat.sendAll(theirs, value, count)
    rates.kcat.push(count / ((kcatRun?.ms ?? NaN) / 1000))
    for (const topic of [ours, theirs]) {
      const stored = await countRecords(mock.bootstrap, topic)
      if (stored !== count) throw new Error(`${topic}: ${stored} records stored, ${count} sent`)
    }
    console.log(`round ${round + 1}: steadfast/sendBatch ${rates.steadfast.at(-1)?.toFixed(0)} records/s, kcat ${rates.kcat.at(-1)?.toFixed(0)} records/s`)
  }
  const warm = { steadfast: rates.steadfast.slice(1), kcat: rates.kcat.slice(1) }
  console.log(`\n${count} records of ${size} B, acks=all, 6 partitions x RF 3, mock cluster, one process, ${rounds} rounds`)
  console.log(`cold (round 1): steadfast/sendBatch ${rates.steadfast[0]?.toFixed(0)}, kcat ${rates.kcat[0]?.toFixed(0)} records/s, ratio ${((rates.steadfast[0] ?? NaN) / (rates.kcat[0] ?? NaN)).toFixed(2)}x`)
  console.log(`warm (rounds 2-${rounds}): steadfast/sendBatch ${median(warm.steadfast).toFixed(0)} (${spread(warm.steadfast)}), kcat ${median(warm.kcat).toFixed(0)} (${spread(warm.kcat)}) records/s, ` +
    `ratio of medians ${(median(warm.steadfast) / median(warm.kcat)).toFixed(2)}x, ${(median(warm.steadfast) * size / 1024 / 1024).toFixed(0)} MiB/s`)
} finally {
  await steadfast.close()
  await mock.stop()
  rmSync(dir, { recursive: true, force: true })
}
