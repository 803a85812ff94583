import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { CruiseControlSimulator, type CruiseControlSimulatorOptions } from '../../../src/testkit/cruise-control-sim/index.ts'

const CAPACITY = 'There are already 5 active user tasks, which has reached the servlet capacity.'

async function start (t: { after: (fn: () => Promise<void>) => void }, options: CruiseControlSimulatorOptions = {}): Promise<CruiseControlSimulator> {
  const sim = await CruiseControlSimulator.start({ scanIntervalMs: 60_000, maxBlockTimeMs: 100, proposalComputeMs: 20, executionTickMs: 20, ...options })
  t.after(async () => await sim.stop())
  return sim
}

/** Polls `check` every 10 ms until it holds, failing after `tries` attempts instead of hanging. */
async function eventually (what: string, check: () => boolean | Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail(`${what}: not reached after ${tries} polls`)
}

/** A clock the test moves by hand. */
function fakeClock (): { now: () => number, advance: (ms: number) => void } {
  let t = 1_700_000_000_000
  return { now: () => t, advance: (ms) => { t += ms } }
}

interface Answer { status: number, taskId: string | null, json: any, text: string }

async function call (sim: CruiseControlSimulator, method: string, pathAndQuery: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${sim.url}/kafkacruisecontrol/${pathAndQuery}`, { method, headers })
  const text = await res.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  return { status: res.status, taskId: res.headers.get('user-task-id'), json, text }
}

describe('Cruise Control simulator: user tasks and capacity', () => {
  test('every request takes a slot, user_tasks included; the 6th gets the exact capacity 500 until the scanner runs', async (t) => {
    const sim = await start(t)
    for (let i = 0; i < 5; i++) assert.equal((await call(sim, 'GET', 'user_tasks?json=true')).status, 200)
    const refused = await call(sim, 'GET', 'user_tasks?json=true')
    assert.equal(refused.status, 500)
    assert.equal(refused.taskId, null)
    assert.equal(refused.json.version, 1)
    assert.equal(refused.json.errorMessage, `Error processing GET request '/user_tasks' due to: '${CAPACITY}'.`)
    assert.ok(refused.json.stackTrace.startsWith(`java.lang.RuntimeException: ${CAPACITY}\n\tat `))
    const text = await call(sim, 'POST', 'rebalance?dryrun=true')
    assert.equal(text.status, 500)
    assert.equal(text.json, undefined)
    assert.ok(text.text.startsWith(`Error processing POST request '/rebalance' due to: '${CAPACITY}'.`))
    assert.equal(sim.capacityRejections, 2)
    sim.scan()
    assert.equal((await call(sim, 'GET', 'kafka_cluster_state?json=true')).status, 200)
  })

  test('an async request answers 202 with progress and a User-Task-ID; polling with it creates no task and ends in 200', async (t) => {
    const sim = await start(t, { proposalComputeMs: 250, maxBlockTimeMs: 50 })
    const first = await call(sim, 'POST', 'rebalance?dryrun=true&json=true')
    assert.equal(first.status, 202)
    assert.ok(first.taskId !== null)
    assert.equal(first.json.progress[0].operation, 'Rebalance')
    assert.deepEqual(first.json.progress[0].operationProgress[0], { step: 'PENDING', description: 'Operation enqueued, waiting to be executed.', 'time-in-ms': first.json.progress[0].operationProgress[0]['time-in-ms'], completionPercentage: 100 })
    let answer = first
    for (let polls = 0; answer.status === 202 && polls < 100; polls++) {
      answer = await call(sim, 'POST', 'rebalance?json=true&dryrun=true', { 'User-Task-ID': first.taskId ?? '' })
    }
    assert.equal(answer.status, 200)
    assert.equal(answer.taskId, first.taskId)
    assert.ok(answer.json.summary.numReplicaMovements > 0)
    assert.equal(sim.tasksCreated, 1)
  })

  test('an unknown User-Task-ID, or one from another request, is the reference 500', async (t) => {
    const sim = await start(t)
    const unknown = await call(sim, 'GET', 'state?json=true', { 'User-Task-ID': 'f00' })
    assert.equal(unknown.status, 500)
    assert.equal(unknown.json.errorMessage, "Error processing GET request '/state' due to: 'Unexpected header f00 (value: User-Task-ID) in the request.'.")
    const other = await call(sim, 'GET', 'load?json=true')
    const mismatch = await call(sim, 'POST', 'rebalance?json=true', { 'User-Task-ID': other.taskId ?? '' })
    assert.match(mismatch.json.errorMessage, /Unexpected header/)
  })

  test('completed tasks are kept at most maxCachedCompletedTasks, for completedRetentionMs', async (t) => {
    const clock = fakeClock()
    const sim = await start(t, { maxCachedCompletedTasks: 2, completedRetentionMs: 100, now: clock.now })
    for (let i = 0; i < 4; i++) await call(sim, 'GET', 'kafka_cluster_state?json=true')
    sim.scan()
    const listed = await call(sim, 'GET', 'user_tasks?json=true&fetch_completed_task=true')
    assert.equal(listed.json.userTasks.length, 3, 'two cached plus the user_tasks task itself')
    const cached = listed.json.userTasks.filter((u: { Status: string }) => u.Status === 'Completed')
    assert.equal(cached.length, 2)
    assert.equal(typeof cached[0].StartMs, 'string')
    assert.ok(JSON.parse(cached[0].originalResponse).KafkaBrokerState !== undefined)
    clock.advance(101)
    sim.scan()
    const after = await call(sim, 'GET', 'user_tasks?json=true&types=Completed')
    assert.deepEqual(after.json.userTasks, [])
  })

  test('completed tasks are cached per endpoint type: a burst of polls does not push out a finished rebalance', async (t) => {
    const sim = await start(t, { maxCachedCompletedTasks: 2 })
    const rebalance = await call(sim, 'POST', 'rebalance?json=true')
    for (let i = 0; i < 4; i++) {
      await call(sim, 'GET', 'user_tasks?json=true')
      sim.scan()
    }
    const listed = await call(sim, 'GET', 'user_tasks?json=true&types=Completed')
    assert.ok(listed.json.userTasks.some((u: { UserTaskId: string }) => u.UserTaskId === rebalance.taskId))
    assert.equal(listed.json.userTasks.filter((u: { RequestURL: string }) => u.RequestURL.startsWith('GET /kafkacruisecontrol/user_tasks')).length, 2)
  })

  test('restart forgets every task', async (t) => {
    const sim = await start(t)
    const task = await call(sim, 'GET', 'load?json=true')
    sim.restart()
    const poll = await call(sim, 'GET', 'load?json=true', { 'User-Task-ID': task.taskId ?? '' })
    assert.match(poll.json.errorMessage, /Unexpected header/)
    const listed = await call(sim, 'GET', `user_tasks?json=true&user_task_ids=${task.taskId ?? ''}`)
    assert.deepEqual(listed.json.userTasks, [])
  })

  test('NotEnoughValidWindows during the warm-up, then proposals', async (t) => {
    const clock = fakeClock()
    const sim = await start(t, { warmupMs: 150, now: clock.now })
    const early = await call(sim, 'GET', 'proposals?json=true')
    assert.equal(early.status, 500)
    assert.match(early.json.errorMessage, /NotEnoughValidWindowsException/)
    assert.equal((await call(sim, 'GET', 'state?json=true&substates=analyzer')).json.AnalyzerState.isProposalReady, false)
    clock.advance(149)
    assert.equal((await call(sim, 'GET', 'proposals?json=true')).status, 500)
    clock.advance(1)
    assert.equal((await call(sim, 'GET', 'proposals?json=true')).status, 200)
  })

  test('bad requests: unknown endpoint or method → 404, unknown parameter or bad value → 400, unknown broker → 500', async (t) => {
    const sim = await start(t)
    assert.equal((await call(sim, 'GET', 'nope?json=true')).status, 404)
    assert.equal((await call(sim, 'GET', 'rebalance?json=true')).status, 404)
    const param = await call(sim, 'GET', 'load?json=true&colour=red')
    assert.equal(param.status, 400)
    assert.match(param.json.errorMessage, /^Bad GET request '\/load' due to 'Unrecognized endpoint parameters in load GET request: \[colour\]\.'/)
    assert.match((await call(sim, 'POST', 'add_broker?json=true&brokerid=x')).json.errorMessage, /Broker id x is not an integer/)
    assert.match((await call(sim, 'POST', 'rebalance?json=true&dryrun=maybe')).json.errorMessage, /dryrun must be true or false/)
    for (const query of ['entries=abc', 'types=Finished', 'fetch_completed_task=maybe']) {
      const bad = await call(sim, 'GET', `user_tasks?json=true&${query}`)
      assert.equal(bad.status, 400, query)
      assert.match(bad.json.errorMessage, /^Bad GET request '\/user_tasks' due to '(Parameter|Unsupported task state)/)
    }
    const ghost = await call(sim, 'POST', 'remove_broker?json=true&brokerid=7')
    assert.equal(ghost.status, 500)
    assert.match(ghost.json.errorMessage, /java\.lang\.IllegalArgumentException: Broker 7 does not exist\./)
  })

  test('bad user_tasks parameters take no slot: after five 400s the server still has every slot free', async (t) => {
    const sim = await start(t)
    for (let i = 0; i < 5; i++) {
      const bad = await call(sim, 'GET', 'user_tasks?json=true&entries=abc')
      assert.equal(bad.status, 400)
      assert.equal(bad.json.errorMessage, "Bad GET request '/user_tasks' due to 'Parameter entries must be a non-negative integer, got abc.'")
      assert.equal(bad.taskId, null)
    }
    assert.equal(sim.activeUserTasks, 0)
    for (let i = 0; i < 5; i++) assert.equal((await call(sim, 'GET', 'user_tasks?json=true&entries=1')).status, 200)
  })

  test('a sync handler that fails answers its task CompletedWithError, and the next scan frees the slot', async (t) => {
    const sim = await start(t, { maxActiveUserTasks: 1 })
    const healthy = sim.model.brokerLoad.bind(sim.model)
    sim.model.brokerLoad = () => { throw new Error('model unavailable') }
    const failed = await call(sim, 'GET', 'kafka_cluster_state?json=true')
    assert.equal(failed.status, 500)
    assert.equal(failed.json.errorMessage, "Error processing GET request '/kafka_cluster_state' due to: 'model unavailable'.")
    assert.ok(failed.taskId !== null)
    sim.model.brokerLoad = healthy
    sim.scan()
    const listed = await call(sim, 'GET', `user_tasks?json=true&user_task_ids=${failed.taskId ?? ''}`)
    assert.equal(listed.status, 200, 'the slot was freed')
    assert.equal(listed.json.userTasks[0].Status, 'CompletedWithError')
  })

  test('a restart answers the requests that were waiting for their task instead of leaving them pending', async (t) => {
    const sim = await start(t, { proposalComputeMs: 60_000, maxBlockTimeMs: 60_000 })
    const waiting = call(sim, 'POST', 'rebalance?json=true')
    await eventually('the request reaches the simulator', () => sim.inFlight === 1)
    sim.restart()
    await assert.rejects(waiting)
    await eventually('the waiting request is answered', () => sim.requests[0].status !== 0)
    assert.equal(sim.requests[0].status, 202)
    await eventually('nothing is left in flight', () => sim.inFlight === 0)
  })

  test('it records the largest number of requests in flight at once', async (t) => {
    const sim = await start(t, { proposalComputeMs: 150, maxBlockTimeMs: 1000 })
    await Promise.all([1, 2, 3].map(async () => await call(sim, 'POST', 'rebalance?json=true')))
    assert.equal(sim.maxInFlight, 3)
    assert.equal(sim.inFlight, 0)
  })
})

describe('Cruise Control simulator: execution', () => {
  test('an execution advances over time with ExecutorState counters; its task is InExecution, then Completed', async (t) => {
    const sim = await start(t, { executionTickMs: 60, movementsPerTick: 2 })
    const started = await call(sim, 'POST', 'rebalance?json=true&dryrun=false')
    assert.equal(started.status, 200)
    const total = started.json.summary.numReplicaMovements
    const seen: number[] = []
    const statuses = new Set<string>()
    for (let polls = 0; ; polls++) {
      assert.ok(polls < 500, 'the execution never ended')
      const state = (await call(sim, 'GET', 'state?json=true&substates=executor')).json.ExecutorState
      sim.scan()
      if (state.state === 'NO_TASK_IN_PROGRESS') break
      assert.equal(state.triggeredUserTaskId, started.taskId)
      assert.equal(state.numTotalPartitionMovements, total)
      assert.equal(state.numPendingPartitionMovements + state.numInProgressPartitionMovements + state.numFinishedPartitionMovements, total)
      assert.ok(state.finishedDataMovement <= state.totalDataToMove)
      seen.push(state.numFinishedPartitionMovements)
      // The execution may finish between the two requests, so Completed is possible here too.
      statuses.add((await call(sim, 'GET', `user_tasks?json=true&user_task_ids=${started.taskId ?? ''}`)).json.userTasks[0].Status)
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
    assert.ok(seen.length >= 2)
    assert.ok(statuses.has('InExecution'))
    assert.ok([...statuses].every((x) => x === 'InExecution' || x === 'Completed'), [...statuses].join())
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'progress never goes backwards')
    const done = (await call(sim, 'GET', `user_tasks?json=true&user_task_ids=${started.taskId ?? ''}`)).json.userTasks[0]
    assert.equal(done.Status, 'Completed')
    const again = await call(sim, 'POST', 'rebalance?json=true')
    assert.equal(again.json.summary.numReplicaMovements, 0, 'the executed plan is now the cluster')
  })

  test('a held execution makes no progress until released, then finishes', async (t) => {
    const sim = await start(t, { executionTickMs: 20, movementsPerTick: 1 })
    sim.holdExecutions(true)
    assert.equal((await call(sim, 'POST', 'rebalance?json=true&dryrun=false')).status, 200)
    const executor = async (): Promise<{ state: string, numFinishedPartitionMovements?: number }> => (await call(sim, 'GET', 'state?json=true&substates=executor')).json.ExecutorState
    // Many ticks pass while held (20 ms each): none moves a partition.
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual([(await executor()).state, (await executor()).numFinishedPartitionMovements, sim.executing], ['INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS', 0, true])
    sim.holdExecutions(false)
    for (let polls = 0; sim.executing; polls++) {
      assert.ok(polls < 500, 'the released execution never ended')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.equal((await executor()).state, 'NO_TASK_IN_PROGRESS')
    assert.equal((await call(sim, 'POST', 'rebalance?json=true')).json.summary.numReplicaMovements, 0, 'the plan was carried out whole')
  })

  test('a second execution is refused while one runs; stop_proposal_execution stops it', async (t) => {
    // STOPPING_EXECUTION lasts until the next tick: 2 s, so the state request after the stop sees it
    // on a loaded machine too (at 200 ms one CI run read NO_TASK_IN_PROGRESS).
    const sim = await start(t, { executionTickMs: 2_000, movementsPerTick: 1 })
    assert.equal((await call(sim, 'POST', 'rebalance?json=true&dryrun=false')).status, 200)
    const second = await call(sim, 'POST', 'add_broker?json=true&dryrun=false&brokerid=3')
    assert.equal(second.status, 500)
    assert.match(second.json.errorMessage, /ongoing execution/)
    const stopped = await call(sim, 'POST', 'stop_proposal_execution?json=true')
    assert.deepEqual(stopped.json, { message: 'Proposal execution stopped.', version: 1 })
    assert.equal((await call(sim, 'GET', 'state?json=true&substates=executor')).json.ExecutorState.state, 'STOPPING_EXECUTION')
    await eventually('the execution stops', () => !sim.executing)
    const task = (await call(sim, 'GET', `user_tasks?json=true&user_task_ids=${sim.executions[0].userTaskId}`)).json.userTasks[0]
    assert.equal(task.Status, 'CompletedWithError', 'Cruise Control marks a stopped execution CompletedWithError')
    assert.equal(sim.executions.length, 1)
  })
})
