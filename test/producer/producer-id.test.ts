/**
 * ProducerIdManager against a stand-in for the one Cluster method it calls (`anyConnection`): a
 * connection that records each InitProducerId request and answers from a script, so what is
 * sent, how often, and what an answer turns into are all visible without a broker.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Cluster } from '../../src/cluster/cluster.ts'
import { UnsupportedApiError } from '../../src/cluster/errors.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { ProducerIdManager } from '../../src/producer/producer-id.ts'
import { KafkaProtocolError } from '../../src/resilience/errors.ts'

type Answer = { errorCode: number, producerId?: bigint, producerEpoch?: number } | Error

interface Sent { api: string, body: Record<string, unknown>, options: unknown }

function rig (answers: Answer[], options: { required?: boolean } = {}) {
  const sent: Sent[] = []
  const lines: Array<Record<string, unknown>> = []
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } } })
  const connection = {
    label: 'broker 7 (scripted)',
    request: async (api: { name: string }, body: Record<string, unknown>, requestOptions: unknown) => {
      sent.push({ api: api.name, body, options: requestOptions })
      // One turn of the event loop, as a real exchange takes: concurrent callers overlap.
      await new Promise((resolve) => setImmediate(resolve))
      const answer = answers[sent.length - 1]
      if (answer === undefined) throw new Error(`unscripted request ${sent.length}`)
      if (answer instanceof Error) throw answer
      return { version: 4, body: { throttleTimeMs: 0, producerId: -1n, producerEpoch: -1, ...answer } }
    },
  }
  const cluster = { anyConnection: async () => connection } as unknown as Cluster
  const ids = new ProducerIdManager(cluster, { required: options.required ?? false, logger, requestTimeoutMs: 4321 })
  return { ids, sent, lines }
}

const unsupported = (): UnsupportedApiError => new UnsupportedApiError('InitProducerId', 'broker 7 (scripted)', 'not offered')

describe('ProducerIdManager', () => {
  test('asks for an idempotent (non-transactional) id as the Java client does, with the request timeout', async () => {
    const { ids, sent } = rig([{ errorCode: 0, producerId: 4000n, producerEpoch: 3 }])
    assert.deepEqual(await ids.shared(), { producerId: 4000n, producerEpoch: 3 })
    // The Java client's idempotent producer sends a null transactional id and
    // InitProducerIdRequest.NO_TRANSACTION_TIMEOUT_MS (Integer.MAX_VALUE); producer id and epoch
    // -1 ask for a new producer.
    assert.deepEqual(sent, [{
      api: 'InitProducerId',
      body: { transactionalId: null, transactionTimeoutMs: 2_147_483_647, producerId: -1n, producerEpoch: -1 },
      options: { timeoutMs: 4321 },
    }])
  })

  test('the shared id is fetched once, by one request for concurrent callers, and kept', async () => {
    const { ids, sent } = rig([{ errorCode: 0, producerId: 11n, producerEpoch: 0 }])
    const together = await Promise.all([ids.shared(), ids.shared(), ids.shared()])
    assert.deepEqual(together, Array.from({ length: 3 }, () => ({ producerId: 11n, producerEpoch: 0 })))
    assert.deepEqual(await ids.shared(), { producerId: 11n, producerEpoch: 0 })
    assert.equal(sent.length, 1)
  })

  test('a failed fetch is not kept: the next call asks again', async () => {
    const { ids, sent } = rig([{ errorCode: 15 }, { errorCode: 0, producerId: 12n, producerEpoch: 1 }])
    await assert.rejects(ids.shared(), (error: unknown) => {
      assert.ok(error instanceof KafkaProtocolError)
      assert.equal(error.errorName, 'COORDINATOR_NOT_AVAILABLE')
      assert.match(error.message, /^InitProducerId via broker 7 \(scripted\): COORDINATOR_NOT_AVAILABLE \(15\)/)
      return true
    })
    assert.deepEqual(await ids.shared(), { producerId: 12n, producerEpoch: 1 })
    assert.equal(sent.length, 2)
  })

  test('fresh asks for a new id every time, after the shared one', async () => {
    const { ids, sent } = rig([
      { errorCode: 0, producerId: 20n, producerEpoch: 0 },
      { errorCode: 0, producerId: 21n, producerEpoch: 0 },
      { errorCode: 0, producerId: 22n, producerEpoch: 5 },
    ])
    assert.deepEqual(await ids.fresh(), { producerId: 21n, producerEpoch: 0 })
    assert.deepEqual(await ids.fresh(), { producerId: 22n, producerEpoch: 5 })
    assert.deepEqual(await ids.shared(), { producerId: 20n, producerEpoch: 0 }, 'fresh ids do not replace the shared one')
    assert.equal(sent.length, 3)
  })

  test('brokers without InitProducerId, idempotence only the default: no identity, said once at warn, and fresh asks nothing more', async () => {
    const { ids, sent, lines } = rig([unsupported()])
    assert.equal(await ids.shared(), null)
    assert.equal(await ids.shared(), null)
    assert.equal(await ids.fresh(), null)
    assert.equal(sent.length, 1)
    const warnings = lines.filter((l) => l.level === 40)
    assert.deepEqual(warnings.map((l) => [l.msg, l.why]), [[
      'idempotence is off: the cluster does not support it (set idempotent: true to make this an error)',
      'InitProducerId is not supported by broker 7 (scripted): not offered',
    ]])
  })

  test('brokers without InitProducerId, idempotence asked for: the error, and no identity kept', async () => {
    const { ids, sent } = rig([unsupported(), unsupported()], { required: true })
    await assert.rejects(ids.shared(), UnsupportedApiError)
    await assert.rejects(ids.shared(), UnsupportedApiError)
    assert.equal(sent.length, 2)
  })

  test('a failure other than an unsupported API is the caller\'s, even when idempotence is only the default', async () => {
    const lost = new Error('connection lost')
    const { ids, lines } = rig([lost])
    await assert.rejects(ids.shared(), (error: unknown) => error === lost)
    assert.deepEqual(lines.filter((l) => l.level === 40), [])
  })

  test('CLUSTER_AUTHORIZATION_FAILED (31) turns idempotence off when it was only the default, naming the broker and the permission', async () => {
    const { ids, lines } = rig([{ errorCode: 31 }])
    assert.equal(await ids.shared(), null)
    assert.deepEqual(lines.filter((l) => l.level === 40).map((l) => l.why), [
      'broker 7 (scripted) refused InitProducerId (CLUSTER_AUTHORIZATION_FAILED: the IdempotentWrite permission is missing)',
    ])
  })

  test('CLUSTER_AUTHORIZATION_FAILED (31) is an error when idempotence was asked for', async () => {
    const { ids } = rig([{ errorCode: 31 }], { required: true })
    await assert.rejects(ids.shared(), (error: unknown) => error instanceof KafkaProtocolError && error.errorName === 'CLUSTER_AUTHORIZATION_FAILED')
  })

  test('each id assigned is logged at debug with the broker that gave it', async () => {
    const { ids, lines } = rig([{ errorCode: 0, producerId: 9_007_199_254_740_993n, producerEpoch: 2 }])
    await ids.shared()
    assert.deepEqual(lines.filter((l) => l.level === 20).map((l) => [l.msg, l.producerId, l.producerEpoch, l.broker]), [
      ['producer id assigned', '9007199254740993', 2, 'broker 7 (scripted)'],
    ])
  })
})
