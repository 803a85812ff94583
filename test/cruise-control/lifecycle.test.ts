import { describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CruiseControlClient } from '../../src/cruise-control/client.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'
import { clientFor, eventually, lifecycleFor, manifest, quiet, startSim, tempDir } from './fixtures.ts'
import { RebalanceLifecycle, type RebalanceRecord } from '../../src/cruise-control/lifecycle.ts'
import { JsonStateStore } from '../../src/cruise-control/state-store.ts'
import type { CruiseControlSimulatorOptions } from '../../src/testkit/cruise-control-sim/index.ts'

async function setup (t: { after: (fn: () => Promise<void>) => void }, options: CruiseControlSimulatorOptions = {}, retry = {}) {
  const sim = await startSim(options)
  const client = clientFor(sim, { retry: { initialDelayMs: 20, maxDelayMs: 200, deadlineMs: 20_000, ...retry } })
  const { dir, cleanup } = await tempDir()
  const lifecycle = lifecycleFor(client, dir)
  t.after(async () => { await client.close(); await sim.stop(); await cleanup() })
  return { sim, client, dir, lifecycle }
}

function states (record: { history: Array<{ state: string }> }): string[] {
  return record.history.map((h) => h.state)
}

/** Fills the simulator's user-task slots the way another user's burst of requests would. */
async function fillSlots (url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/kafkacruisecontrol/kafka_cluster_state?json=true`)
    await res.arrayBuffer()
  }
}

describe('rebalance lifecycle', () => {
  test('dry run → ProposalReady (summary kept) → approve → Rebalancing → Ready, and the cluster ends balanced', async (t) => {
    const { sim, lifecycle } = await setup(t)
    await lifecycle.create(manifest('full'))
    const ready = await lifecycle.settle('full', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(ready.state, 'ProposalReady')
    assert.ok((ready.proposal?.summary.numReplicaMovements ?? 0) > 0)
    assert.equal(sim.executing, false, 'a dry run executes nothing')

    const approved = await lifecycle.approve('full')
    assert.equal(approved.state, 'Rebalancing')
    assert.ok(approved.userTaskId !== undefined)
    const done = await lifecycle.settle('full', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(done.state, 'Ready')
    assert.deepEqual(states(done).filter((s, i, all) => s !== all[i - 1]), ['New', 'ProposalReady', 'Rebalancing', 'Ready'])
    const replicas = sim.model.brokerLoad().map((b) => b.replicas)
    assert.ok(Math.max(...replicas) - Math.min(...replicas) <= 1, `replicas per broker after execution: ${replicas.join(',')}`)
  })

  test('a 202 leaves the rebalance PendingProposal, and polls re-send the request with its User-Task-ID', async (t) => {
    const { sim, lifecycle } = await setup(t, { proposalComputeMs: 250 })
    await lifecycle.create(manifest('slow'))
    const pending = await lifecycle.reconcile('slow')
    assert.equal(pending.state, 'PendingProposal')
    const id = pending.userTaskId
    assert.ok(id !== undefined)
    const created = sim.tasksCreated
    const ready = await lifecycle.settle('slow', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(ready.state, 'ProposalReady')
    assert.equal(sim.tasksCreated, created, 'polling created no new task')
    assert.ok(sim.requests.some((r) => r.endpoint === 'rebalance' && r.userTaskId === id && r.status === 200))
  })

  test('auto-approval skips ProposalReady', async (t) => {
    const { lifecycle } = await setup(t)
    await lifecycle.create(manifest('auto', { mode: 'add-brokers', brokers: [3] }, { 'strimzi.io/rebalance-auto-approval': 'true' }))
    const done = await lifecycle.settle('auto', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(done.state, 'Ready')
    assert.ok(!states(done).includes('ProposalReady'))
    assert.ok((done.proposal?.summary.numReplicaMovements ?? 0) > 0)
  })

  test('stop during Rebalancing stops the execution → Stopped; refresh then asks for a new proposal', async (t) => {
    // Requests block long enough that the refreshed dry run always answers at once (never a 202).
    const { sim, lifecycle } = await setup(t, { executionTickMs: 200, movementsPerTick: 1, maxBlockTimeMs: 5000 })
    await lifecycle.create(manifest('stopme', { autoApproval: true }))
    const running = await lifecycle.reconcile('stopme')
    assert.equal(running.state, 'Rebalancing')
    assert.equal(sim.executing, true)
    const stopped = await lifecycle.stop('stopme')
    assert.equal(stopped.state, 'Stopped')
    assert.ok(sim.requests.some((r) => r.endpoint === 'stop_proposal_execution' && r.status === 200))
    await assert.rejects(lifecycle.approve('stopme'), /cannot approve in state Stopped \(it accepts refresh\)/)
    const refreshed = await lifecycle.refresh('stopme')
    assert.equal(refreshed.state, 'Rebalancing', 'a fresh proposal, auto-approved and executing again')
    assert.equal(sim.executions.length, 2)
  })

  test('stop refuses to stop an execution that belongs to another rebalance', async (t) => {
    const { sim, lifecycle } = await setup(t, { proposalComputeMs: 300, maxBlockTimeMs: 100, executionTickMs: 200, movementsPerTick: 1 })
    await lifecycle.create(manifest('first', { autoApproval: true }))
    const first = await lifecycle.settle('first', { until: ['Rebalancing'], intervalMs: 20, timeoutMs: 10_000 })
    await eventually('the first execution runs', () => sim.executing)
    await lifecycle.create(manifest('second', { mode: 'add-brokers', brokers: [3] }))
    assert.equal((await lifecycle.settle('second', { intervalMs: 20, timeoutMs: 10_000 })).state, 'ProposalReady')
    const waiting = await lifecycle.approve('second')
    assert.equal(waiting.state, 'Rebalancing', 'its execution request is still computing (202)')

    await assert.rejects(lifecycle.stop('second'), new RegExp(`the execution Cruise Control is running belongs to task ${first.userTaskId ?? ''}.*not stopping it`))
    assert.equal((await lifecycle.get('second')).pendingAction, undefined)
    assert.ok(!sim.requests.some((r) => r.endpoint === 'stop_proposal_execution'))
    assert.equal(sim.executing, true)
    assert.equal((await lifecycle.stop('first')).state, 'Stopped')
    assert.equal(sim.requests.filter((r) => r.endpoint === 'stop_proposal_execution').length, 1)
  })

  test('stop while PendingProposal → Stopped without touching an execution', async (t) => {
    const { sim, lifecycle } = await setup(t, { proposalComputeMs: 300 })
    await lifecycle.create(manifest('pending-stop'))
    assert.equal((await lifecycle.reconcile('pending-stop')).state, 'PendingProposal')
    const stopped = await lifecycle.stop('pending-stop')
    assert.equal(stopped.state, 'Stopped')
    assert.equal(stopped.userTaskId, undefined)
    assert.ok(!sim.requests.some((r) => r.endpoint === 'stop_proposal_execution'))
  })

  test('refresh from ProposalReady and from Ready requests a fresh proposal', async (t) => {
    const { sim, lifecycle } = await setup(t)
    await lifecycle.create(manifest('again'))
    const first = await lifecycle.settle('again', { intervalMs: 20, timeoutMs: 10_000 })
    const tasksBefore = sim.tasksCreated
    const refreshed = await lifecycle.refresh('again')
    assert.equal(refreshed.state, 'ProposalReady')
    assert.ok(sim.tasksCreated > tasksBefore)
    assert.notEqual(refreshed.proposal?.userTaskId, first.proposal?.userTaskId)
    await lifecycle.approve('again')
    assert.equal((await lifecycle.settle('again', { intervalMs: 20, timeoutMs: 10_000 })).state, 'Ready')
    const after = await lifecycle.refresh('again')
    assert.equal(after.state, 'ProposalReady')
    assert.equal(after.proposal?.summary.numReplicaMovements, 0, 'the cluster is balanced now')
  })

  test('a real failure (unknown broker) → NotReady with the reason; only refresh is accepted', async (t) => {
    const { lifecycle } = await setup(t)
    await lifecycle.create(manifest('ghost', { mode: 'add-brokers', brokers: [9] }))
    const failed = await lifecycle.settle('ghost', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(failed.state, 'NotReady')
    assert.match(failed.reason ?? '', /Broker 9 does not exist/)
    await assert.rejects(lifecycle.approve('ghost'), InvalidArgumentError)
    assert.equal((await lifecycle.refresh('ghost')).state, 'NotReady')
  })

  test('capacity 500s that outlast the retry deadline leave the state unchanged (New and Rebalancing)', async (t) => {
    const { sim, lifecycle } = await setup(t, { scanIntervalMs: 60_000, executionTickMs: 100, movementsPerTick: 1 }, { deadlineMs: 300, maxDelayMs: 50 })
    await lifecycle.create(manifest('busy'))
    await fillSlots(sim.url, 5)
    const still = await lifecycle.reconcile('busy')
    assert.equal(still.state, 'New')
    assert.equal(still.lastTransientError?.reason, 'user-task-capacity')
    assert.equal(still.transientErrors, 1, 'one reconcile met one transient failure')
    sim.scan()
    assert.equal((await lifecycle.reconcile('busy')).state, 'ProposalReady')
    sim.scan()
    assert.equal((await lifecycle.approve('busy')).state, 'Rebalancing')
    await fillSlots(sim.url, 5 - sim.activeUserTasks)
    const rebalancing = await lifecycle.reconcile('busy')
    assert.equal(rebalancing.state, 'Rebalancing')
    assert.equal(rebalancing.lastTransientError?.reason, 'user-task-capacity')
    assert.ok(!states(rebalancing).includes('NotReady'))
  })

  test('an approve whose request fails transiently stays pending and is carried out on the next reconcile', async (t) => {
    const { sim, lifecycle } = await setup(t, { scanIntervalMs: 60_000 }, { deadlineMs: 300, maxDelayMs: 50 })
    await lifecycle.create(manifest('later'))
    assert.equal((await lifecycle.reconcile('later')).state, 'ProposalReady')
    await fillSlots(sim.url, 5 - sim.activeUserTasks)
    const held = await lifecycle.approve('later')
    assert.equal(held.state, 'ProposalReady')
    assert.equal(held.pendingAction, 'approve')
    sim.scan()
    const running = await lifecycle.reconcile('later')
    assert.equal(running.state, 'Rebalancing')
    assert.equal(running.pendingAction, undefined)
  })

  test('NotEnoughValidWindows → PendingProposal until the windows are there', async (t) => {
    let now = Date.now()
    const { lifecycle } = await setup(t, { warmupMs: 60_000, now: () => now })
    await lifecycle.create(manifest('warm'))
    const pending = await lifecycle.reconcile('warm')
    assert.equal(pending.state, 'PendingProposal')
    assert.equal(pending.userTaskId, undefined)
    assert.equal((await lifecycle.reconcile('warm')).state, 'PendingProposal')
    now += 60_000
    assert.equal((await lifecycle.reconcile('warm')).state, 'ProposalReady')
  })

  test('Cruise Control restarts mid-proposal: the unknown User-Task-ID means request again, not failure', async (t) => {
    const { sim, lifecycle } = await setup(t, { proposalComputeMs: 300 })
    await lifecycle.create(manifest('cc-restart'))
    const pending = await lifecycle.reconcile('cc-restart')
    const oldId = pending.userTaskId
    assert.ok(oldId !== undefined)
    sim.restart()
    const again = await lifecycle.reconcile('cc-restart')
    assert.equal(again.state, 'PendingProposal')
    assert.notEqual(again.userTaskId, oldId)
    assert.ok(sim.requests.some((r) => r.userTaskId === oldId && r.status === 500), 'the old id was polled and refused')
    const ready = await lifecycle.settle('cc-restart', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(ready.state, 'ProposalReady')
    assert.ok(!states(ready).includes('NotReady'))
  })

  test('Cruise Control restarts mid-execution: the task is gone from user_tasks, so the execution is requested again', async (t) => {
    const { sim, lifecycle } = await setup(t, { executionTickMs: 150, movementsPerTick: 1 })
    await lifecycle.create(manifest('exec-restart', { autoApproval: true }))
    const running = await lifecycle.reconcile('exec-restart')
    assert.equal(running.state, 'Rebalancing')
    sim.restart()
    const again = await lifecycle.reconcile('exec-restart')
    assert.equal(again.state, 'Rebalancing')
    assert.notEqual(again.userTaskId, running.userTaskId)
    assert.equal(sim.executing, true)
  })

  test('an execution whose finished task was pushed out of the completed-task cache ends Ready and is not executed again', async (t) => {
    const { sim, client, dir } = await setup(t, { maxCachedCompletedTasks: 2, movementsPerTick: 100 })
    const lifecycle = new RebalanceLifecycle({ client, store: new JsonStateStore<RebalanceRecord>(dir), logger: quiet, completedTaskCache: 2 })
    await lifecycle.create(manifest('evicted', { autoApproval: true }))
    const running = await lifecycle.reconcile('evicted')
    assert.equal(running.state, 'Rebalancing')
    await eventually('the execution ends', () => !sim.executing)
    for (let i = 0; i < 3; i++) await (await fetch(`${sim.url}/kafkacruisecontrol/rebalance?json=true`, { method: 'POST' })).arrayBuffer()
    sim.scan()
    const listed = await (await fetch(`${sim.url}/kafkacruisecontrol/user_tasks?json=true&user_task_ids=${running.userTaskId ?? ''}`)).json() as { userTasks: unknown[] }
    assert.deepEqual(listed.userTasks, [], 'the finished execution task left the cache')

    const done = await lifecycle.reconcile('evicted')
    assert.equal(done.state, 'Ready')
    assert.equal(done.executionUserTaskId, running.userTaskId)
    assert.deepEqual(sim.executions.map((e) => e.userTaskId), [running.userTaskId])
  })

  test('an execution that finishes before any progress sample ends Ready showing everything moved, its totals from the proposal', async (t) => {
    const { sim, lifecycle } = await setup(t, { movementsPerTick: 100 })
    await lifecycle.create(manifest('quick', { autoApproval: true }))
    const running = await lifecycle.reconcile('quick')
    assert.equal(running.state, 'Rebalancing')
    assert.equal(running.progress, undefined, 'no sample taken yet')
    await eventually('the execution ends', () => !sim.executing)
    const done = await lifecycle.reconcile('quick')
    assert.equal(done.state, 'Ready')
    const summary = done.proposal?.summary
    assert.ok(summary !== undefined && summary.numReplicaMovements > 0)
    assert.deepEqual({ ...done.progress, updatedAt: undefined }, {
      executorState: 'NO_TASK_IN_PROGRESS',
      partitionsMoved: summary.numReplicaMovements,
      partitionsTotal: summary.numReplicaMovements,
      dataMovedMB: summary.dataToMoveMB,
      dataTotalMB: summary.dataToMoveMB,
      updatedAt: undefined,
    })
  })

  test('an execution stopped by someone else ends CompletedWithError → NotReady, keeping the counters it reached', async (t) => {
    const { sim, lifecycle } = await setup(t, { executionTickMs: 100, movementsPerTick: 1 })
    await lifecycle.create(manifest('interrupted', { autoApproval: true }))
    assert.equal((await lifecycle.reconcile('interrupted')).state, 'Rebalancing')
    const watched = await lifecycle.reconcile('interrupted')
    assert.ok(watched.progress !== undefined && watched.progress.partitionsTotal > 1)
    await (await fetch(`${sim.url}/kafkacruisecontrol/stop_proposal_execution?json=true`, { method: 'POST' })).arrayBuffer()
    await eventually('the execution stops', () => !sim.executing)

    const failed = await lifecycle.reconcile('interrupted')
    assert.equal(failed.state, 'NotReady')
    assert.match(failed.reason ?? '', /execution task .* was stopped or failed before it finished/)
    assert.ok((failed.progress?.partitionsMoved ?? 0) < (failed.progress?.partitionsTotal ?? 0), 'progress is not forced to 100%')
    assert.equal(failed.progress?.executorState, 'NO_TASK_IN_PROGRESS')
    assert.equal(sim.executions.length, 1)
  })

  test('steadfast restarts mid-proposal: a new process resumes polling the same User-Task-ID and creates no task', async (t) => {
    const sim = await startSim({ proposalComputeMs: 300 })
    const { dir, cleanup } = await tempDir()
    const first = clientFor(sim)
    t.after(async () => { await sim.stop(); await cleanup() })
    await lifecycleFor(first, dir).create(manifest('resume'))
    const pending = await lifecycleFor(first, dir).reconcile('resume')
    await first.close()
    assert.equal(pending.state, 'PendingProposal')
    const id = pending.userTaskId
    const created = sim.tasksCreated

    const second = clientFor(sim)
    t.after(async () => await second.close())
    const resumed = await lifecycleFor(second, dir).settle('resume', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(resumed.state, 'ProposalReady')
    assert.equal(sim.tasksCreated, created, 'no new task was created')
    assert.ok(sim.requests.some((r) => r.endpoint === 'rebalance' && r.userTaskId === id))
    assert.equal(resumed.proposal?.userTaskId, id)
  })

  test('steadfast restarts mid-execution: the new process polls the stored execution task and reaches Ready', async (t) => {
    const sim = await startSim({ executionTickMs: 60, movementsPerTick: 2 })
    const { dir, cleanup } = await tempDir()
    const first = clientFor(sim)
    t.after(async () => { await sim.stop(); await cleanup() })
    await lifecycleFor(first, dir).create(manifest('resume-exec', { autoApproval: true }))
    const running = await lifecycleFor(first, dir).reconcile('resume-exec')
    await first.close()
    assert.equal(running.state, 'Rebalancing')
    const rebalanceTasks = sim.requests.filter((r) => r.endpoint === 'rebalance' && r.userTaskId === undefined).length

    const second = clientFor(sim)
    t.after(async () => await second.close())
    const done = await lifecycleFor(second, dir).settle('resume-exec', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(done.state, 'Ready')
    assert.equal(sim.requests.filter((r) => r.endpoint === 'rebalance' && r.userTaskId === undefined).length, rebalanceTasks, 'no new rebalance was requested')
    assert.equal(done.progress?.partitionsMoved, done.progress?.partitionsTotal)
  })

  test('two processes on one state directory: a stop waits for the running reconcile instead of being overwritten by it', async (t) => {
    const { sim, client, dir } = await setup(t, { proposalComputeMs: 800, maxBlockTimeMs: 200 })
    const other = clientFor(sim)
    t.after(async () => await other.close())
    const watcher = lifecycleFor(client, dir)
    const stopper = lifecycleFor(other, dir)
    await watcher.create(manifest('shared'))
    assert.equal((await watcher.reconcile('shared')).state, 'PendingProposal')
    const polling = watcher.reconcile('shared')
    await eventually('the poll is blocked in Cruise Control', () => sim.inFlight === 1)
    const stopped = await stopper.stop('shared')
    assert.equal((await polling).state, 'PendingProposal', 'the watcher saved its poll before the stop was applied')
    assert.equal(stopped.state, 'Stopped')
    assert.equal((await watcher.get('shared')).state, 'Stopped', 'the stop was not overwritten')
  })

  test('actions are checked against the state: nothing is accepted in New', async (t) => {
    const { lifecycle } = await setup(t)
    await lifecycle.create(manifest('fresh'))
    await assert.rejects(lifecycle.stop('fresh'), /cannot stop in state New \(it accepts no action\)/)
    await assert.rejects(lifecycle.create(manifest('fresh')), /already exists/)
    await assert.rejects(lifecycle.get('missing'), /rebalance missing does not exist/)
  })
})

type GatewayVerdict = 'forward' | 'lose-reply' | 'fail-503'

/**
 * A proxy in front of the simulator that `decide`s per request: pass it through, let it reach
 * Cruise Control but lose the reply, or answer 503 itself. Returns a lifecycle talking through it;
 * everything is closed when the test ends.
 */
async function behindGateway (t: TestContext, sim: Awaited<ReturnType<typeof startSim>>, decide: (method: string, url: string) => GatewayVerdict, clientOptions: { pollIntervalMs?: number } = {}): Promise<RebalanceLifecycle> {
  const proxy = createServer((req, res) => {
    const verdict = decide(req.method ?? 'GET', req.url ?? '/')
    if (verdict === 'fail-503') {
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end('Service Unavailable')
      return
    }
    const upstream = httpRequest(`${sim.url}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      if (verdict === 'lose-reply') { answer.resume(); res.socket?.destroy(); return }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const client = new CruiseControlClient({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, logger: quiet, ...clientOptions, retry: { initialDelayMs: 10, deadlineMs: 5_000 } })
  const { dir, cleanup } = await tempDir()
  t.after(async () => {
    await client.close()
    proxy.closeAllConnections()
    await new Promise((resolve) => proxy.close(resolve))
    await sim.stop()
    await cleanup()
  })
  return lifecycleFor(client, dir)
}

