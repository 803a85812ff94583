/** The Kafka admin commands, run as a user runs them (bin/steadfast), against the mock cluster. */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Admin } from '../../src/admin/admin.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'

const BIN = fileURLToPath(new URL('../../bin/steadfast', import.meta.url))

function steadfast (args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { timeout: 30_000, env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })
}

describe('steadfast cluster/topics/groups commands', { timeout: 90_000 }, () => {
  let mock: MockCluster

  before(async () => {
    mock = await MockCluster.start({ brokers: 3, topics: [{ name: 'orders', partitions: 2, replicationFactor: 3 }] })
    const admin = new Admin({ bootstrap: mock.bootstrap, logger: createLogger({ level: 'silent' }) })
    await admin.alterConsumerGroupOffsets('billing', [{ topic: 'orders', partition: 0, offset: 3 }, { topic: 'orders', partition: 1, offset: 9 }])
    await admin.close()
  })
  after(async () => { await mock.stop() })

  test('cluster info --output json: brokers, topics and negotiated versions per broker', async () => {
    const { code, stdout } = await steadfast(['cluster', 'info', '--bootstrap', mock.bootstrap, '--output', 'json'])
    assert.equal(code, 0)
    const info = JSON.parse(stdout)
    assert.deepEqual(info.brokers.map((b: { id: number }) => b.id), [1, 2, 3])
    for (const b of info.brokers) {
      const metadata = b.apis.find((a: { api: string }) => a.api === 'Metadata')
      assert.equal(metadata.version, 12)
      assert.equal(b.apis.find((a: { api: string }) => a.api === 'CreateTopics').version, undefined)
    }
    const orders = info.topics.find((t: { name: string }) => t.name === 'orders')
    assert.equal(orders.partitions.length, 2)
  })

  test('cluster info as a table names brokers and versions', async () => {
    const { code, stdout } = await steadfast(['cluster', 'info', '--bootstrap', mock.bootstrap])
    assert.equal(code, 0)
    assert.match(stdout, /BROKERS/)
    assert.match(stdout, /Metadata\s+12\s+12\s+12/)
    assert.match(stdout, /orders\s+0\s+\d/)
  })

  test('topics list and describe', async () => {
    assert.match((await steadfast(['topics', 'list', '--bootstrap', mock.bootstrap])).stdout, /^NAME\norders\n$/)
    const described = JSON.parse((await steadfast(['topics', 'describe', 'orders', '--bootstrap', mock.bootstrap, '--output', 'json'])).stdout)
    assert.deepEqual(described[0].partitions.map((p: { partition: number }) => p.partition), [0, 1])
  })

  test('groups offsets and lag read the committed offsets', async () => {
    const offsets = JSON.parse((await steadfast(['groups', 'offsets', 'billing', '--topic', 'orders', '--bootstrap', mock.bootstrap, '--output', 'json'])).stdout)
    assert.deepEqual(offsets.billing.map((o: { partition: number, offset: number }) => [o.partition, o.offset]), [[0, 3], [1, 9]])
    const lag = JSON.parse((await steadfast(['groups', 'lag', 'billing', '--topic', 'orders', '--bootstrap', mock.bootstrap, '--output', 'json'])).stdout)
    assert.equal(lag.total, 0)
    assert.deepEqual(lag.partitions.map((l: { committed: number }) => l.committed), [3, 9])
  })

  test('failures are one clear line and a non-zero exit, never a stack trace', async () => {
    const unsupported = await steadfast(['topics', 'create', 'new', '--partitions', '1', '--bootstrap', mock.bootstrap])
    assert.equal(unsupported.code, 1)
    assert.match(unsupported.stderr, /^steadfast: createTopics failed after 1 attempt\(s\): CreateTopics is not supported by .*\[STEADFAST_ERR_ADMIN\]\n$/)
    const badBootstrap = await steadfast(['topics', 'list', '--bootstrap', 'no-port-here'])
    assert.equal(badBootstrap.code, 2)
    assert.match(badBootstrap.stderr, /bootstrap entry 1 "no-port-here" is not host:port/)
    const badTimeout = await steadfast(['topics', 'list', '--bootstrap', mock.bootstrap, '--timeout', 'soon'])
    assert.match(badTimeout.stderr, /--timeout: "soon" is not a duration/)
    const unreachable = await steadfast(['groups', 'lag', 'billing', '--bootstrap', '127.0.0.1:1', '--timeout', '1s'])
    assert.equal(unreachable.code, 1)
    assert.match(unreachable.stderr, /no broker reachable; tried 127\.0\.0\.1:1/)
    assert.doesNotMatch(unreachable.stderr, /\n\s+at /)
  })
})
