import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ConnectClient } from '../../src/connect/client.ts'
import { READY, type Condition } from '../../src/connect/conditions.ts'
import type { ConnectorManifest } from '../../src/connect/manifest.ts'
import { isReassigning, RebalanceGrace, type GraceBook } from '../../src/connect/rebalance-grace.ts'
import { Reconciler } from '../../src/connect/reconciler.ts'
import type { ConnectorStatus } from '../../src/connect/types.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import { eventually, FAST_POLICY, quiet } from './helpers.ts'

const status = (connector: string, tasks: string[]): ConnectorStatus => ({
  name: 'c',
  connector: { state: connector, worker_id: 'w1:8083' },
  tasks: tasks.map((state, id) => ({ id, state, worker_id: 'w1:8083' })),
  type: 'source',
} as ConnectorStatus)

const pending: Condition = { type: 'NotReady', reason: 'Pending', message: 'task(s) 0 UNASSIGNED, declared running' }

describe('isReassigning', () => {
  test('instances UNASSIGNED or RESTARTING next to ones in the declared state', () => {
    assert.equal(isReassigning('running', status('RUNNING', ['UNASSIGNED', 'RUNNING'])), true)
    assert.equal(isReassigning('running', status('UNASSIGNED', ['UNASSIGNED'])), true)
    assert.equal(isReassigning('running', status('RUNNING', ['RESTARTING'])), true)
    assert.equal(isReassigning('running', status('RUNNING', [])), true, 'tasks not listed yet')
    assert.equal(isReassigning('paused', status('PAUSED', ['UNASSIGNED'])), true)
    assert.equal(isReassigning('stopped', status('UNASSIGNED', [])), true)
  })

  test('not when something failed, is in another state, or nothing moves', () => {
    assert.equal(isReassigning('running', status('RUNNING', ['UNASSIGNED', 'FAILED'])), false)
    assert.equal(isReassigning('running', status('FAILED', ['UNASSIGNED'])), false)
    assert.equal(isReassigning('running', status('PAUSED', ['UNASSIGNED'])), false)
    assert.equal(isReassigning('running', status('RUNNING', ['RUNNING'])), false)
    assert.equal(isReassigning('stopped', status('STOPPED', [])), false)
    assert.equal(isReassigning('running', undefined), false)
  })
})

