/**
 * The range and round-robin assignors place partitions as the Java client's do, and the
 * ConsumerProtocol bytes match Kafka's layout (so Java and librdkafka members read ours).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { rangeAssignor, roundRobinAssignor, type AssignorMember, type GroupAssignment } from '../../src/consumer/group/assignors.ts'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../src/consumer/group/consumer-protocol.ts'

const member = (memberId: string, topics: string[]): AssignorMember => ({ memberId, groupInstanceId: null, topics })
const plain = (a: GroupAssignment): Record<string, Record<string, number[]>> =>
  Object.fromEntries([...a].map(([m, t]) => [m, Object.fromEntries(t)]))

describe('assignors', () => {
  test('range: consecutive ranges per topic, the first members (by id) take the remainder', () => {
    const members = [member('c', ['t1', 't2']), member('a', ['t1', 't2']), member('b', ['t1'])]
    const result = plain(rangeAssignor.assign(members, new Map([['t1', 7], ['t2', 3]])))
    assert.deepEqual(result, {
      a: { t1: [0, 1, 2], t2: [0, 1] },
      b: { t1: [3, 4] },
      c: { t1: [5, 6], t2: [2] },
    })
  })

  test('roundrobin: partitions of every topic dealt in turn, skipping members not subscribed', () => {
    const members = [member('b', ['t1']), member('a', ['t1', 't2'])]
    const result = plain(roundRobinAssignor.assign(members, new Map([['t1', 3], ['t2', 2]])))
    // After t1-2 (a's) the turn is b's, but b does not read t2: both t2 partitions go to a.
    assert.deepEqual(result, { a: { t1: [0, 2], t2: [0, 1] }, b: { t1: [1] } })
  })

  test('every partition goes to exactly one member, with either assignor', () => {
    const members = Array.from({ length: 4 }, (_, i) => member(`m${i}`, ['x', 'y']))
    const counts = new Map([['x', 10], ['y', 3]])
    for (const assignor of [rangeAssignor, roundRobinAssignor]) {
      const seen: string[] = []
      for (const topics of assignor.assign(members, counts).values()) for (const [t, ps] of topics) for (const p of ps) seen.push(`${t}-${p}`)
      assert.equal(seen.length, 13, assignor.name)
      assert.equal(new Set(seen).size, 13, assignor.name)
    }
  })
})

describe('consumer protocol', () => {
  test('subscription v0 bytes: version, topics, null user data', () => {
    const bytes = encodeSubscription({ topics: ['ab'], userData: null })
    assert.equal(bytes.toString('hex'), '0000' + '00000001' + '0002' + '6162' + 'ffffffff')
    assert.deepEqual(decodeSubscription(bytes), { topics: ['ab'], userData: null })
  })

  test('assignment v0 bytes round-trip; newer versions are read for their v0 fields', () => {
    const bytes = encodeAssignment({ partitions: new Map([['t', [0, 2]]]), userData: null })
    assert.equal(bytes.toString('hex'), '0000' + '00000001' + '0001' + '74' + '00000002' + '00000000' + '00000002' + 'ffffffff')
    assert.deepEqual(decodeAssignment(bytes).partitions, new Map([['t', [0, 2]]]))
    // A v3 subscription (Java 3.x): owned partitions, generation and rack follow user data.
    const v3 = Buffer.concat([Buffer.from('0003' + '00000001' + '0001' + '74' + 'ffffffff', 'hex'), Buffer.from('00000000' + '00000005' + 'ffff', 'hex')])
    assert.deepEqual(decodeSubscription(v3).topics, ['t'])
    assert.equal(decodeAssignment(Buffer.alloc(0)).partitions.size, 0)
  })
})
