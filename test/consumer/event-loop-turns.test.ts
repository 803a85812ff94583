/**
 * Records already buffered are handed out without waiting for I/O. A handler that does not wait
 * either (synchronous work, microtasks only) would then hold the event loop for as long as the
 * buffer lasts: no heartbeat, so the coordinator drops the member past its session timeout and
 * its partitions are read again from the last commit. The consumer gives the event loop a turn
 * between hand-outs once it has handed out for a few milliseconds.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { Producer } from '../../src/producer/producer.ts'
import { assertSameAsKcat, consumer, kcatPartitions, startGroupMock, testLogger, toRead, type Read } from './helpers.ts'

let mock: MockCluster
before(async () => {
  mock = await startGroupMock()
})
after(async () => { await mock?.stop() })

/** Synchronous work: nothing else runs on the event loop meanwhile. */
function busy (ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

const RECORDS = 800
const WORK_MS = 10

/**
 * One batch per partition (a long linger), so one Fetch buffers 4 s of work: the mock answers a
 * Fetch with one batch, and small batches would make the consumer wait for I/O between them.
 */
async function produceInOneBatchPerPartition (topic: string): Promise<void> {
  const producer = new Producer({ bootstrap: mock.bootstrap, logger: testLogger, lingerMs: 1_000, batchSize: 1 << 20 })
  try {
    await Promise.all(Array.from({ length: RECORDS }, async (_, i) => await producer.send({ topic, partition: i % 2, key: `k${i}`, value: `v${i}` })))
  } finally {
    await producer.close()
  }
}

describe('a handler that never waits keeps the member in its group', { timeout: 90_000 }, () => {
  for (const mode of ['iterator', 'run'] as const) {
    test(`${mode}: 8 s of synchronous work under a 2 s session timeout, no rebalance, every record once and in order`, async (t) => {
      const topic = `turns-${mode}`
      await mock.createTopic({ name: topic, partitions: 2 })
      await produceInOneBatchPerPartition(topic)
      const expected = await kcatPartitions(mock.bootstrap, topic, [0, 1])
      const events: string[] = []
      const c = consumer(t, mock.bootstrap, { groupId: topic, sessionTimeoutMs: 2_000, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 3_000, autoCommit: false, autoOffsetReset: 'earliest' })
      c.subscribe([topic], {
        onAssigned: (ps) => { events.push(`assigned ${ps.map((p) => p.partition).sort().join(',')}`) },
        onRevoked: (ps) => { events.push(`revoked ${ps.map((p) => p.partition).sort().join(',')}`) },
      })
      const reads: Read[] = []
      if (mode === 'iterator') {
        for await (const m of c) {
          busy(WORK_MS)
          reads.push(toRead(m))
          if (reads.length === RECORDS) break
        }
      } else {
        let allRead!: () => void
        const done = new Promise<void>((resolve) => { allRead = resolve })
        const running = c.run({
          maxBatchRecords: 20,
          eachBatch: (batch) => {
            for (const m of batch.messages) {
              busy(WORK_MS)
              reads.push(toRead(m))
            }
            if (reads.length >= RECORDS) allRead()
          },
        })
        await Promise.race([done, running])
      }
      // The work is done in one stretch either way; the member finds out whether it is still in
      // the group at its next heartbeats. It stays subscribed (closing would revoke) meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      const seen = [...events]
      // Before the consumer took turns, the member was dropped while it worked: revoked, and its
      // partitions handed out again from the start (nothing was committed).
      assert.deepEqual(seen, ['assigned 0,1'], 'assigned once, never revoked while reading')
      assertSameAsKcat(reads, expected)
    })
  }
})
