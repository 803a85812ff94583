/**
 * One throughput run of one Node client in a process of its own, so its peak RSS is its own:
 * a warm-up record, then `count` values of `size` bytes to `topic`, acks=all. Prints one JSON
 * line: the run's duration, the process's peak RSS and the peak growth of heap + Buffers.
 *
 * Run (by throughput.ts): node --expose-gc --import tsx bench/producer/worker.ts <client> <bootstrap> <topic> <size> <count>
 */
import { kafkajsClient, measure, steadfastClient, type Client } from './clients.ts'

const [name, bootstrap, topic, size, count] = process.argv.slice(2) as [string, string, string, string, string]

async function client (): Promise<Client> {
  if (name === 'steadfast') return steadfastClient(bootstrap, 'all')
  if (name === 'steadfast/chunks') return steadfastClient(bootstrap, 'chunks')
  if (name === 'steadfast/sendBatch') return steadfastClient(bootstrap, 'batch')
  if (name === 'kafkajs 2.2.4') return await kafkajsClient(bootstrap)
  throw new Error(`worker: unknown client ${name}`)
}

const c = await client()
try {
  await c.sendOne(topic, 0, 'warm-up')
  const { ms, heapMiB } = await measure(async () => { await c.sendAll(topic, Buffer.alloc(Number(size), 120), Number(count)) })
  console.log(JSON.stringify({ ms, heapMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024 }))
} finally {
  await c.close()
}
