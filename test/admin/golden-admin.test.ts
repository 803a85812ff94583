/**
 * Admin APIs that librdkafka's mock does not implement, held to golden bytes written out by hand
 * from Kafka's message definitions (CreateTopics and DeleteTopics, flexible and legacy versions):
 * the request the client sends, and what it makes of the broker's answer.
 */
import { afterEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '../../src/admin/admin.ts'
import { AdminError } from '../../src/admin/errors.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { hex, requestBody, ScriptedBroker } from '../support/scripted-broker.ts'

const logger = createLogger({ level: 'silent' })
const CREATE = apis.CreateTopics.apiKey
const DELETE = apis.DeleteTopics.apiKey
const TOPIC_T = { name: 't', partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }

let broker: ScriptedBroker | undefined
let admin: Admin | undefined
async function setUp (offered: Array<[number, number, number]>): Promise<{ broker: ScriptedBroker, admin: Admin }> {
  broker = await new ScriptedBroker(offered).start()
  admin = new Admin({ bootstrap: broker.bootstrap, logger, backoff: { initialDelayMs: 5, maxDelayMs: 20 } })
  return { broker, admin }
}
afterEach(async () => {
  await admin?.close()
  await broker?.stop()
})

describe('CreateTopics', () => {
  test('v7 (flexible): request bytes, and a success read back', async () => {
    const { broker, admin } = await setUp([[CREATE, 0, 7]])
    broker.respond(CREATE, () => hex(`
      00000000                          # throttle_time_ms
      02                                # topics: compact array, 1 entry
        02 74                           #   name "t"
        0102030405060708090a0b0c0d0e0f10 #  topic_id
        0000                            #   error_code NONE
        00                              #   error_message null
        00000003                        #   num_partitions
        0001                            #   replication_factor
        00                              #   configs null
        00                              #   tagged fields
      00                                # tagged fields`))
    await admin.createTopics([TOPIC_T])
    const [request] = broker.captured(CREATE)
    assert.equal(request?.apiVersion, 7)
    assert.deepEqual(requestBody(request!), hex(`
      02                                # topics: compact array, 1 entry
        02 74                           #   name "t"
        00000003                        #   num_partitions 3
        0001                            #   replication_factor 1
        01                              #   assignments: empty
        02                              #   configs: 1 entry
          0f 636c65616e75702e706f6c696379  # name "cleanup.policy"
          08 636f6d70616374             #     value "compact"
          00                            #     tagged fields
        00                              #   tagged fields
      00007530                          # timeout_ms 30000
      00                                # validate_only false
      00                                # tagged fields`))
  })

  test('v0 (legacy): request bytes', async () => {
    const { broker, admin } = await setUp([[CREATE, 0, 0]])
    broker.respond(CREATE, () => hex('00000001 0001 74 0000'))
    await admin.createTopics([TOPIC_T])
    const [request] = broker.captured(CREATE)
    assert.equal(request?.apiVersion, 0)
    assert.deepEqual(requestBody(request!), hex(`
      00000001                          # topics: 1
        0001 74                         #   name "t"
        00000003 0001                   #   num_partitions, replication_factor
        00000000                        #   assignments: 0
        00000001                        #   configs: 1
          000e 636c65616e75702e706f6c696379
          0007 636f6d70616374
      00007530                          # timeout_ms`))
  })

  test('TOPIC_ALREADY_EXISTS is fatal: one request, an error naming the topic and the broker\'s message', async () => {
    const { broker, admin } = await setUp([[CREATE, 0, 7]])
    broker.respond(CREATE, () => hex(`
      00000000 02 02 74 00000000000000000000000000000000
      0024                              # error_code 36 TOPIC_ALREADY_EXISTS
      1a 546f7069632027742720616c7265616479206578697374732e  # "Topic 't' already exists."
      ffffffff ffff 00 00 00`))
    const error = await admin.createTopics([TOPIC_T]).catch((e: unknown) => e)
    assert.ok(error instanceof AdminError)
    assert.equal(error.errorName, 'TOPIC_ALREADY_EXISTS')
    assert.equal(error.attempts, 1)
    assert.match(error.message, /topic t: TOPIC_ALREADY_EXISTS \(Topic 't' already exists\.\)/)
    assert.equal(broker.captured(CREATE).length, 1)
  })

  test('an answer lost after the broker created the topic: TOPIC_ALREADY_EXISTS on the resend counts as created', async () => {
    const { broker, admin } = await setUp([[CREATE, 0, 0]])
    broker.respond(CREATE, () => undefined, () => hex('00000001 0001 74 0024'))
    await admin.createTopics([TOPIC_T])
    assert.equal(broker.captured(CREATE).length, 2)
  })

  test('NOT_CONTROLLER for one topic: metadata refreshed, and only that topic is sent again', async () => {
    const { broker, admin } = await setUp([[CREATE, 0, 7]])
    const result = (name: string, code: string): string => `02 ${name} 00000000000000000000000000000000 ${code} 00 00000001 0001 00 00`
    broker.respond(CREATE,
      () => hex(`00000000 03 ${result('74', '0000')} ${result('75', '0029')} 00`),
      () => hex(`00000000 02 ${result('75', '0000')} 00`))
    await admin.createTopics([{ name: 't', partitions: 1, replicationFactor: 1 }, { name: 'u', partitions: 1, replicationFactor: 1 }])
    const [first, second] = broker.captured(CREATE)
    assert.equal(requestBody(first!).subarray(0, 3).toString('hex'), '030274', 'first request carries t and u')
    assert.deepEqual(requestBody(second!).subarray(0, 3), hex('02 02 75'), 'the retry carries u only')
  })
})

describe('DeleteTopics', () => {
  test('v6 (flexible, topic ids): request bytes', async () => {
    const { broker, admin } = await setUp([[DELETE, 0, 6]])
    broker.respond(DELETE, () => hex('00000000 02 02 74 00000000000000000000000000000000 0000 00 00 00'))
    await admin.deleteTopics(['t'])
    assert.deepEqual(requestBody(broker.captured(DELETE)[0]!), hex(`
      02                                # topics: 1
        02 74                           #   name "t"
        00000000000000000000000000000000 #  topic_id: zero (by name)
        00                              #   tagged fields
      00007530                          # timeout_ms
      00                                # tagged fields`))
  })

  test('v3 (legacy, names): request bytes, and a topic that does not exist fails at once, named', async () => {
    const { broker, admin } = await setUp([[DELETE, 0, 3]])
    broker.respond(DELETE, () => hex('00000000 00000001 0001 74 0003'))
    const error = await admin.deleteTopics(['t']).catch((e: unknown) => e)
    assert.deepEqual(requestBody(broker.captured(DELETE)[0]!), hex('00000001 0001 74 00007530'))
    assert.ok(error instanceof AdminError)
    assert.equal(error.errorName, 'UNKNOWN_TOPIC_OR_PARTITION')
    assert.equal(error.attempts, 1)
    assert.equal(broker.captured(DELETE).length, 1)
    assert.match(error.message, /topic t: UNKNOWN_TOPIC_OR_PARTITION/)
  })

  test('an answer lost after the broker deleted the topic: UNKNOWN_TOPIC_OR_PARTITION on the resend counts as deleted', async () => {
    const { broker, admin } = await setUp([[DELETE, 0, 3]])
    broker.respond(DELETE, () => undefined, () => hex('00000000 00000001 0001 74 0003'))
    await admin.deleteTopics(['t'])
    assert.equal(broker.captured(DELETE).length, 2)
  })
})
