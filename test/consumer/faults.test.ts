/**
 * The consumer's fault policy (src/consumer/faults.ts), table-driven with Kafka's error codes by
 * number (from Kafka's protocol guide, not from our table): what a partition's error in a Fetch or
 * ListOffsets answer does to that partition, and how a failed OffsetCommit is retried.
 */
import assert from 'node:assert/strict'
import test from 'node:test'
import { commitClassification, partitionVerdict } from '../../src/consumer/faults.ts'
import { TransportError } from '../../src/resilience/errors.ts'
import { kafkaError } from '../../src/resilience/kafka-errors.ts'

test('a partition error moves the partition to its leader, resets its offset, backs off, or stops it', () => {
  const expected: Array<[number, string, ReturnType<typeof partitionVerdict>]> = [
    [1, 'OFFSET_OUT_OF_RANGE', 'reset'],
    [3, 'UNKNOWN_TOPIC_OR_PARTITION', 'move'],
    [5, 'LEADER_NOT_AVAILABLE', 'move'],
    [6, 'NOT_LEADER_OR_FOLLOWER', 'move'],
    [9, 'REPLICA_NOT_AVAILABLE', 'move'],
    [13, 'NETWORK_EXCEPTION', 'move'],
    [16, 'NOT_COORDINATOR', 'move'],
    [74, 'FENCED_LEADER_EPOCH', 'move'],
    [75, 'UNKNOWN_LEADER_EPOCH', 'move'],
    [2, 'CORRUPT_MESSAGE', 'backoff'],
    [7, 'REQUEST_TIMED_OUT', 'backoff'],
    [29, 'TOPIC_AUTHORIZATION_FAILED', 'stop'],
    [76, 'UNSUPPORTED_COMPRESSION_TYPE', 'stop'],
    [27, 'REBALANCE_IN_PROGRESS', 'stop'],
  ]
  for (const [code, name, verdict] of expected) assert.equal(partitionVerdict(code), verdict, `${code} ${name}`)
})

test('a commit answered STALE_MEMBER_EPOCH is retried (the member still owns the partition); other failures keep their classification', () => {
  const stale = commitClassification(kafkaError(113, 'OffsetCommit'))
  assert.equal(stale.action, 'retry')
  assert.equal(stale.reason, 'STALE_MEMBER_EPOCH')
  assert.equal(commitClassification(kafkaError(22, 'OffsetCommit')).action, 'rejoin', 'ILLEGAL_GENERATION')
  assert.equal(commitClassification(kafkaError(25, 'OffsetCommit')).action, 'rejoin', 'UNKNOWN_MEMBER_ID')
  assert.equal(commitClassification(kafkaError(14, 'OffsetCommit')).action, 'refresh-coordinator', 'COORDINATOR_LOAD_IN_PROGRESS')
  assert.equal(commitClassification(new TransportError('reset', 'ECONNRESET')).action, 'reconnect')
})
