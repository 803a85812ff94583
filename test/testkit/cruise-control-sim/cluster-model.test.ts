import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ClusterModel, type Plan } from '../../../src/testkit/cruise-control-sim/cluster-model.ts'

const clusters = fc.record({
  brokers: fc.integer({ min: 3, max: 7 }),
  topics: fc.array(fc.record({
    partitions: fc.integer({ min: 1, max: 12 }),
    replicationFactor: fc.integer({ min: 1, max: 2 }),
    partitionSizeMB: fc.integer({ min: 1, max: 500 }),
  }), { minLength: 1, maxLength: 4 }),
}).map(({ brokers, topics }) => new ClusterModel({ brokers, topics: topics.map((x, i) => ({ name: `t${i}`, ...x })) }))

function invariants (model: ClusterModel, plan: Plan): void {
  for (const [i, p] of plan.after.entries()) {
    assert.equal(p.replicas.length, model.partitions[i].replicas.length, 'replication factor kept')
    assert.equal(new Set(p.replicas).size, p.replicas.length, 'no broker twice in a partition')
  }
}

describe('simulator cluster model', () => {
  test('a full rebalance keeps every partition valid and never makes the replica spread worse', () => {
    fc.assert(fc.property(clusters, (model) => {
      const plan = model.planRebalance({})
      invariants(model, plan)
      assert.ok(plan.scoreAfter >= plan.scoreBefore)
    }), { numRuns: 100 })
  })

  test('remove_broker moves every replica off the removed broker; add_broker moves replicas only onto the added one', () => {
    fc.assert(fc.property(clusters, fc.nat(), (model, pick) => {
      const removed = model.brokers[pick % model.brokers.length].id
      const plan = model.planRebalance({ removed: [removed] })
      invariants(model, plan)
      assert.ok(plan.after.every((p) => !p.replicas.includes(removed)))
      const added = model.brokers[model.brokers.length - 1].id
      const addPlan = model.planRebalance({ added: [added] })
      invariants(model, addPlan)
      for (const move of addPlan.moves) {
        for (const b of move.newReplicas) if (!move.oldReplicas.includes(b)) assert.equal(b, added)
      }
    }), { numRuns: 100 })
  })

  test('executing a plan (applying every move) makes the model equal to the plan', () => {
    const model = new ClusterModel()
    const plan = model.planRebalance({})
    for (const move of plan.moves) model.apply(move)
    assert.deepEqual(model.partitions.map((p) => p.replicas), plan.after.map((p) => p.replicas))
    assert.equal(model.planRebalance({}).moves.length, 0)
  })

  test('the sample topics fit a small cluster: replicated at most once per broker holding replicas', () => {
    const replicationFactors = (brokers: number): Record<string, number> => Object.fromEntries(new ClusterModel({ brokers }).partitions
      .filter((p) => p.partition === 0).map((p) => [p.topic, new Set(p.replicas).size]))
    assert.deepEqual(replicationFactors(4), { orders: 3, payments: 2, 'audit-log': 2 })
    assert.deepEqual(replicationFactors(3), { orders: 2, payments: 2, 'audit-log': 2 })
    assert.deepEqual(replicationFactors(2), { orders: 1, payments: 1, 'audit-log': 1 })
    // The last broker stays empty, for add-brokers demonstrations.
    assert.ok(new ClusterModel({ brokers: 3 }).partitions.every((p) => !p.replicas.includes(2)))
  })

  test('unknown brokers and log directories are Cruise Control IllegalArgumentExceptions', () => {
    const model = new ClusterModel()
    assert.throws(() => model.planRebalance({ added: [9] }), { name: 'java.lang.IllegalArgumentException', message: 'Broker 9 does not exist.' })
    assert.throws(() => model.planRemoveDisks(new Map([[0, ['/nope']]])), /Log directory \/nope on broker 0 does not exist\./)
    assert.throws(() => new ClusterModel({ brokers: 2, emptyBrokers: [], topics: [{ name: 'x', partitions: 1, replicationFactor: 3 }] }), /replication factor 3 but only 2 brokers/)
  })
})
