import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { ConnectClient } from '../../src/connect/client.ts'
import type { ConnectorManifest, DeclaredState } from '../../src/connect/manifest.ts'
import { FileOwnershipStore, MemoryOwnershipStore } from '../../src/connect/ownership.ts'
import { formatPlan } from '../../src/connect/plan.ts'
import { autoRestartDelayMinutes, Reconciler } from '../../src/connect/reconciler.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import { captureLogs, eventually, FAST_POLICY, quiet, SOURCE } from './helpers.ts'

const CLASS = 'org.apache.kafka.connect.file.FileStreamSourceConnector'

function manifest (name: string, overrides: Partial<ConnectorManifest> = {}): ConnectorManifest {
  return {
    name,
    class: CLASS,
    tasksMax: 2,
    config: { topic: `${name}-topic` },
    state: 'running',
    autoRestart: { enabled: false },
    labels: {},
    source: { file: 'test.yaml', document: 1 },
    ...overrides,
  }
}

const writes = (sim: ConnectSimulator): number => sim.requests.filter((r) => !r.forwarded && r.method !== 'GET').length

describe('Reconciler', () => {
  let sim: ConnectSimulator
  let client: ConnectClient
  before(async () => {
    sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 10, restartMs: 0 })
    client = new ConnectClient({ urls: sim.urls, policy: FAST_POLICY, logger: quiet })
  })
  after(async () => {
    await client.close()
    await sim.stop()
  })

  test('plans without writing, applies, is idempotent, and deletes only what it created', async () => {
    const store = new MemoryOwnershipStore()
    const reconciler = new Reconciler({ client, store })
    await client.createConnector({ name: 'foreign', config: { ...SOURCE, name: 'foreign' } })
    const declared = [manifest('a'), manifest('b', { state: 'paused' }), manifest('c', { state: 'stopped' }), manifest('gone')]

    const before = writes(sim)
    const plan = await reconciler.plan(declared)
    assert.equal(writes(sim), before)
    assert.deepEqual(plan.connectors.map((c) => c.actions.map((a) => `${a.type} ${a.name}`)), [['create a'], ['create b'], ['create c'], ['create gone']])
    assert.deepEqual(plan.unmanaged, ['foreign'])
    const text = formatPlan(plan.actions)
    assert.match(text, /^\+ create a \(RUNNING\)\n\+ {5}connector\.class: org\.apache/)
    assert.match(text, /Plan: 4 to create, 0 to update, 0 state change\(s\), 0 restart\(s\), 0 to delete\.\n$/)

    const done = await reconciler.converge(declared, { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(done.ready, true)
    assert.deepEqual(done.connectors.map((c) => [c.name, c.condition.type, c.managed]), [['a', 'Ready', true], ['b', 'Ready', true], ['c', 'Ready', true], ['gone', 'Ready', true]])
    assert.equal(sim.connector('b')?.state, 'PAUSED')
    assert.equal(sim.connector('c')?.state, 'STOPPED')

    const settled = writes(sim)
    const again = await reconciler.reconcile(declared)
    assert.equal(again.ready, true)
    assert.equal(writes(sim), settled, 'a converged cluster gets no writes')

    // Real drift: one key changed and one state changed; plan shows it as a diff.
    const changed = [manifest('a', { config: { topic: 'a-topic', file: '/data/a' } }), manifest('b', { state: 'running' }), manifest('c', { state: 'stopped' })]
    const drift = await reconciler.plan(changed)
    const driftText = formatPlan(drift.actions)
    assert.match(driftText, /~ update a\n\+ {5}file: \/data\/a\n~ state b: PAUSED -> RUNNING\n- delete gone\n/)
    const applied = await reconciler.converge(changed, { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(applied.ready, true)
    assert.equal(sim.connector('a')?.config.file, '/data/a')
    assert.equal(sim.connector('b')?.state, 'RUNNING')
    assert.equal(sim.connector('gone'), undefined, 'a managed connector removed from the manifests is deleted')
    assert.notEqual(sim.connector('foreign'), undefined, 'a connector steadfast did not create is never deleted by default')

    const pruning = new Reconciler({ client, store, pruneUnmanaged: true })
    const pruned = await pruning.reconcile(changed)
    assert.deepEqual(pruned.deleted, ['foreign'])
    assert.equal(sim.connector('foreign'), undefined)

    for (const name of ['a', 'b', 'c']) await client.deleteConnector(name)
  })

  test('failures are reported as NotReady with reason, message and failed task ids', async () => {
    const reconciler = new Reconciler({ client })
    const declared = [manifest('sick', { tasksMax: 3 })]
    await reconciler.converge(declared, { intervalMs: 20, timeoutMs: 10_000 })
    sim.failTask('sick', 0, 'disk full')
    sim.failTask('sick', 2, 'disk full')
    const result = await reconciler.reconcile(declared)
    assert.deepEqual(result.connectors[0]?.condition, {
      type: 'NotReady',
      reason: 'TasksFailed',
      message: 'task(s) 0, 2 failed: org.apache.kafka.connect.errors.ConnectException: disk full',
      failedTasks: [0, 2],
    })
    assert.equal(result.ready, false)
    sim.failConnector('sick', 'bad credentials')
    const worse = await reconciler.reconcile(declared)
    assert.equal(worse.connectors[0]?.condition.reason, 'ConnectorFailed')
    assert.equal(worse.connectors[0]?.condition.message, 'org.apache.kafka.connect.errors.ConnectException: bad credentials')
    await client.deleteConnector('sick')
  })

  test('auto-restart follows min(n²+n, 60) minutes and stops at maxRestarts', async () => {
    const clock = new FakeClock()
    const reconciler = new Reconciler({ client, clock })
    const declared = [manifest('flaky', { autoRestart: { enabled: true, maxRestarts: 5 } })]
    await reconciler.reconcile(declared)
    await eventually(async () => (await reconciler.reconcile(declared)).ready)
    const restartMinutes: number[] = []
    const start = clock.now()
    for (let minute = 0; minute <= 120; minute++) {
      if (sim.connector('flaky')?.tasks[1]?.state === 'RUNNING') sim.failTask('flaky', 1)
      const result = await reconciler.reconcile(declared)
      if (result.connectors[0]?.actions.some((a) => a.type === 'restart')) {
        restartMinutes.push((clock.now() - start) / 60_000)
        await eventually(() => sim.connector('flaky')?.tasks[1]?.state === 'RUNNING')
      }
      await clock.advance(60_000)
    }
    // Restart n+1 comes min(n² + n, 60) minutes after restart n: 0, 2, 6, 12, 20.
    assert.deepEqual(restartMinutes, [0, 2, 8, 20, 40])
    const last = await reconciler.reconcile(declared)
    assert.equal(last.connectors[0]?.condition.reason, 'TasksFailed')
    assert.match(last.connectors[0]?.condition.message ?? '', /auto-restart gave up after 5 restart\(s\)/)
    await client.deleteConnector('flaky')
  })

  test('the restart count resets once the connector stays healthy for the interval, not before', async () => {
    const clock = new FakeClock()
    const store = new MemoryOwnershipStore()
    const reconciler = new Reconciler({ client, clock, store })
    const declared = [manifest('heals', { autoRestart: { enabled: true } })]
    const restarts = async (): Promise<number[]> => (await reconciler.reconcile(declared)).connectors[0]?.actions.map((a) => a.type === 'restart' ? a.restart : 0) ?? []
    const healthy = async (): Promise<void> => {
      await eventually(() => sim.connector('heals')?.tasks[0]?.state === 'RUNNING')
      assert.deepEqual(await restarts(), [])
    }
    await eventually(async () => (await reconciler.reconcile(declared)).ready)
    sim.failTask('heals', 0)
    assert.deepEqual(await restarts(), [1])

    // Healthy for 1 of the 2 minutes after restart 1: the count is kept, so the next failure waits and is restart 2.
    await healthy()
    await clock.advance(60_000)
    assert.deepEqual(await restarts(), [])
    assert.equal((await store.load()).restarts.heals?.count, 1)
    sim.failTask('heals', 0)
    assert.deepEqual(await restarts(), [], 'restart 2 is not due yet')
    await clock.advance(60_000)
    assert.deepEqual(await restarts(), [2])

    // Healthy for the whole 6 minutes after restart 2: the count starts over.
    await healthy()
    await clock.advance(6 * 60_000)
    await reconciler.reconcile(declared)
    assert.equal((await store.load()).restarts.heals, undefined)
    sim.failTask('heals', 0)
    assert.deepEqual(await restarts(), [1])
    await client.deleteConnector('heals')
  })

  test('offsets: alter and reset stop the connector first when asked', async () => {
    const reconciler = new Reconciler({ client })
    await reconciler.converge([manifest('off')], { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(await reconciler.alterOffsets('off', [{ partition: { filename: 'f' }, offset: { position: 3 } }], { stopFirst: true }), 'The offsets for this connector have been altered successfully')
    assert.equal(sim.connector('off')?.state, 'STOPPED')
    assert.deepEqual(await client.getOffsets('off'), [{ partition: { filename: 'f' }, offset: { position: 3 } }])
    assert.equal(await reconciler.resetOffsets('off', { stopFirst: true }), 'The offsets for this connector have been reset successfully')
    assert.deepEqual((await reconciler.restartTask('off', 0).catch((e: Error) => e.message)), 'Connect POST ' + `${client.transport.urls[0] ?? ''}/connectors/off/tasks/0/restart answered 404: Task off-0 not found`)
    await client.deleteConnector('off')
  })

  test('the file ledger survives restarts and refuses another cluster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steadfast-ledger-'))
    try {
      const path = join(dir, 'state', 'connect.json')
      await new Reconciler({ client, store: new FileOwnershipStore(path) }).reconcile([manifest('ledgered')])
      const saved = JSON.parse(await readFile(path, 'utf8')) as { clusterId: string, managed: Record<string, unknown> }
      assert.equal(saved.clusterId, 'sim-cluster-0')
      assert.deepEqual(Object.keys(saved.managed), ['ledgered'])
      const next = await new Reconciler({ client, store: new FileOwnershipStore(path), allowEmpty: true }).reconcile([])
      assert.deepEqual(next.deleted, ['ledgered'])
      const other = await ConnectSimulator.start({ workers: 1, clusterId: 'another' })
      const otherClient = new ConnectClient({ urls: other.urls, policy: FAST_POLICY, logger: quiet })
      try {
        await assert.rejects(new Reconciler({ client: otherClient, store: new FileOwnershipStore(path), allowEmpty: true }).reconcile([]), /belongs to Kafka cluster sim-cluster-0/)
      } finally {
        await otherClient.close()
        await other.stop()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a create whose answer is lost is adopted on the next pass, so pruning still deletes it', async () => {
    const store = new MemoryOwnershipStore()
    const reconciler = new Reconciler({ client, store, allowEmpty: true })
    await eventually(() => !sim.group.rebalancing)
    sim.loseResponses(1, { method: 'POST', path: '/connectors' })
    const first = await reconciler.reconcile([manifest('lost')])
    assert.equal(first.connectors[0]?.condition.reason, 'Error')
    assert.notEqual(sim.connector('lost'), undefined, 'the create reached Connect')
    assert.deepEqual(Object.keys((await store.load()).pending), ['lost'], 'recorded as a pending create')
    const posts = sim.countRequests({ method: 'POST', path: '/connectors' })
    const second = await reconciler.reconcile([manifest('lost')])
    assert.equal(second.connectors[0]?.managed, true)
    assert.equal(sim.countRequests({ method: 'POST', path: '/connectors' }), posts, 'adopted, not created again')
    const saved = await store.load()
    assert.deepEqual([Object.keys(saved.managed), Object.keys(saved.pending)], [['lost'], []])
    const pruned = await reconciler.reconcile([])
    assert.deepEqual(pruned.deleted, ['lost'])
    assert.equal(sim.connector('lost'), undefined)

    // A lost create that did not survive (deleted behind our back) only loses its mark.
    await eventually(() => !sim.group.rebalancing)
    sim.loseResponses(1, { method: 'POST', path: '/connectors' })
    await reconciler.reconcile([manifest('lost-again')])
    await client.deleteConnector('lost-again')
    const next = await reconciler.plan([])
    assert.deepEqual([next.deleted, next.unmanaged], [[], []])
    await reconciler.reconcile([])
    assert.deepEqual((await store.load()).pending, {})
  })

  test('an empty set of manifests is refused before any request unless allowEmpty is given', async () => {
    const store = new MemoryOwnershipStore()
    await new Reconciler({ client, store }).converge([manifest('kept')], { intervalMs: 20, timeoutMs: 10_000 })
    const count = sim.requests.length
    for (const pass of [(r: Reconciler) => r.reconcile([]), (r: Reconciler) => r.plan([])]) {
      await assert.rejects(pass(new Reconciler({ client, store })), (e: unknown) => e instanceof InvalidArgumentError && /no connectors are declared.*allowEmpty/.test(e.message))
    }
    assert.equal(sim.requests.length, count)
    assert.notEqual(sim.connector('kept'), undefined)
    assert.deepEqual((await new Reconciler({ client, store, prune: false }).reconcile([])).deleted, [], 'without pruning nothing can be deleted, so it is allowed')
    assert.deepEqual((await new Reconciler({ client, store, allowEmpty: true }).reconcile([])).deleted, ['kept'])
  })

  test('reconciler log lines name their component once', async () => {
    const { logger, raw, lines } = captureLogs()
    const logged = new ConnectClient({ urls: sim.urls, policy: FAST_POLICY, logger })
    try {
      await new Reconciler({ client: logged }).reconcile([manifest('logged')])
      assert.ok(lines.some((l) => l.component === 'connect-reconciler' && l.msg === 'created connector logged'))
      assert.deepEqual(raw.filter((line) => line.split('"component":').length !== 2), [])
    } finally {
      await logged.close()
    }
    await client.deleteConnector('logged')
  })

  test('planning is read-only: a dry run leaves the ledger file byte-identical', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steadfast-ledger-'))
    try {
      const path = join(dir, 'connect.json')
      // A managed connector gone from Connect and a restart count due for reset: both are bookkeeping a pass would write.
      const text = JSON.stringify({ version: 1, clusterId: 'sim-cluster-0', managed: { vanished: { createdAt: 1 } }, restarts: { vanished: { count: 2, lastAt: 1 } } }, null, 2) + '\n'
      await writeFile(path, text)
      const plan = await new Reconciler({ client, store: new FileOwnershipStore(path) }).plan([manifest('planned')])
      assert.deepEqual(plan.actions.map((a) => `${a.type} ${a.name}`), ['create planned'])
      assert.equal(await readFile(path, 'utf8'), text)
      await new Reconciler({ client, store: new FileOwnershipStore(path), prune: false }).reconcile([])
      assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { version: 1, clusterId: 'sim-cluster-0', managed: {}, pending: {}, restarts: {}, grace: {} }, 'a pass does write it')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('autoRestartDelayMinutes is n²+n capped at 60', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), (n) => {
      const d = autoRestartDelayMinutes(n)
      assert.equal(d, Math.min(n * n + n, 60))
      assert.ok(autoRestartDelayMinutes(n + 1) >= d)
    }))
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map(autoRestartDelayMinutes), [0, 2, 6, 12, 20, 30, 42, 56, 60])
  })
})

