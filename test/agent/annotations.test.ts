import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connectorRequests, rebalanceRequests } from '../../src/agent/annotations.ts'

test('connector restart annotations are read with their qualifiers', () => {
  assert.deepEqual(connectorRequests({ 'strimzi.io/restart': 'true', 'strimzi.io/restart-include-tasks': 'true' }),
    { restart: { includeTasks: true, onlyFailed: false }, refused: [] })
  assert.deepEqual(connectorRequests({ 'strimzi.io/restart-task': '2', 'example.com/owner': 'team-a' }), { restartTask: 2, refused: [] })
})

test('bad values and unsupported strimzi.io annotations are refused with a message', () => {
  const { refused } = connectorRequests({ 'strimzi.io/restart': 'yes', 'strimzi.io/restart-task': 'first', 'strimzi.io/pause-reconciliation': 'true', 'strimzi.io/restart-only-failed': 'true' })
  assert.deepEqual(refused.map((r) => r.annotation), ['strimzi.io/restart', 'strimzi.io/restart-task', 'strimzi.io/pause-reconciliation', 'strimzi.io/restart-only-failed'])
  assert.match(refused[2]?.message ?? '', /not supported by the steadfast agent on a KafkaConnector/)
  assert.match(refused[3]?.message ?? '', /only qualifies strimzi.io\/restart/)
})

test('rebalance annotations: approve, refresh, stop; template and others refused; auto-approval belongs to the manifest', () => {
  assert.deepEqual(rebalanceRequests({ 'strimzi.io/rebalance': 'approve', 'strimzi.io/rebalance-auto-approval': 'true' }), { action: 'approve', refused: [] })
  assert.match(rebalanceRequests({ 'strimzi.io/rebalance': 'template' }).refused[0]?.message ?? '', /template rebalances/)
  assert.match(rebalanceRequests({ 'strimzi.io/rebalance': 'go' }).refused[0]?.message ?? '', /must be approve, refresh or stop, got "go"/)
})
