/**
 * One client's throughput run alone, for a CPU profile (node --cpu-prof): a fresh mock cluster,
 * `count` records of `size` bytes to 6 partitions, acks=all.
 *
 * Run: node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/producer/profile-target.ts [steadfast|steadfast/chunks|steadfast/sendBatch|kafkajs] [count] [size]
 */
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { kafkajsClient, steadfastClient } from './clients.ts'

const [which = 'steadfast', count = '200000', size = '100'] = process.argv.slice(2)
const mock = await MockCluster.start({ brokers: 3 })
const fed = { steadfast: 'all', 'steadfast/chunks': 'chunks', 'steadfast/sendBatch': 'batch' } as const
const client = which === 'kafkajs' ? await kafkajsClient(mock.bootstrap) : steadfastClient(mock.bootstrap, fed[which as keyof typeof fed] ?? 'all')
try {
  await mock.createTopic({ name: 'profile', partitions: 6, replicationFactor: 3 })
  await client.sendOne('profile', 0, 'warm-up')
  const start = performance.now()
  await client.sendAll('profile', Buffer.alloc(Number(size), 120), Number(count))
  console.log(`${which}: ${(Number(count) / ((performance.now() - start) / 1000)).toFixed(0)} records/s`)
} finally {
  await client.close()
  await mock.stop()
}
