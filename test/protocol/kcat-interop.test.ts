/**
 * Interop with an independent implementation: kcat (librdkafka) produces record batches with each
 * codec into the librdkafka mock cluster, and steadfast fetches and decodes them: keys, values,
 * headers, offsets, timestamps and the codec recorded in the batch attributes.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { Cluster } from '../../src/cluster/cluster.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import type { CompressionName } from '../../src/protocol/compression/codec.ts'
import { decodeRecordSet } from '../../src/protocol/records/index.ts'
import type { RecordSet } from '../../src/protocol/records/index.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'

const CODECS: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

function kcatProduce (bootstrap: string, topic: string, compression: CompressionName, lines: string[]): Promise<void> {
  const args = ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-K', ':', '-z', compression, '-H', 'h1=v1', '-H', 'h2=', '-X', 'linger.ms=100']
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', args, { timeout: 20_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve()
      else reject(new Error(`kcat failed: ${stderr}`, { cause: error }))
    })
    child.stdin?.end(lines.join('\n') + '\n')
  })
}

describe('record batches written by kcat (librdkafka) decode in steadfast', { timeout: 120_000 }, () => {
  let mock: MockCluster
  let cluster: Cluster

  before(async () => {
    mock = await MockCluster.start({ brokers: 1, topics: CODECS.map((name) => ({ name: `kcat-${name}`, partitions: 1 })) })
    cluster = new Cluster({ bootstrap: mock.bootstrap, logger: createLogger({ level: 'silent' }) })
  })
  after(async () => {
    await cluster.close()
    await mock.stop()
  })

  async function fetchAll (topic: string): Promise<RecordSet> {
    const connection = await cluster.leaderConnection(topic, 0)
    const response = await connection.request(apis.Fetch, {
      maxWaitMs: 10,
      minBytes: 0,
      maxBytes: 4 * 1024 * 1024,
      isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 4 * 1024 * 1024 }] }],
      forgottenTopicsData: [],
    }, { maxVersion: 12 })
    const partition = response.body.responses[0]?.partitions[0]
    assert.equal(partition?.errorCode, 0)
    return await decodeRecordSet(partition?.records ?? null)
  }

  for (const compression of CODECS) {
    test(`${compression}: every record, header and offset comes back`, async () => {
      const topic = `kcat-${compression}`
      const lines = Array.from({ length: 50 }, (_, i) => `key-${i}:` + `${compression} value ${i} `.repeat(1 + (i % 40)))
      const from = Date.now() - 60_000
      await kcatProduce(mock.bootstrap, topic, compression, lines)
      const to = Date.now() + 60_000
      const set = await fetchAll(topic)
      assert.ok(set.batches.length >= 1)
      for (const batch of set.batches) {
        assert.equal(batch.magic, 2)
        assert.equal(batch.compression, compression)
        assert.equal(batch.isControl, false)
      }
      assert.deepEqual(set.records.map((r) => r.offset), lines.map((_, i) => BigInt(i)))
      assert.deepEqual(set.records.map((r) => `${r.key?.toString()}:${r.value?.toString()}`), lines)
      for (const record of set.records) {
        assert.deepEqual(record.headers, [{ key: 'h1', value: Buffer.from('v1') }, { key: 'h2', value: Buffer.alloc(0) }])
        assert.ok(record.timestamp >= from && record.timestamp <= to, `timestamp ${record.timestamp} is the producer's create time`)
      }
      assert.equal(set.truncatedBytes, 0)
    })
  }
})