describe('Reconciler through a rebalance storm', () => {
  test('100 connectors converge to their declared config and state, never more than one write in flight per connector', async () => {
    const sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 15, restartMs: 0 })
    // Writes go through a slow follower: each stays in flight for the forward to the leader and the
    // delay, so two writes to one connector issued at once would overlap and be counted.
    const follower = sim.urls.find((u) => u !== sim.leaderUrl) ?? ''
    sim.slow(10, follower)
    const client = new ConnectClient({ urls: follower, policy: { ...FAST_POLICY, deadlineMs: 20_000 }, logger: quiet })
    try {
      // The instrument sees overlapping writes on this path, so the "at most one" below can fail.
      await client.createConnector({ name: 'probe', config: { ...SOURCE, name: 'probe' } })
      await Promise.all([1, 2, 3].map((n) => client.putConnectorConfig('probe', { ...SOURCE, topic: `probe-${n}` })))
      assert.ok(sim.maxConcurrentWrites('probe') >= 2, 'concurrent writes to one connector are seen')
      const states: DeclaredState[] = ['running', 'paused', 'stopped']
      const declared = Array.from({ length: 100 }, (_, i) => {
        const name = `c${String(i).padStart(3, '0')}`
        return manifest(name, { state: states[i % 3] as DeclaredState, tasksMax: 1 + (i % 3), config: { topic: `${name}-topic` } })
      })
      const reconciler = new Reconciler({ client, concurrency: 16 })
      const storm = sim.storm({ durationMs: 1_500, rebalanceMs: 120, gapMs: 30 })
      const result = await reconciler.converge(declared, { intervalMs: 50, timeoutMs: 30_000 })
      await storm
      assert.equal(result.ready, true)
      assert.ok(sim.countRequests({ status: 409 }) > 0, 'the storm answered 409s')
      const check = (wanted: ConnectorManifest[]): void => {
        for (const m of wanted) {
          const actual = sim.connector(m.name)
          assert.equal(actual?.state, m.state.toUpperCase(), m.name)
          assert.equal(actual?.config.topic, m.config.topic)
          assert.equal(actual?.config['tasks.max'], String(m.tasksMax))
          assert.equal(sim.maxConcurrentWrites(m.name), 1, `${m.name}: at most one write in flight`)
        }
      }
      check(declared)

      // Then config changes and state moves through one continuous rebalance: every write waits it out.
      const changed = declared.map((m, i) => i % 4 === 0 ? { ...m, config: { topic: `${m.name}-v2` }, state: states[(i + 1) % 3] as DeclaredState } : m)
      const conflictsBefore = sim.countRequests({ status: 409 })
      const continuous = sim.storm({ durationMs: 600 })
      const second = await reconciler.converge(changed, { intervalMs: 50, timeoutMs: 30_000 })
      await continuous
      assert.equal(second.ready, true)
      assert.ok(sim.countRequests({ status: 409 }) > conflictsBefore, 'the continuous storm answered 409s')
      check(changed)
    } finally {
      await client.close()
      await sim.stop()
    }
  })
})
