/**
 * The Connect simulator on the wire, checked against the reference: exact 409 and 500 bodies
 * during a rebalance, forwarding to the leader, leader loss, the state machine, restart and
 * offsets semantics, validation errors, and its own instruments.
 */
import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { InvalidArgumentError } from '../../../src/resilience/errors.ts'
import { CONNECT_MESSAGES, ConnectSimulator } from '../../../src/testkit/connect-sim/index.ts'

const SOURCE = { 'connector.class': 'FileStreamSource', topic: 't', 'tasks.max': '2' }

interface Answer { status: number, body: unknown }

async function call (base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
}

const err = (status: number, message: string): Answer => ({ status, body: { error_code: status, message } })

async function until (check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  assert.ok(check(), 'condition not reached')
}

describe('ConnectSimulator', () => {
  let sim: ConnectSimulator
  let leader: string
  let follower: string
  before(async () => {
    sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 300, restartMs: 20 })
    leader = sim.leaderUrl ?? ''
    follower = sim.urls.find((u) => u !== leader) ?? ''
  })
  after(async () => { await sim.stop() })

  test('a new connector is UNASSIGNED during the rebalance its creation starts, then RUNNING on some worker', async () => {
    const created = await call(follower, 'POST', '/connectors', { name: 'c1', config: SOURCE })
    assert.equal(created.status, 201)
    assert.deepEqual(created.body, { name: 'c1', config: { ...SOURCE, name: 'c1' }, tasks: [], type: 'source' })
    assert.equal(sim.group.rebalancing, true)
    const pending = await call(follower, 'GET', '/connectors/c1/status')
    assert.equal((pending.body as { connector: { state: string } }).connector.state, 'UNASSIGNED')
    await until(() => !sim.group.rebalancing)
    const status = (await call(follower, 'GET', '/connectors/c1/status')).body as { connector: { state: string, worker_id: string }, tasks: Array<{ state: string }> }
    assert.equal(status.connector.state, 'RUNNING')
    assert.ok(sim.workers.some((w) => w.id === status.connector.worker_id))
    assert.deepEqual(status.tasks.map((t) => t.state), ['RUNNING', 'RUNNING'])
  })

  test('writes that meet the rebalance a connector change started wait for it, as in the herder queue, and share the next one; restarts and offset changes get the stale 409', async () => {
    await until(() => !sim.group.rebalancing)
    const before = sim.group.rebalances
    const count = sim.countRequests()
    const first = await call(follower, 'POST', '/connectors', { name: 'q0', config: SOURCE })
    assert.equal(first.status, 201)
    assert.equal(sim.group.rebalanceCause, 'config')
    // Sent while q0's rebalance runs (300 ms): held, then all answered 201, none refused.
    const answers = await Promise.all(Array.from({ length: 12 }, async (_, i) => await call(i % 2 === 0 ? follower : leader, 'POST', '/connectors', { name: `q${i + 1}`, config: SOURCE })))
    assert.deepEqual(answers.map((a) => a.status), Array(12).fill(201))
    assert.equal(sim.countRequests({ status: 409 }), 0, JSON.stringify(sim.requests.slice(count)))
    // Changes held together share a rebalance: far fewer than one per connector. (How many depends
    // on when each follower's forward reaches the leader: q0's, the leader's own held creates',
    // then the forwarded ones held behind those.)
    await until(() => !sim.group.rebalancing)
    const rebalances = sim.group.rebalances - before
    assert.ok(rebalances >= 2 && rebalances <= 5, `13 creates made ${rebalances} rebalances`)
    // A restart right after a connector change is checked against the pending rebalance.
    assert.equal((await call(follower, 'POST', '/connectors', { name: 'q13', config: SOURCE })).status, 201)
    assert.deepEqual(await call(follower, 'POST', '/connectors/q0/restart'), err(409, CONNECT_MESSAGES.stale))
    assert.deepEqual(await call(leader, 'POST', '/connectors/q0/tasks/0/restart'), err(409, CONNECT_MESSAGES.stale))
    // Deleting is a connector change too; a write after it waits for its rebalance.
    assert.equal((await call(follower, 'DELETE', '/connectors/q13')).status, 204)
    assert.equal(sim.group.rebalanceCause, 'config')
    assert.equal((await call(follower, 'PUT', '/connectors/q1/config', SOURCE)).status, 200)
    assert.equal(sim.group.rebalancing, false, 'answered once the rebalance was over')
    for (let i = 0; i < 13; i++) assert.equal((await call(leader, 'DELETE', `/connectors/q${i}`)).status, 204)
    await until(() => !sim.group.rebalancing)
  })

  test('a fault during a connector change\'s rebalance makes it a fault rebalance: writes are refused again', async () => {
    assert.equal((await call(follower, 'POST', '/connectors', { name: 'f0', config: SOURCE })).status, 201)
    sim.rebalance(400)
    assert.equal(sim.group.rebalanceCause, 'fault')
    assert.deepEqual(await call(follower, 'POST', '/connectors', { name: 'f1', config: SOURCE }), err(409, CONNECT_MESSAGES.stale))
    await until(() => !sim.group.rebalancing)
    assert.equal(sim.group.rebalanceCause, undefined)
    assert.equal((await call(leader, 'DELETE', '/connectors/f0')).status, 204)
    await until(() => !sim.group.rebalancing)
  })

  test('during a rebalance every conflicting write answers the exact 409, reads of info and tasks the 500, the rest works', async () => {
    sim.rebalance(5_000)
    try {
      const stale = err(409, CONNECT_MESSAGES.stale)
      for (const [method, path, body] of [
        ['POST', '/connectors', { name: 'x', config: SOURCE }],
        ['PUT', '/connectors/c1/config', SOURCE],
        ['PATCH', '/connectors/c1/config', { topic: 'u' }],
        ['DELETE', '/connectors/c1', undefined],
        ['POST', '/connectors/c1/restart', undefined],
        ['POST', '/connectors/c1/tasks/0/restart', undefined],
        ['PUT', '/connectors/c1/stop', undefined],
        ['PATCH', '/connectors/c1/offsets', { offsets: [{ partition: {}, offset: {} }] }],
        ['DELETE', '/connectors/c1/offsets', undefined],
      ] as const) {
        for (const base of [leader, follower]) assert.deepEqual(await call(base, method, path, body), stale, `${method} ${path} on ${base}`)
      }
      const expected = err(500, 'Request cannot be completed because a rebalance is expected')
      for (const path of ['/connectors/c1', '/connectors/c1/tasks', '/connectors/c1/tasks-config']) {
        assert.deepEqual(await call(follower, 'GET', path), expected, path)
      }
      assert.equal((await call(follower, 'GET', '/connectors')).status, 200)
      assert.equal((await call(follower, 'GET', '/connectors/c1/status')).status, 200)
      assert.equal((await call(follower, 'GET', '/connectors/c1/config')).status, 200)
      assert.equal((await call(follower, 'PUT', '/connectors/c1/pause')).status, 202)
      assert.equal((await call(follower, 'PUT', '/connectors/c1/resume')).status, 202)
      assert.deepEqual(await call(follower, 'PUT', '/connectors/nope/pause'), err(404, 'Unknown connector nope'))
    } finally {
      sim.group.finishRebalance()
    }
  })

  test('followers forward writes to the leader and return its answer unchanged; a second hop is a conflict', async () => {
    const before = sim.requests.length
    const dup = await call(follower, 'POST', '/connectors', { name: 'c1', config: SOURCE })
    assert.deepEqual(dup, err(409, 'Connector c1 already exists'))
    const hops = sim.requests.slice(before)
    assert.deepEqual(hops.map((r) => [r.worker === sim.workers.find((w) => w.url === leader)?.id, r.forwarded, r.status, r.path]), [
      [true, true, 409, '/connectors?forward=false'],
      [false, false, 409, '/connectors'],
    ])
    assert.deepEqual(await call(follower, 'PUT', '/connectors/c1/stop?forward=false'), err(409, CONNECT_MESSAGES.conflicting))
  })

  test('state machine: pause, stop (no tasks), resume, FAILED with trace; restart answers 204 or 202 with RESTARTING', async () => {
    await call(leader, 'PUT', '/connectors/c1/pause')
    let status = (await call(leader, 'GET', '/connectors/c1/status')).body as { connector: { state: string, trace?: string }, tasks: Array<{ id: number, state: string, trace?: string }> }
    assert.deepEqual([status.connector.state, ...status.tasks.map((t) => t.state)], ['PAUSED', 'PAUSED', 'PAUSED'])
    assert.equal((await call(leader, 'PUT', '/connectors/c1/stop')).status, 204)
    status = (await call(leader, 'GET', '/connectors/c1/status')).body as typeof status
    assert.deepEqual([status.connector.state, status.tasks.length], ['STOPPED', 0])
    await call(leader, 'PUT', '/connectors/c1/resume')
    sim.failTask('c1', 1, 'poll failed')
    status = (await call(leader, 'GET', '/connectors/c1/status')).body as typeof status
    assert.equal(status.tasks[1]?.state, 'FAILED')
    assert.match(status.tasks[1]?.trace ?? '', /^org\.apache\.kafka\.connect\.errors\.ConnectException: poll failed\n\tat /)
    assert.deepEqual((await call(leader, 'GET', '/connectors/c1/tasks/1/status')).body, status.tasks[1])

    assert.deepEqual(await call(leader, 'POST', '/connectors/c1/restart'), { status: 204, body: undefined })
    const accepted = await call(leader, 'POST', '/connectors/c1/restart?includeTasks=true&onlyFailed=true')
    assert.equal(accepted.status, 202)
    const shown = accepted.body as typeof status
    assert.deepEqual([shown.connector.state, ...shown.tasks.map((t) => t.state)], ['RUNNING', 'RUNNING', 'RESTARTING'])
    await until(() => sim.connector('c1')?.tasks[1]?.state === 'RUNNING')
    sim.failConnector('c1')
    const all = await call(leader, 'POST', '/connectors/c1/restart?includeTasks=true')
    assert.deepEqual((all.body as typeof status).tasks.map((t) => t.state), ['RESTARTING', 'RESTARTING'])
    await until(() => sim.connector('c1')?.state === 'RUNNING' && sim.connector('c1')?.tasks.every((t) => t.state === 'RUNNING') === true)
    assert.deepEqual(await call(leader, 'POST', '/connectors/c1/tasks/7/restart'), err(404, 'Task c1-7 not found'))
  })

  test('an eager rebalance restarts failed tasks', async () => {
    sim.failTask('c1', 0)
    sim.rebalance(0)
    await until(() => !sim.group.rebalancing)
    assert.equal(sim.connector('c1')?.tasks[0]?.state, 'RUNNING')
  })

  test('offsets change only when STOPPED, else the exact 400', async () => {
    const change = { offsets: [{ partition: { filename: 'a' }, offset: { position: 9 } }] }
    assert.deepEqual(await call(leader, 'PATCH', '/connectors/c1/offsets', change), err(400, CONNECT_MESSAGES.notStopped('c1')))
    assert.deepEqual(await call(leader, 'DELETE', '/connectors/c1/offsets'), err(400, "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/c1/stop' endpoint"))
    await call(leader, 'PUT', '/connectors/c1/stop')
    assert.deepEqual(await call(leader, 'PATCH', '/connectors/c1/offsets', change), { status: 200, body: { message: 'The offsets for this connector have been altered successfully' } })
    assert.deepEqual((await call(leader, 'GET', '/connectors/c1/offsets')).body, change)
    await call(leader, 'PATCH', '/connectors/c1/offsets', { offsets: [{ partition: { filename: 'a' }, offset: null }] })
    assert.deepEqual((await call(leader, 'GET', '/connectors/c1/offsets')).body, { offsets: [] })
    assert.deepEqual(await call(leader, 'DELETE', '/connectors/c1/offsets'), { status: 200, body: { message: 'The offsets for this connector have been reset successfully' } })
    await call(leader, 'PUT', '/connectors/c1/resume')
  })

  test('validation errors, bad requests, unknown paths and plugins', async () => {
    const invalid = await call(leader, 'POST', '/connectors', { name: 'v', config: { 'connector.class': 'FileStreamSource', 'tasks.max': 'many' } })
    assert.equal(invalid.status, 400)
    assert.match((invalid.body as { message: string }).message, /^Connector configuration is invalid and contains the following 2 error\(s\):\nInvalid value many for configuration tasks\.max: Not a number of type INT\nMissing required configuration "topic" which has no default value\.\n/)
    assert.equal((await call(leader, 'POST', '/connectors', { name: 'v', config: { 'connector.class': 'NoSuchConnector' } })).status, 400)
    assert.deepEqual(await call(leader, 'POST', '/connectors', { name: 'v', config: { ...SOURCE, name: 'w' } }), err(400, "Connector name configuration (w) doesn't match connector name in the URL (v)"))
    assert.equal((await call(leader, 'POST', '/connectors', { name: 'v', config: SOURCE, initial_state: 'SLEEPING' })).status, 400)
    assert.equal((await call(leader, 'POST', '/connectors', '{not json')).status, 400)
    assert.deepEqual(await call(leader, 'GET', '/connectors/ghost/status'), err(404, 'Connector ghost not found'))
    assert.deepEqual(await call(leader, 'GET', '/nothing'), err(404, 'HTTP 404 Not Found'))
    assert.deepEqual(await call(follower, 'GET', '/connectors/%E0%A4%A/status'), err(404, 'HTTP 404 Not Found'))
    assert.deepEqual(await call(follower, 'DELETE', '/connectors/bad%'), err(404, 'HTTP 404 Not Found'))
    const plugins = (await call(leader, 'GET', '/connector-plugins')).body as Array<{ class: string, type: string }>
    assert.deepEqual(plugins.map((p) => p.type).sort(), ['sink', 'source', 'source'])
    const validation = (await call(leader, 'PUT', '/connector-plugins/FileStreamSink/config/validate', { topics: '' })).body as { error_count: number }
    assert.equal(validation.error_count, 1)
    assert.deepEqual((await call(leader, 'GET', '/')).body, { version: '3.9.0', commit: 'steadfast-sim', kafka_cluster_id: 'sim-cluster-0' })
  })

  test('tasks.max: beyond a Java int is the 400 Connect answers; a huge valid one runs a bounded number of tasks', async () => {
    const tooBig = await call(leader, 'POST', '/connectors', { name: 'huge', config: { ...SOURCE, 'tasks.max': '2147483648' } })
    assert.equal(tooBig.status, 400)
    assert.match((tooBig.body as { message: string }).message, /\nInvalid value 2147483648 for configuration tasks\.max: Not a number of type INT\n/)
    assert.equal((await call(leader, 'POST', '/connectors', { name: 'huge', config: { ...SOURCE, 'tasks.max': '2147483647' } })).status, 201)
    sim.group.finishRebalance()
    assert.equal(sim.connector('huge')?.tasks.length, 100)
    assert.equal((await call(leader, 'DELETE', '/connectors/huge')).status, 204)
    sim.group.finishRebalance()
  })

  test('initial_state PAUSED and STOPPED are honoured', async () => {
    await call(leader, 'POST', '/connectors', { name: 'p', config: SOURCE, initial_state: 'PAUSED' })
    sim.group.finishRebalance()
    await call(leader, 'POST', '/connectors', { name: 's', config: SOURCE, initial_state: 'STOPPED' })
    sim.group.finishRebalance()
    assert.equal(sim.connector('p')?.state, 'PAUSED')
    assert.deepEqual(sim.connector('p')?.tasks.map((t) => t.state), ['PAUSED', 'PAUSED'])
    assert.deepEqual([sim.connector('s')?.state, sim.connector('s')?.tasks.length], ['STOPPED', 0])
  })

  test('the write instrument sees concurrent writes to one connector, at a follower and at the leader', async () => {
    sim.slow(150)
    try {
      // The leader answers synchronously: only the slow-response window lets writes sent to it overlap.
      await Promise.all([1, 2, 3].map((n) => call(follower, 'PUT', '/connectors/p/config', { ...SOURCE, topic: `t${n}` })))
      await Promise.all([1, 2, 3].map((n) => call(leader, 'PUT', '/connectors/s/config', { ...SOURCE, topic: `t${n}` })))
    } finally {
      sim.slow(0)
    }
    assert.equal(sim.maxConcurrentWrites('p'), 3)
    assert.equal(sim.maxConcurrentWrites('s'), 3)
    assert.equal(sim.maxConcurrentWrites('never-written'), 0)
  })

  test('leader loss: its listener closes, followers know no leader until the rebalance elects one; join and leave rebalance', async () => {
    const rebalances = sim.group.rebalances
    const old = await sim.killLeader()
    sim.rebalance(200)
    await assert.rejects(fetch(`${old}/connectors`), (e: unknown) => e instanceof TypeError)
    const survivor = sim.urls[0] ?? ''
    assert.deepEqual(await call(survivor, 'DELETE', '/connectors/p'), err(409, CONNECT_MESSAGES.noLeader))
    await until(() => sim.group.leader !== undefined)
    assert.ok(sim.leaderUrl !== undefined && sim.leaderUrl !== old)
    assert.equal((await call(survivor, 'DELETE', '/connectors/p')).status, 204)
    await sim.restartWorker(old)
    assert.equal(sim.group.rebalancing, true)
    await until(() => !sim.group.rebalancing)
    const added = await sim.addWorker()
    assert.equal(sim.urls.length, 4)
    await sim.removeWorker(added)
    await until(() => !sim.group.rebalancing)
    assert.ok(sim.group.rebalances >= rebalances + 3)
  })

  test('a lost response: the request is applied, the connection is reset, the log marks it', async () => {
    await until(() => !sim.group.rebalancing)
    sim.loseResponses(1, { method: 'post', path: '/connectors' })
    await assert.rejects(call(follower, 'POST', '/connectors', { name: 'unanswered', config: SOURCE }), (e: unknown) => e instanceof TypeError)
    assert.equal(sim.connector('unanswered')?.config.topic, 't')
    assert.deepEqual(sim.requests.filter((r) => r.lost === true).map((r) => [r.method, r.path, r.status, r.forwarded]), [['POST', '/connectors', 201, false]])
    assert.equal((await call(follower, 'POST', '/connectors', { name: 'unanswered', config: SOURCE })).status, 409, 'only the next matching answer is lost')
  })

  test('health can be set per worker', async () => {
    sim.setHealth('unhealthy', follower)
    assert.equal((await call(follower, 'GET', '/health')).status, 500)
    assert.deepEqual(await call(leader, 'GET', '/health'), { status: 200, body: { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' } })
    sim.clearFaults()
    assert.equal((await call(follower, 'GET', '/health')).status, 200)
  })
})

describe('ConnectSimulator start-up', () => {
  test('workers take consecutive ports from --port', async () => {
    const base = await freeRange(3)
    const sim = await ConnectSimulator.start({ workers: 3, port: base })
    try {
      assert.deepEqual(sim.urls, [0, 1, 2].map((i) => `http://127.0.0.1:${base + i}`))
    } finally {
      await sim.stop()
    }
  })

  test('the request log is bounded', async () => {
    const sim = await ConnectSimulator.start({ workers: 1, maxRecordedRequests: 10 })
    try {
      for (let i = 0; i < 30; i++) await call(sim.urls[0] ?? '', 'GET', '/connectors')
      assert.ok(sim.requests.length >= 10 && sim.requests.length <= 11)
      assert.equal(sim.requests.at(-1)?.path, '/connectors')
    } finally {
      await sim.stop()
    }
  })

  test('bad options are named', async () => {
    await assert.rejects(ConnectSimulator.start({ workers: 0 }), (e: unknown) => e instanceof InvalidArgumentError && /workers must be an integer >= 1, got 0/.test(e.message))
    await assert.rejects(ConnectSimulator.start({ rebalanceMs: -1 }), /rebalanceMs must be a number >= 0, got -1/)
    await assert.rejects(ConnectSimulator.start({ maxTasksPerConnector: 1e9 }), /maxTasksPerConnector must be an integer from 1 to 10000, got 1000000000/)
  })
})

/** A port whose next `count - 1` ports are free too (checked by binding them). */
async function freeRange (count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000)
    const servers = []
    let ok = true
    for (let i = 0; i < count && ok; i++) {
      const server = createServer()
      ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false))
        server.listen(base + i, '127.0.0.1', () => resolve((server.address() as AddressInfo).port === base + i))
      })
      if (ok) servers.push(server)
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    if (ok) return base
  }
  throw new Error('no free port range')
}
