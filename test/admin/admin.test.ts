/**
 * The admin client against librdkafka's mock cluster, with the coordinator-move incident (I3)
 * reproduced: moved coordinators, a downed coordinator broker, pushed coordinator errors and a
 * connection reset mid-request must all be invisible to the caller.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { Admin } from '../../src/admin/admin.ts'
import { AdminError } from '../../src/admin/errors.ts'
import { COORDINATOR_RETRY_MS } from '../../src/admin/faults.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { registry } from '../../src/observability/metrics.ts'
import type { RetryDiagnostic } from '../../src/observability/tracing.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { ApiKey, TRANSPORT_ERROR } from '../../src/testkit/mock-cluster/api-keys.ts'

const run = promisify(execFile)
const logger = createLogger({ level: 'silent' })
const GROUP = 'billing'
// librdkafka's mock answers an all-topics OffsetFetch with a null array, so the tests name the topics.
const TOPICS = [{ topic: 'orders' }]
const OFFSETS = [
  { topic: 'orders', partition: 0, offset: 5n },
  { topic: 'orders', partition: 1, offset: 7n },
  { topic: 'orders', partition: 2, offset: 0n },
]

async function retriesFor (reason: string): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_retries_total')?.get()
  return metric?.values.filter((v) => v.labels.component === 'admin' && v.labels.reason === reason).reduce((n, v) => n + v.value, 0) ?? 0
}

function committed (offsets: Map<string, Array<{ topic: string, partition: number, offset: bigint }>>): Array<{ topic: string, partition: number, offset: bigint }> {
  return (offsets.get(GROUP) ?? []).map(({ topic, partition, offset }) => ({ topic, partition, offset }))
}

describe('admin client against the librdkafka mock cluster', { timeout: 90_000 }, () => {
  let mock: MockCluster
  let admin: Admin

  before(async () => {
    mock = await MockCluster.start({ brokers: 3, topics: [{ name: 'orders', partitions: 3, replicationFactor: 3 }] })
    admin = new Admin({ bootstrap: mock.bootstrap, logger, requestTimeoutMs: 3_000, connectTimeoutMs: 1_000, backoff: { initialDelayMs: 20, maxDelayMs: 200 } })
    await mock.setCoordinator('group', GROUP, 1)
    await admin.alterConsumerGroupOffsets(GROUP, OFFSETS)
  })
  after(async () => {
    await admin.close()
    await mock.stop()
  })

  test('committed offsets read back exactly as written, by KafkaJS as well as by the admin', async () => {
    // A second client reads what alterConsumerGroupOffsets wrote, so the write path is not
    // checked only by the read path of the same code.
    const kafkajs = new Kafka({ clientId: 'admin-test', brokers: mock.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin()
    await kafkajs.connect()
    try {
      const [orders] = await kafkajs.fetchOffsets({ groupId: GROUP, topics: ['orders'] })
      assert.deepEqual(orders?.partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '5'], [1, '7'], [2, '0']])
    } finally {
      await kafkajs.disconnect()
    }
    assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS })), OFFSETS)
  })

  test('I3: the coordinator moves and its old broker goes down between two calls: same offsets', async () => {
    assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS })), OFFSETS)
    await mock.setCoordinator('group', GROUP, 2)
    await mock.brokerDown(1)
    const retriesBefore = await retriesFor('econnrefused') + await retriesFor('eof')
    try {
      assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS, timeoutMs: 10_000 })), OFFSETS)
      assert.ok(await retriesFor('econnrefused') + await retriesFor('eof') > retriesBefore, 'the dead coordinator was tried, then found again')
    } finally {
      await mock.brokerUp(1)
    }
  })

  test('I3: COORDINATOR_LOAD_IN_PROGRESS and NOT_COORDINATOR answers are retried transparently', async () => {
    const before = { load: await retriesFor('COORDINATOR_LOAD_IN_PROGRESS'), not: await retriesFor('NOT_COORDINATOR') }
    await mock.pushRequestErrors(ApiKey.OffsetFetch, [14, 14, 16, 16])
    assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS })), OFFSETS)
    assert.equal(await retriesFor('COORDINATOR_LOAD_IN_PROGRESS') - before.load, 2)
    assert.equal(await retriesFor('NOT_COORDINATOR') - before.not, 2)
  })

  for (const [code, name, from, to] of [
    [16, 'NOT_COORDINATOR', 1, 2],
    [15, 'COORDINATOR_NOT_AVAILABLE', 2, 3],
    [14, 'COORDINATOR_LOAD_IN_PROGRESS', 3, 1],
  ] as const) {
    test(`I3: ${name} from the cached coordinator: FindCoordinator is asked again and the call goes to the new one`, async () => {
      // The mock answers OffsetFetch on any broker, so only the requests show where the call went.
      await mock.setCoordinator('group', GROUP, from)
      admin.refreshCoordinator(GROUP)
      assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS })), OFFSETS)
      await mock.setCoordinator('group', GROUP, to)
      // Cluster-wide: the only OffsetFetch is the one to the cached coordinator. (A per-broker
      // queue, once used, hides the cluster-wide queue from that broker for good.)
      await mock.pushRequestErrors(ApiKey.OffsetFetch, [code])
      await mock.startRequestTracking()
      try {
        assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS })), OFFSETS)
        const calls = (await mock.getRequests())
          .filter((r) => r.apiKey === ApiKey.OffsetFetch || r.apiKey === ApiKey.FindCoordinator)
          .map((r) => r.apiKey === ApiKey.OffsetFetch ? `OffsetFetch@${r.brokerId}` : 'FindCoordinator')
        assert.deepEqual(calls, [`OffsetFetch@${from}`, 'FindCoordinator', `OffsetFetch@${to}`])
      } finally {
        await mock.stopRequestTracking()
      }
    })
  }

  test('I3: the coordinator connection reset mid-request is retried on a fresh connection', async () => {
    await mock.pushRequestErrors(ApiKey.OffsetFetch, [TRANSPORT_ERROR])
    const before = await retriesFor('eof') + await retriesFor('econnreset')
    assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS })), OFFSETS)
    assert.equal(await retriesFor('eof') + await retriesFor('econnreset') - before, 1, 'exactly one retry, after the reset')
  })

  test('I3: while the coordinator\'s broker is down and FindCoordinator still names it, the call looks again every 100 ms, not at its backoff, and answers from the new coordinator at the next look', async () => {
    // An admin whose own backoff is 5 s: only the coordinator policy (faults.ts) keeps its looks short.
    const slow = new Admin({ bootstrap: mock.bootstrap, logger, clientId: 'coordinator-looks', connectTimeoutMs: 1_000, retry: { initialDelayMs: 5_000, maxDelayMs: 5_000, jitter: 'none' } })
    const partitions = [{ topic: 'orders', partitions: [0, 1, 2] }]
    const retries: Array<{ delayMs: number, reason: string }> = []
    let moved: Promise<void> | undefined
    const onRetry = (message: unknown): void => {
      const event = message as RetryDiagnostic
      if (event.clientId !== 'coordinator-looks') return
      retries.push({ delayMs: event.delayMs, reason: event.reason })
      // Three looks that still find the dead broker, then Kafka moves the coordinator.
      if (retries.length === 3) moved = (async () => { await mock.setCoordinator('group', GROUP, 2); await mock.startRequestTracking() })()
    }
    await mock.setCoordinator('group', GROUP, 1)
    try {
      assert.deepEqual(committed(await slow.listConsumerGroupOffsets(GROUP, { topics: partitions })), OFFSETS)
      await mock.brokerDown(1)
      subscribe('steadfast:retry', onRetry)
      assert.deepEqual(committed(await slow.listConsumerGroupOffsets(GROUP, { topics: partitions, timeoutMs: 60_000 })), OFFSETS)
      await moved
      assert.ok(retries.length >= 3 && retries.every((r) => r.delayMs <= COORDINATOR_RETRY_MS), JSON.stringify(retries))
      assert.ok(retries.every((r) => r.reason === 'econnrefused'), JSON.stringify(retries))
      // From the move on: one look, answered with the new coordinator, and the call goes there. No
      // metadata refresh at any look.
      const calls = (await mock.getRequests())
        .filter((r) => r.apiKey === ApiKey.OffsetFetch || r.apiKey === ApiKey.FindCoordinator || r.apiKey === ApiKey.Metadata)
        .map((r) => r.apiKey === ApiKey.OffsetFetch ? `OffsetFetch@${r.brokerId}` : r.apiKey === ApiKey.Metadata ? 'Metadata' : 'FindCoordinator')
      assert.deepEqual(calls, ['FindCoordinator', 'OffsetFetch@2'])
    } finally {
      unsubscribe('steadfast:retry', onRetry)
      await mock.stopRequestTracking()
      await mock.brokerUp(1)
      await slow.close()
    }
  })

  test('several groups at once', async () => {
    await mock.setCoordinator('group', 'audit', 3)
    await admin.alterConsumerGroupOffsets('audit', [{ topic: 'orders', partition: 1, offset: 42 }])
    const result = await admin.listConsumerGroupOffsets([GROUP, 'audit'], { topics: TOPICS })
    assert.deepEqual(committed(result), OFFSETS)
    assert.deepEqual(result.get('audit')?.map((o) => [o.partition, o.offset]), [[0, -1n], [1, 42n], [2, -1n]])
  })

  test('a coordinator error that never ends fails at the deadline, naming the error, action and attempts', async () => {
    await mock.pushRequestErrors(ApiKey.OffsetFetch, Array(200).fill(16))
    try {
      const error = await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS, timeoutMs: 600 }).catch((e: unknown) => e)
      assert.ok(error instanceof AdminError, String(error))
      assert.equal(error.errorName, 'NOT_COORDINATOR')
      assert.equal(error.lastAction, 'refresh-coordinator')
      assert.ok(error.attempts > 1)
      assert.match(error.message, /^listConsumerGroupOffsets failed after \d+ attempt\(s\) \[NOT_COORDINATOR\]/)
    } finally {
      await mock.clearRequestErrors(ApiKey.OffsetFetch)
    }
  })

  test('a fatal error is surfaced at once, not retried', async () => {
    await mock.pushRequestErrors(ApiKey.OffsetFetch, [30])
    const error = await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS }).catch((e: unknown) => e)
    assert.ok(error instanceof AdminError)
    assert.equal(error.errorName, 'GROUP_AUTHORIZATION_FAILED')
    assert.equal(error.attempts, 1)
    assert.deepEqual(committed(await admin.listConsumerGroupOffsets(GROUP, { topics: TOPICS })), OFFSETS)
  })

  test('earliest and latest offsets, and lag, follow what kcat produced', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => `m${i}`).join('\n') + '\n'
    const child = execFile('kcat', ['-P', '-b', mock.bootstrap, '-t', 'orders', '-p', '0'], { timeout: 20_000 })
    child.stdin?.on('error', () => {})
    child.stdin?.end(lines)
    await new Promise<void>((resolve, reject) => child.on('exit', (code) => code === 0 ? resolve() : reject(new Error(`kcat exited ${code}`))))
    const latest = await admin.listOffsets([{ topic: 'orders' }], 'latest')
    const earliest = await admin.listOffsets([{ topic: 'orders', partitions: [0] }], 'earliest')
    assert.deepEqual(latest.map((o) => [o.partition, o.offset]), [[0, 12n], [1, 0n], [2, 0n]])
    assert.deepEqual(earliest.map((o) => [o.partition, o.offset]), [[0, 0n]])
    const lag = await admin.consumerGroupLag(GROUP, { topics: TOPICS })
    assert.deepEqual(lag.map((l) => [l.partition, l.committed, l.latest, l.lag]), [[0, 5n, 12n, 7n], [1, 7n, 0n, 0n], [2, 0n, 0n, 0n]])
  })

  test('a leader that moves and dies behind a cached metadata is followed (reconnect refreshes metadata)', async () => {
    await mock.setPartitionLeader('orders', 2, 1)
    await admin.cluster.refreshMetadata()
    assert.deepEqual((await admin.listOffsets([{ topic: 'orders', partitions: [2] }], 'latest')).map((o) => o.offset), [0n])
    await mock.setPartitionLeader('orders', 2, 2)
    await mock.brokerDown(1)
    try {
      const offsets = await admin.listOffsets([{ topic: 'orders', partitions: [2] }], 'latest', { timeoutMs: 10_000 })
      assert.deepEqual(offsets.map((o) => o.offset), [0n])
    } finally {
      await mock.brokerUp(1)
    }
  })

  test('leader moves are followed for offset lookups', async () => {
    await mock.setPartitionLeader('orders', 0, 3)
    await mock.pushRequestErrors(ApiKey.ListOffsets, [6])
    const latest = await admin.listOffsets([{ topic: 'orders', partitions: [0] }], 'latest')
    assert.deepEqual(latest.map((o) => o.offset), [12n])
  })

  test('topics and cluster are described from metadata; DescribeCluster falls back when not offered', async () => {
    assert.ok((await admin.listTopics()).includes('orders'))
    const [orders] = await admin.describeTopics(['orders'])
    assert.equal(orders?.partitions.length, 3)
    const cluster = await admin.describeCluster()
    assert.deepEqual(cluster.brokers.map((b) => b.nodeId), [1, 2, 3])
    const error = await admin.describeTopics(['missing-topic']).catch((e: unknown) => e)
    assert.ok(error instanceof AdminError)
    assert.equal(error.errorName, 'UNKNOWN_TOPIC_OR_PARTITION')
    assert.equal(error.attempts, 1, 'a topic the cluster does not know fails at once')
    assert.match(error.message, /topic missing-topic/)
  })

  test('an admin API the broker lacks fails at once with an error naming the API and the broker', async () => {
    for (const [call, api] of [
      [() => admin.createTopics([{ name: 'new-topic', partitions: 1, replicationFactor: 1 }]), 'CreateTopics'],
      [() => admin.deleteTopics(['orders']), 'DeleteTopics'],
      [() => admin.listGroups(), 'ListGroups'],
      [() => admin.describeGroups([GROUP]), 'DescribeGroups'],
      [() => admin.describeConfigs([{ type: 'topic', name: 'orders' }]), 'DescribeConfigs'],
    ] as const) {
      const error = await call().catch((e: unknown) => e)
      assert.ok(error instanceof AdminError, String(error))
      assert.equal(error.attempts, 1)
      assert.match(error.message, new RegExp(`${api} is not supported by broker \\d \\(127\\.0\\.0\\.1:\\d+\\)`))
    }
  })

  test('bad input is named', async () => {
    await assert.rejects(admin.createTopics([{ name: 'bad name!' }]), /"bad name!" is not a valid topic name/)
    await assert.rejects(admin.createTopics([{ name: 'ok', partitions: 0 }]), /topics\[0\]\.partitions must be an integer in 1\.\.1000000, got 0/)
    await assert.rejects(admin.alterConsumerGroupOffsets(GROUP, [{ topic: 'orders', partition: -1, offset: 1 }]), /offsets\[0\] must have a topic, a partition >= 0/)
    await assert.rejects(admin.listOffsets([{ topic: 'orders' }], { timestamp: -5 }), /offset spec must be/)
    await assert.rejects(admin.listConsumerGroupOffsets(''), /group id must be a non-empty string/)
    await assert.rejects(admin.deleteGroups(['ok-group', '']), /deleteGroups: group id must be a non-empty string, got ""/)
    const all = await admin.listConsumerGroupOffsets(GROUP).catch((e: unknown) => e)
    assert.match(String(all), /cannot list all of group billing's topics .*name the topics/)
  })
})

test('kcat is available for the cross-checks', async () => {
  const { stdout } = await run('kcat', ['-V'])
  assert.match(stdout, /kcat/)
})
