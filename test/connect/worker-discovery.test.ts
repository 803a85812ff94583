import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ConnectClient } from '../../src/connect/client.ts'
import type { ExpandedConnector } from '../../src/connect/types.ts'
import { MAX_LEARNED_WORKERS, workerUrls } from '../../src/connect/worker-discovery.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { quiet, SOURCE } from './helpers.ts'

const expanded = (connector: string, tasks: string[]): ExpandedConnector => ({
  status: {
    name: 'c',
    connector: { state: 'RUNNING', worker_id: connector },
    tasks: tasks.map((worker, id) => ({ id, state: 'RUNNING', worker_id: worker })),
    type: 'source',
  },
} as ExpandedConnector)

describe('workerUrls', () => {
  test('every worker named in the statuses, once, on the first configured URL\'s scheme, userinfo and path', () => {
    const statuses = { a: expanded('w1:8083', ['w2:8083', 'w1:8083']), b: expanded('10.0.0.3:8443', ['[::1]:8083']), c: {} as ExpandedConnector }
    assert.deepEqual(workerUrls(statuses, 'https://agent:pw@connect.example:443/proxy/'), [
      'https://agent:pw@10.0.0.3:8443/proxy',
      'https://agent:pw@[::1]:8083/proxy',
      'https://agent:pw@w1:8083/proxy',
      'https://agent:pw@w2:8083/proxy',
    ])
  })

  test('an id that is not host:port (empty while unassigned, or odd) is not a URL', () => {
    assert.deepEqual(workerUrls({ a: expanded('', ['not a host:1', 'w1', 'w1:8083/x', 'w3:8083']) }, 'http://c:8083'), ['http://w3:8083'])
  })

  test('at most MAX_LEARNED_WORKERS', () => {
    const many = Array.from({ length: 50 }, (_, i) => `w${String(i).padStart(2, '0')}:8083`)
    assert.equal(workerUrls({ a: expanded('w00:8083', many) }, 'http://c:8083').length, MAX_LEARNED_WORKERS)
  })
})

describe('ConnectClient with discoverWorkers, on the Connect simulator', () => {
  let sim: ConnectSimulator
  before(async () => {
    sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 0, restartMs: 0 })
    const setup = new ConnectClient({ urls: sim.urls, logger: quiet })
    // Five tasks: every worker runs something, so every worker is named in the statuses.
    await setup.createConnector({ name: 'spread', config: { ...SOURCE, 'tasks.max': '5' } })
    await setup.close()
  })
  after(async () => { await sim.stop() })

  test('the only configured worker leaves: a client that learned the others carries on, reads and writes; one that did not fails', async () => {
    const configured = sim.urls[0] as string
    const policy = { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 2, deadlineMs: 2_000 }
    const discovering = new ConnectClient({ urls: configured, discoverWorkers: true, policy, logger: quiet })
    const plain = new ConnectClient({ urls: configured, policy, logger: quiet })
    try {
      assert.deepEqual(discovering.transport.urls, [configured], 'nothing learned before a status read')
      await discovering.listConnectorsExpanded({ status: true })
      await plain.listConnectorsExpanded({ status: true })
      assert.deepEqual(discovering.transport.urls, [configured, ...sim.urls.slice(1).sort()], 'the configured worker first, then the two learned')
      assert.deepEqual(plain.transport.urls, [configured], 'discovery is off by default')

      await sim.removeWorker(configured)
      const before = sim.requests.length
      assert.deepEqual(await discovering.listConnectors(), ['spread'])
      const served = sim.requests.slice(before).map((r) => r.worker)
      assert.ok(served.length > 0 && served.every((w) => w !== new URL(configured).host), `served by a learned worker: ${served.join(', ')}`)
      // A create refused by the gone worker's closed port never reached it, so it may go on to a learned one.
      await discovering.createConnector({ name: 'after-leave', config: SOURCE })
      assert.ok(sim.connector('after-leave') !== undefined)
      await assert.rejects(plain.listConnectors(), /connect listConnectors failed after 2 attempt\(s\): .*ECONNREFUSED/)
    } finally {
      await discovering.close()
      await plain.close()
      await sim.restartWorker(configured)
    }
  })

  test('a status read that no longer names a worker forgets it (the configured ones stay)', async () => {
    const client = new ConnectClient({ urls: sim.urls[0] as string, discoverWorkers: true, logger: quiet })
    try {
      await client.listConnectorsExpanded({ status: true })
      assert.ok(client.transport.urls.length > 1)
      await client.deleteConnector('spread')
      await client.deleteConnector('after-leave')
      await client.listConnectorsExpanded({ status: true })
      assert.deepEqual(client.transport.urls, [sim.urls[0]])
      await client.listConnectorsExpanded({ info: true })
      assert.deepEqual(client.transport.urls, [sim.urls[0]], 'an info-only read names no worker and changes nothing')
    } finally {
      await client.close()
    }
  })
})