describe('rebalance lifecycle behind a gateway', () => {
  test('the reply to the executing POST is lost: the next reconcile finds the task by its tag and follows it, executing once', async (t) => {
    const sim = await startSim({ executionTickMs: 30, movementsPerTick: 4 })
    let dropped = 0
    const lifecycle = await behindGateway(t, sim, (method, url) => {
      if (dropped > 0 || method !== 'POST' || !url.includes('dryrun=false')) return 'forward'
      dropped++
      return 'lose-reply'
    }, { pollIntervalMs: 20 })
    await lifecycle.create(manifest('lost-reply', { autoApproval: true }))
    const held = await lifecycle.reconcile('lost-reply')
    assert.equal(dropped, 1)
    assert.equal(held.state, 'New', 'a lost reply is transient: the state is unchanged')
    assert.equal(held.pendingAction, 'approve')
    assert.equal(sim.executions.length, 1, 'the request did reach Cruise Control')

    const following = await lifecycle.reconcile('lost-reply')
    assert.equal(following.state, 'Rebalancing')
    assert.equal(following.userTaskId, sim.executions[0].userTaskId)
    const done = await lifecycle.settle('lost-reply', { intervalMs: 20, timeoutMs: 10_000 })
    assert.equal(done.state, 'Ready')
    assert.equal(sim.executions.length, 1)
  })

  test('a 503 from a proxy in front of Cruise Control leaves the state unchanged; the next reconcile goes through', async (t) => {
    const sim = await startSim()
    let failNext = true
    const lifecycle = await behindGateway(t, sim, () => {
      if (!failNext) return 'forward'
      failNext = false
      return 'fail-503'
    })
    await lifecycle.create(manifest('gateway'))
    const held = await lifecycle.reconcile('gateway')
    assert.equal(held.state, 'New')
    assert.equal(held.lastTransientError?.reason, 'http-503')
    assert.equal((await lifecycle.reconcile('gateway')).state, 'ProposalReady')
  })
})
