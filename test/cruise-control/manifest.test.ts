import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { isAutoApproved, parseManifests, proposalRequest, validateManifest } from '../../src/cruise-control/manifest.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'

const yaml = (spec: string, extra = ''): string => `apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaRebalance
metadata:
  name: my-rebalance
${extra}spec:
${spec}`

describe('KafkaRebalance manifests', () => {
  test('a Strimzi-style manifest maps to the Cruise Control request for its mode', () => {
    const [full] = parseManifests(yaml(`  goals: [ReplicaDistributionGoal, LeaderReplicaDistributionGoal]
  skipHardGoalCheck: true
  excludedTopics: "audit-.*"
  concurrentPartitionMovementsPerBroker: 5
  concurrentLeaderMovements: 100
  replicationThrottle: 1048576
`), 'rb.yaml')
    assert.deepEqual(proposalRequest(full.spec), {
      method: 'POST',
      endpoint: 'rebalance',
      params: {
        dryrun: true,
        goals: 'ReplicaDistributionGoal,LeaderReplicaDistributionGoal',
        skip_hard_goal_check: true,
        excluded_topics: 'audit-.*',
        concurrent_partition_movements_per_broker: 5,
        concurrent_intra_broker_partition_movements: undefined,
        concurrent_leader_movements: 100,
        max_partition_movements_in_cluster: undefined,
        replication_throttle: 1048576,
        replica_movement_strategies: undefined,
        verbose: undefined,
        reason: undefined,
        rebalance_disk: undefined,
      },
    })
    const [add] = parseManifests(yaml('  mode: add-brokers\n  brokers: [3, 4]\n'), 'rb.yaml')
    assert.equal(proposalRequest(add.spec).endpoint, 'add_broker')
    assert.equal(proposalRequest(add.spec).params.brokerid, '3,4')
    const [remove] = parseManifests(yaml('  mode: remove-brokers\n  brokers: [0]\n'), 'rb.yaml')
    assert.equal(proposalRequest(remove.spec).endpoint, 'remove_broker')
    const [disks] = parseManifests(yaml('  mode: remove-disks\n  moveReplicasOffVolumes:\n    - brokerId: 1\n      logDirs: [/data-1]\n'), 'rb.yaml')
    assert.equal(proposalRequest(disks.spec).params.brokerid_and_logdirs, '1-/data-1')
  })

  test('an empty spec means a full rebalance; auto-approval comes from the annotation or the field', () => {
    const plain = validateManifest({ kind: 'KafkaRebalance', metadata: { name: 'a' } }, 'x')
    assert.equal(plain.spec.mode, 'full')
    assert.equal(isAutoApproved(plain), false)
    const [annotated] = parseManifests(yaml('  mode: full\n', '  annotations:\n    strimzi.io/rebalance-auto-approval: "true"\n'), 'rb.yaml')
    assert.equal(isAutoApproved(annotated), true)
    assert.equal(isAutoApproved(validateManifest({ kind: 'KafkaRebalance', metadata: { name: 'a' }, spec: { autoApproval: true } }, 'x')), true)
  })

  test('validation errors name the file, the path in the document and what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      [yaml('  mode: add-brokers\n'), /rb\.yaml: invalid KafkaRebalance: spec\.brokers: required when mode is add-brokers/],
      [yaml('  mode: full\n  brokers: [1]\n'), /spec\.brokers: not allowed when mode is full/],
      [yaml('  mode: sideways\n'), /spec\.mode: .*"full"/],
      [yaml('  mode: add-brokers\n  brokers: [-1]\n'), /spec\.brokers\.0: /],
      [yaml('  mode: remove-disks\n'), /spec\.moveReplicasOffVolumes: required when mode is remove-disks/],
      [yaml('  concurrentLeaderMovements: 0\n'), /spec\.concurrentLeaderMovements: /],
      [yaml('  goalz: [x]\n'), /spec: .*goalz/],
      [yaml('  mode: full\n').replace('KafkaRebalance', 'Kafka'), /kind: .*KafkaRebalance/],
      [yaml('  mode: full\n').replace('my-rebalance', 'My_Rebalance'), /metadata\.name: must be lower-case/],
    ]
    for (const [text, expected] of cases) {
      assert.throws(() => parseManifests(text, 'rb.yaml'), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError)
        assert.match(error.message, expected)
        return true
      })
    }
  })

  test('YAML syntax errors give the line; several documents are each validated; names must be unique', () => {
    assert.throws(() => parseManifests('kind: KafkaRebalance\nmetadata: [unclosed\n', 'bad.yaml'), /bad\.yaml: not valid YAML at line \d+, column \d+/)
    const two = `${yaml('  mode: full\n')}---\n${yaml('  mode: full\n').replace('my-rebalance', 'other')}`
    assert.deepEqual(parseManifests(two, 'two.yaml').map((m) => m.metadata.name), ['my-rebalance', 'other'])
    assert.throws(() => parseManifests(`${yaml('  mode: full\n')}---\n${yaml('  mode: nope\n')}`, 'two.yaml'), /two\.yaml \(document 2\): invalid KafkaRebalance: spec\.mode/)
    assert.throws(() => parseManifests(`${yaml('  mode: full\n')}---\n${yaml('  mode: full\n')}`, 'dup.yaml'), /my-rebalance appears more than once/)
    assert.throws(() => parseManifests('', 'empty.yaml'), /empty\.yaml: no KafkaRebalance document found/)
  })

  test('any input is either a manifest or an InvalidArgumentError, never a crash', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      try {
        validateManifest(value, 'fuzz')
      } catch (error) {
        assert.ok(error instanceof InvalidArgumentError)
      }
    }), { numRuns: 300 })
  })
})
