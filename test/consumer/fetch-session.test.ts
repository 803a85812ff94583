/**
 * The fetch session's requests (KIP-227): full until the broker names a session, then only what
 * changed, with the partitions no longer fetched forgotten; full again after a reset or when the
 * broker makes no session. Expected requests written out by hand from the KIP's rules.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { FetchSession, type SessionRequest } from '../../src/consumer/fetch-session.ts'
import { PartitionState } from '../../src/consumer/partition-state.ts'

function partition (name: string, offset: bigint): PartitionState {
  const state = new PartitionState(name, 0)
  state.resolve(offset)
  return state
}

const shape = (r: SessionRequest): unknown => ({ id: r.sessionId, epoch: r.sessionEpoch, send: r.send.map((e) => `${e.state.topic}@${e.offset}`), forget: r.forget.map((s) => s.topic) })

describe('fetch session (KIP-227)', () => {
  test('full, then incremental: only new or moved partitions are sent, the ones left out are forgotten', () => {
    const session = new FetchSession()
    const [a, b, c] = [partition('a', 0n), partition('b', 5n), partition('c', 9n)]
    assert.deepEqual(shape(session.next([a, b])), { id: 0, epoch: 0, send: ['a@0', 'b@5'], forget: [] })
    session.answered(77)
    // Nothing moved: an empty incremental request (the broker still fetches a and b).
    assert.deepEqual(shape(session.next([a, b])), { id: 77, epoch: 1, send: [], forget: [] })
    assert.equal(session.entryOf(b)?.offset, 5n, 'an answer about b is read at the position the session holds')
    session.answered(77)
    a.fetchOffset = 10n
    assert.deepEqual(shape(session.next([a, b, c])), { id: 77, epoch: 2, send: ['a@10', 'c@9'], forget: [] })
    session.answered(77)
    // b paused (not ready): forgotten; a's leader epoch changed: sent again.
    a.leaderEpoch = 3
    assert.deepEqual(shape(session.next([a, c])), { id: 77, epoch: 3, send: ['a@10'], forget: ['b'] })
    session.answered(77)
    // b back: new to the session again.
    assert.deepEqual(shape(session.next([a, b, c])), { id: 77, epoch: 4, send: ['b@5'], forget: [] })
  })

  test('a partition given up and given back (a new state for the same partition) is sent, never also forgotten', () => {
    // Kafka applies a request's forgotten list after its partitions: one in both is dropped by the
    // broker while the consumer goes on waiting for it (what a cooperative rebalance met on real Kafka).
    const session = new FetchSession()
    const [a, b] = [partition('a', 0n), partition('b', 100n)]
    session.next([a, b])
    session.answered(8)
    const bAgain = partition('b', 102n)
    assert.deepEqual(shape(session.next([a, bAgain])), { id: 8, epoch: 1, send: ['b@102'], forget: [] })
    assert.equal(session.entryOf(b), undefined, 'an answer about the old state is not read as the new one')
    session.answered(8)
    assert.equal(session.entryOf(bAgain)?.offset, 102n)
    // Given back at the same offset: still sent, since the broker's position may be another one.
    const bThird = partition('b', 102n)
    assert.deepEqual(shape(session.next([a, bThird])), { id: 8, epoch: 2, send: ['b@102'], forget: [] })
    session.answered(8)
    assert.deepEqual(shape(session.next([a])), { id: 8, epoch: 3, send: [], forget: ['b'] })
  })

  test('a reset starts over with a full request; a broker that makes no session gets full requests', () => {
    const session = new FetchSession()
    const [a, b] = [partition('a', 1n), partition('b', 2n)]
    session.next([a, b])
    session.answered(5)
    session.next([a])
    session.reset()
    assert.deepEqual(shape(session.next([a, b])), { id: 0, epoch: 0, send: ['a@1', 'b@2'], forget: [] })
    session.answered(0)
    assert.deepEqual(shape(session.next([a, b])), { id: 0, epoch: 0, send: ['a@1', 'b@2'], forget: [] })
    // A seek (a new version) is sent again even at the same offset.
    session.answered(9)
    b.resolve(2n)
    assert.deepEqual(shape(session.next([a, b])), { id: 9, epoch: 1, send: ['b@2'], forget: [] })
  })
})