describe('RebalanceGrace', () => {
  test('a Ready connector being moved stays Ready (Reassigning) for the grace, then is NotReady until it is Ready again', () => {
    const grace = new RebalanceGrace(60_000)
    const book: GraceBook = {}
    const moving = status('RUNNING', ['UNASSIGNED'])
    assert.equal(grace.judge(book, 'c', 'running', status('RUNNING', ['RUNNING']), READY, 1_000), READY)
    const first = grace.judge(book, 'c', 'running', moving, pending, 10_000)
    assert.equal(first.type, 'Ready')
    assert.equal(first.reason, 'Reassigning')
    assert.match(first.message ?? '', /^task\(s\) 0 UNASSIGNED, declared running; a worker-group rebalance is moving it \(since 1970-01-01T00:00:10\.000Z\); NotReady if it lasts past the 60 s rebalance grace$/)
    assert.equal(grace.judge(book, 'c', 'running', moving, pending, 69_999).type, 'Ready', 'counted from the first pass that saw it')
    const late = grace.judge(book, 'c', 'running', moving, pending, 70_000)
    assert.deepEqual(late, { type: 'NotReady', reason: 'Pending', message: 'task(s) 0 UNASSIGNED, declared running since 1970-01-01T00:00:10.000Z, longer than the 60 s rebalance grace' })
    assert.equal(grace.judge(book, 'c', 'running', moving, pending, 80_000).type, 'NotReady', 'stays NotReady')
    assert.equal(grace.judge(book, 'c', 'running', status('RUNNING', ['RUNNING']), READY, 90_000), READY)
    assert.equal(grace.judge(book, 'c', 'running', moving, pending, 200_000).type, 'Ready', 'a new reassignment has its own grace')
  })

  test('no grace for a connector never seen Ready, for a failure, or with grace 0', () => {
    const grace = new RebalanceGrace(60_000)
    const book: GraceBook = {}
    assert.deepEqual(grace.judge(book, 'new', 'running', status('UNASSIGNED', []), pending, 0), pending)
    grace.judge(book, 'c', 'running', status('RUNNING', ['RUNNING']), READY, 0)
    const failed: Condition = { type: 'NotReady', reason: 'TasksFailed', message: 'task(s) 1 failed: boom', failedTasks: [1] }
    assert.deepEqual(grace.judge(book, 'c', 'running', status('RUNNING', ['UNASSIGNED', 'FAILED']), failed, 1), failed)
    assert.deepEqual(grace.judge(book, 'c', 'running', status('RUNNING', ['UNASSIGNED']), pending, 2), pending, 'the failure ended what Ready it was')
    const off = new RebalanceGrace(0)
    const untouched: GraceBook = {}
    off.judge(untouched, 'c', 'running', status('RUNNING', ['RUNNING']), READY, 0)
    assert.deepEqual(off.judge(untouched, 'c', 'running', status('RUNNING', ['UNASSIGNED']), pending, 1), pending)
    assert.deepEqual(untouched, {}, 'grace 0 remembers nothing')
  })

  test('the book records when the connector was seen Ready and since when it moves; a copy (a plan) leaves it alone; retain forgets connectors no longer declared', () => {
    const grace = new RebalanceGrace(1_000)
    const book: GraceBook = {}
    const moving = status('RUNNING', ['UNASSIGNED'])
    grace.judge(book, 'c', 'running', status('RUNNING', ['RUNNING']), READY, 0)
    grace.judge(book, 'c', 'running', status('RUNNING', ['RUNNING']), READY, 300)
    assert.deepEqual(book, { c: { readyAt: 0 } }, 'a Ready stretch is recorded once, not at every pass')
    assert.equal(grace.judge(structuredClone(book), 'c', 'running', moving, pending, 5_000).type, 'Ready')
    assert.deepEqual(book, { c: { readyAt: 0 } }, 'the plan did not start the grace')
    assert.equal(grace.judge(book, 'c', 'running', moving, pending, 5_500).type, 'Ready')
    assert.deepEqual(book, { c: { readyAt: 0, movingSince: 5_500 } })
    assert.equal(new RebalanceGrace(1_000).judge(structuredClone(book), 'c', 'running', moving, pending, 6_499).type, 'Ready', 'another instance given the book continues the same grace')
    assert.equal(new RebalanceGrace(1_000).judge(structuredClone(book), 'c', 'running', moving, pending, 6_500).type, 'NotReady', '...and ends it where it began')
    grace.retain(book, new Set(['other']))
    assert.deepEqual(book, {})
    assert.deepEqual(grace.judge(book, 'c', 'running', moving, pending, 5_600), pending)
  })

  test('a bad grace is refused with its value', () => {
    assert.throws(() => new RebalanceGrace(-1), /rebalanceGraceMs must be an integer >= 0, got -1/)
    assert.throws(() => new RebalanceGrace(1.5), /got 1\.5/)
  })
})

