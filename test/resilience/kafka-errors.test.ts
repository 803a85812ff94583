import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KAFKA_ERRORS, KafkaErrorCode, kafkaError, kafkaErrorByName, kafkaErrorInfo } from '../../src/resilience/kafka-errors.ts'
import { KafkaProtocolError } from '../../src/resilience/errors.ts'

test('the table covers every code from -1 to 133 once, with unique names', () => {
  const codes = KAFKA_ERRORS.map((e) => e.code)
  assert.deepEqual(codes, Array.from({ length: 135 }, (_, i) => i - 1))
  assert.equal(new Set(KAFKA_ERRORS.map((e) => e.name)).size, KAFKA_ERRORS.length)
})

test('KafkaErrorCode names every code of the table, with the numbers Kafka gives them', () => {
  assert.deepEqual(Object.entries(KafkaErrorCode), KAFKA_ERRORS.map((e) => [e.name, e.code]))
  // From Kafka's org.apache.kafka.common.protocol.Errors.
  assert.equal(KafkaErrorCode.NONE, 0)
  assert.equal(KafkaErrorCode.UNKNOWN_SERVER_ERROR, -1)
  assert.equal(KafkaErrorCode.NOT_COORDINATOR, 16)
  assert.equal(KafkaErrorCode.UNSUPPORTED_VERSION, 35)
  assert.equal(KafkaErrorCode.UNKNOWN_PRODUCER_ID, 59)
  assert.equal(KafkaErrorCode.MEMBER_ID_REQUIRED, 79)
  assert.equal(KafkaErrorCode.ELECTION_NOT_NEEDED, 84)
  assert.ok(Object.isFrozen(KafkaErrorCode))
})

test('the incident codes have the actions the design requires', () => {
  const action = (name: string): string | undefined => kafkaErrorByName(name)?.action
  for (const name of ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']) assert.equal(action(name), 'refresh-coordinator')
  for (const name of ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'FENCED_LEADER_EPOCH', 'NOT_CONTROLLER']) assert.equal(action(name), 'refresh-metadata')
  for (const name of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) assert.equal(action(name), 'rejoin')
  for (const name of ['TOPIC_AUTHORIZATION_FAILED', 'MESSAGE_TOO_LARGE', 'SASL_AUTHENTICATION_FAILED', 'INVALID_CONFIG']) assert.equal(action(name), 'fatal')
  assert.equal(action('REQUEST_TIMED_OUT'), 'retry')
  assert.equal(action('NETWORK_EXCEPTION'), 'reconnect')
})

test('Kafka-retriable codes are never fatal, except ELECTION_NOT_NEEDED (nothing to retry)', () => {
  const odd = KAFKA_ERRORS.filter((e) => e.retriable && e.action === 'fatal').map((e) => e.name)
  assert.deepEqual(odd, ['ELECTION_NOT_NEEDED'])
})

test('an unknown code is named as such and fatal', () => {
  const info = kafkaErrorInfo(9999)
  assert.equal(info.name, 'UNKNOWN_ERROR_CODE_9999')
  assert.equal(info.action, 'fatal')
  assert.equal(info.retriable, false, 'Kafka calls nothing retriable that it did not define')
})

test('kafkaError keeps the Kafka name, code and context', () => {
  const e = kafkaError(16, 'OffsetFetch for group g on broker 2', { serverMessage: 'moved' })
  assert.ok(e instanceof KafkaProtocolError)
  assert.equal(e.errorName, 'NOT_COORDINATOR')
  assert.equal(e.errorCode, 16)
  assert.equal(e.action, 'refresh-coordinator')
  assert.equal(e.reason, 'NOT_COORDINATOR')
  assert.equal(e.code, 'STEADFAST_ERR_KAFKA')
  assert.match(e.message, /^OffsetFetch for group g on broker 2: NOT_COORDINATOR \(16\): .*broker said: moved/)
  for (const serverMessage of [undefined, null, '']) {
    assert.doesNotMatch(kafkaError(16, 'x', { serverMessage }).message, /broker said/, `no broker text for ${String(serverMessage)}`)
  }
})
