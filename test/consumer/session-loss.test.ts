/**
 * A member that cannot reach its coordinator for a whole session has been removed from the group
 * by then (the coordinator's session timer has run out), so another member may own its partitions:
 * it must give them up (onRevoked, no commit) instead of reading on, and join again once the
 * coordinator answers. This is what makes a group usable as a lease (the agent's HA).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { consumer, startGroupMock } from './helpers.ts'

let mock: MockCluster
before(async () => {
  mock = await startGroupMock()
})
after(async () => { await mock?.stop() })

/** Resolves when `check` holds, checked every 50 ms; the test's timeout bounds the wait. */
async function until (check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 50))
}

describe('a member that loses its coordinator for a whole session', { timeout: 60_000 }, () => {
  test('gives its partitions up while the coordinator is still away, then joins again and gets them back', async (t) => {
    await mock.createTopic({ name: 'session-loss', partitions: 2 })
    await mock.setCoordinator('group', 'session-loss', 2)
    const events: string[] = []
    const c = consumer(t, mock.bootstrap, { groupId: 'session-loss', sessionTimeoutMs: 2_000, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 3_000, autoCommit: false })
    c.subscribe(['session-loss'], {
      onAssigned: (ps) => { events.push(`assigned ${ps.map((p) => p.partition).sort().join(',')}`) },
      onRevoked: (ps) => { events.push(`revoked ${ps.map((p) => p.partition).sort().join(',')}`) },
    })
    let read = 0
    let failed: unknown
    const reading = (async () => { for await (const m of c) read += m === undefined ? 0 : 1 })().catch((error: unknown) => { failed = error })
    await until(() => events.length === 1)
    assert.deepEqual(events, ['assigned 0,1'])

    await mock.brokerDown(2)
    // Before the fix the member kept its partitions for as long as the coordinator stayed away.
    await until(() => events.length === 2)
    assert.deepEqual(events, ['assigned 0,1', 'revoked 0,1'], 'given up while the coordinator is still down')
    assert.deepEqual(c.assignment(), [], 'and no longer held')

    await mock.brokerUp(2)
    await until(() => events.length === 3 || failed !== undefined)
    assert.equal(failed, undefined, 'the consumer kept working')
    assert.deepEqual(events, ['assigned 0,1', 'revoked 0,1', 'assigned 0,1'])
    await c.close()
    await reading
    assert.equal(read, 0, 'the topic is empty: only the membership is under test')
  })
})
