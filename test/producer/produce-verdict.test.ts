/** The idempotent producer's fault policy (src/producer/faults.ts), outcome by outcome. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { produceVerdict, type ProduceOutcome } from '../../src/producer/faults.ts'
import { KafkaProtocolError, TransportError } from '../../src/resilience/errors.ts'
import { kafkaError, kafkaErrorInfo } from '../../src/resilience/kafka-errors.ts'

const answer = (errorCode: number): ProduceOutcome => ({ kind: 'answer', errorCode, error: () => kafkaError(errorCode, 'Produce to t-0 on broker 1') })
const never = (): boolean => { throw new Error('not asked') }

describe('produceVerdict', () => {
  test('no error and DUPLICATE_SEQUENCE_NUMBER (46) are delivered', () => {
    assert.deepEqual(produceVerdict(answer(0), never), { kind: 'delivered', duplicate: false })
    assert.deepEqual(produceVerdict(answer(46), never), { kind: 'delivered', duplicate: true })
  })

  test('OUT_OF_ORDER_SEQUENCE_NUMBER (45): retried, nothing written; renumbered only when no earlier batch is pending', () => {
    for (const earlierPending of [true, false]) {
      const verdict = produceVerdict(answer(45), () => earlierPending)
      assert.equal(verdict.kind, 'retry')
      if (verdict.kind !== 'retry') return
      assert.deepEqual([verdict.renumber, verdict.written], [!earlierPending, 'no'])
      assert.ok(verdict.error instanceof KafkaProtocolError)
      assert.deepEqual([verdict.error.errorName, verdict.error.action], ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'retry'])
    }
  })

  test('UNKNOWN_PRODUCER_ID (59) and INVALID_PRODUCER_EPOCH (47): fatal in Kafka\'s table, retried here after renumbering', () => {
    for (const [code, name] of [[59, 'UNKNOWN_PRODUCER_ID'], [47, 'INVALID_PRODUCER_EPOCH']] as const) {
      assert.equal(kafkaErrorInfo(code).action, 'fatal')
      const verdict = produceVerdict(answer(code), never)
      assert.equal(verdict.kind, 'retry')
      if (verdict.kind !== 'retry') return
      assert.deepEqual([verdict.renumber, verdict.written], [true, undefined])
      assert.ok(verdict.error instanceof KafkaProtocolError)
      assert.deepEqual([verdict.error.errorName, verdict.error.action, verdict.error.reason], [name, 'retry', name])
    }
  })

  test('other codes keep the table\'s action: a leader move is retried, an authorization failure fails the batch', () => {
    assert.deepEqual(produceVerdict(answer(6), never).kind, 'retry')
    const denied = produceVerdict(answer(29), never)
    assert.equal(denied.kind, 'fail')
    if (denied.kind === 'fail') assert.equal((denied.error as KafkaProtocolError).errorName, 'TOPIC_AUTHORIZATION_FAILED')
  })

  test('no answer: retried and maybe written, unless the failure is fatal', () => {
    const reset = new TransportError('reset', 'ECONNRESET')
    assert.deepEqual(produceVerdict({ kind: 'thrown', error: reset }, never), { kind: 'retry', error: reset, renumber: false, written: 'maybe' })
    const closed = new TransportError('closed', 'ECONNCLOSED', { action: 'fatal' })
    assert.deepEqual(produceVerdict({ kind: 'thrown', error: closed }, never), { kind: 'fail', error: closed })
  })

  test('property: a code outside the sequence rules fails the batch exactly when the table calls it fatal, and never renumbers', () => {
    const special = new Set([0, 45, 46, 47, 59])
    fc.assert(fc.property(fc.integer({ min: -1, max: 133 }).filter((c) => !special.has(c)), (code) => {
      const verdict = produceVerdict(answer(code), never)
      assert.equal(verdict.kind, kafkaErrorInfo(code).action === 'fatal' ? 'fail' : 'retry')
      if (verdict.kind === 'retry') assert.equal(verdict.renumber, false)
    }))
  })
})
