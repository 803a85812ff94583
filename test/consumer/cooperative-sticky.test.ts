/**
 * The cooperative-sticky assignor over a run of generations, each member's owned partitions
 * being what it was assigned last: balanced (counts differ by at most one), sticky (a member
 * keeps what balance lets it keep), never one partition for two members in a generation, a moved
 * partition handed over only in the generation after its owner gave it up, and a stable group
 * settling in two generations. Also the version 1 subscription bytes (owned partitions).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AssignorMember, GroupAssignment } from '../../src/consumer/group/assignors.ts'
import { cooperativeStickyAssignor } from '../../src/consumer/group/cooperative-sticky.ts'
import { decodeSubscription, encodeSubscription } from '../../src/consumer/group/consumer-protocol.ts'

const TOPICS = new Map([['t', 12]])
type Owned = Map<string, Map<string, number[]>>

function generation (ids: string[], owned: Owned): GroupAssignment {
  const members: AssignorMember[] = ids.map((memberId) => ({ memberId, groupInstanceId: null, topics: ['t'], ownedPartitions: owned.get(memberId) ?? new Map() }))
  return cooperativeStickyAssignor.assign(members, TOPICS)
}

const partitionsOf = (a: GroupAssignment, id: string): number[] => a.get(id)?.get('t') ?? []

/** Runs generations until the assignment stops changing; checks the cooperative rules at each step. */
function settle (ids: string[], owned: Owned): { owned: Owned, generations: number, moved: number } {
  let moved = 0
  for (let g = 1; g <= 5; g++) {
    const next = generation(ids, owned)
    const seen = new Set<number>()
    for (const id of ids) {
      for (const p of partitionsOf(next, id)) {
        assert.equal(seen.has(p), false, `partition ${p} given twice`)
        seen.add(p)
        // A partition someone else held last generation is never handed over in the same step.
        for (const [other, topics] of owned) if (other !== id && ids.includes(other)) assert.equal(topics.get('t')?.includes(p) ?? false, false, `partition ${p} taken from ${other} for ${id} in one step`)
      }
    }
    const nextOwned: Owned = new Map(ids.map((id) => [id, new Map([['t', partitionsOf(next, id)]])]))
    const same = ids.every((id) => JSON.stringify(owned.get(id)?.get('t') ?? []) === JSON.stringify(partitionsOf(next, id)))
    for (const id of ids) moved += (owned.get(id)?.get('t') ?? []).filter((p) => !partitionsOf(next, id).includes(p)).length
    owned = nextOwned
    if (same) return { owned, generations: g, moved }
  }
  assert.fail('the assignment did not settle in 5 generations')
}

const counts = (owned: Owned, ids: string[]): number[] => ids.map((id) => owned.get(id)?.get('t')?.length ?? 0)

describe('cooperative-sticky assignor', () => {
  test('a member joining takes only its share, in two steps; the others keep the rest', () => {
    const first = settle(['a'], new Map())
    assert.deepEqual(counts(first.owned, ['a']), [12])
    const second = settle(['a', 'b'], first.owned)
    assert.deepEqual(counts(second.owned, ['a', 'b']), [6, 6])
    assert.equal(second.moved, 6, 'a gave up exactly the six b took')
    const third = settle(['a', 'b', 'c'], second.owned)
    assert.deepEqual(counts(third.owned, ['a', 'b', 'c']), [4, 4, 4])
    assert.equal(third.moved, 4)
    for (const id of ['a', 'b']) {
      const before = second.owned.get(id)?.get('t') ?? []
      assert.ok((third.owned.get(id)?.get('t') ?? []).every((p) => before.includes(p)), `${id} kept only partitions it had`)
    }
  })

  test('a member leaving: its partitions go to the others at once, nothing else moves', () => {
    const three = settle(['a', 'b', 'c'], settle(['a', 'b'], settle(['a'], new Map()).owned).owned).owned
    const left = new Map([...three].filter(([id]) => id !== 'b'))
    const next = generation(['a', 'c'], left)
    for (const id of ['a', 'c']) {
      const had = three.get(id)?.get('t') ?? []
      assert.deepEqual(had.filter((p) => !partitionsOf(next, id).includes(p)), [], `${id} lost nothing`)
    }
    assert.deepEqual([partitionsOf(next, 'a').length, partitionsOf(next, 'c').length], [6, 6])
  })

  test('a partition claimed by two members goes to one; counts differ by at most one with 7 over 3', () => {
    const members: AssignorMember[] = [
      { memberId: 'a', groupInstanceId: null, topics: ['u'], ownedPartitions: new Map([['u', [0, 1, 2]]]) },
      { memberId: 'b', groupInstanceId: null, topics: ['u'], ownedPartitions: new Map([['u', [2, 3]]]) },
      { memberId: 'c', groupInstanceId: null, topics: ['u'] },
    ]
    const a = cooperativeStickyAssignor.assign(members, new Map([['u', 7]]))
    const all = ['a', 'b', 'c'].flatMap((id) => a.get(id)?.get('u') ?? [])
    assert.equal(new Set(all).size, all.length)
    assert.deepEqual(a.get('a')?.get('u'), [0, 1, 2], 'the first claimant (by member id) keeps 2; one member may hold ceil(7/3)')
    assert.ok(a.get('b')?.get('u')?.includes(3), 'b keeps what nobody else claims')
    assert.deepEqual(['a', 'b', 'c'].map((id) => a.get(id)?.get('u')?.length ?? 0), [3, 2, 2])
  })

  test('subscription version 1 carries the owned partitions; version 0 has none', () => {
    const owned = new Map([['t', [3, 1]], ['u', [0]]])
    assert.deepEqual(decodeSubscription(encodeSubscription({ topics: ['t', 'u'], userData: null, ownedPartitions: owned })).ownedPartitions, owned)
    const v0 = encodeSubscription({ topics: ['t'], userData: null })
    assert.equal(v0.readInt16BE(0), 0)
    assert.equal(decodeSubscription(v0).ownedPartitions, undefined)
  })
})