describe('Reconciler with the rebalance grace, on the Connect simulator', () => {
  let sim: ConnectSimulator
  let client: ConnectClient
  before(async () => {
    sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 0, restartMs: 0 })
    client = new ConnectClient({ urls: sim.urls, policy: FAST_POLICY, logger: quiet })
  })
  after(async () => {
    await client.close()
    await sim.stop()
  })

  const manifest: ConnectorManifest = {
    name: 'moved',
    class: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    tasksMax: 2,
    config: { topic: 'moved-topic' },
    state: 'running',
    autoRestart: { enabled: false },
    labels: {},
    source: { file: 'test.yaml', document: 1 },
  }

  test('the worker running a Ready connector leaves: Ready (Reassigning), NotReady past the grace, Ready once reassigned', async () => {
    const clock = new FakeClock(0)
    const reconciler = new Reconciler({ client, clock, rebalanceGraceMs: 30_000, logger: quiet })
    let pass = await reconciler.reconcile([manifest])
    for (let i = 0; i < 50 && !pass.ready; i++) pass = await reconciler.reconcile([manifest])
    assert.deepEqual(pass.connectors[0]?.condition, { type: 'Ready' })

    // A long rebalance is under way when the worker running the first task leaves: what it ran stays UNASSIGNED.
    const worker = (await client.getConnectorStatus('moved')).tasks[0]?.worker_id
    const url = sim.workers.find((w) => w.id === worker)?.url as string
    sim.rebalance(60_000)
    await sim.removeWorker(url)
    const shown = (await client.getConnectorStatus('moved')).tasks.find((t) => t.id === 0)?.state
    assert.equal(shown, 'UNASSIGNED', 'the simulator reports the left worker\'s task UNASSIGNED')

    const during = (await reconciler.reconcile([manifest])).connectors[0]
    assert.equal(during?.condition.type, 'Ready')
    assert.equal(during?.condition.reason, 'Reassigning')
    assert.deepEqual(during?.actions, [], 'nothing is done to a connector being moved')
    await clock.advance(30_000)
    const late = (await reconciler.reconcile([manifest]))
    assert.equal(late.connectors[0]?.condition.type, 'NotReady')
    assert.equal(late.connectors[0]?.condition.reason, 'Pending')
    assert.match(late.connectors[0]?.condition.message ?? '', /UNASSIGNED.*longer than the 30 s rebalance grace/)
    assert.equal(late.ready, false)

    sim.group.finishRebalance()
    const after = (await reconciler.reconcile([manifest])).connectors[0]
    assert.deepEqual(after?.condition, { type: 'Ready' })
  })

  test('converge (connect apply --wait) waits for a connector being moved to run again: ready counts it, settled does not', async () => {
    const reconciler = new Reconciler({ client, rebalanceGraceMs: 600_000, logger: quiet })
    const waited = { ...manifest, name: 'waited', config: { topic: 'waited-topic' } }
    const first = await reconciler.converge([waited], { intervalMs: 10, timeoutMs: 20_000 })
    assert.deepEqual([first.ready, first.reassigning, first.settled], [true, 0, true])

    const status = await client.getConnectorStatus('waited')
    const worker = [status.connector, ...status.tasks].map((i) => i.worker_id).find((id) => id !== sim.group.leader)
    assert.ok(worker !== undefined, JSON.stringify(status))
    sim.rebalance(600_000)
    await sim.removeWorker(sim.workers.find((w) => w.id === worker)?.url as string)
    const moving = await reconciler.reconcile([waited])
    assert.equal(moving.connectors[0]?.condition.reason, 'Reassigning')
    assert.deepEqual([moving.ready, moving.reassigning, moving.settled], [true, 1, false])

    let finished = false
    const passes = (): number => sim.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/connectors?')).length
    const before = passes()
    const converging = reconciler.converge([waited], { intervalMs: 10, timeoutMs: 60_000 }).then((result) => ({ result, finished }))
    await eventually(() => passes() >= before + 3, 2_000)
    finished = true
    sim.group.finishRebalance()
    const { result, finished: returnedAfter } = await converging
    assert.equal(returnedAfter, true, 'converge kept passing while the connector was being moved')
    assert.deepEqual([result.ready, result.reassigning, result.settled], [true, 0, true])
    const after = await client.getConnectorStatus('waited')
    assert.deepEqual([after.connector.state, ...after.tasks.map((t) => t.state)], ['RUNNING', 'RUNNING', 'RUNNING'], 'what Connect reports when converge returns')
  })
})
