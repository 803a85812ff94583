/**
 * The agent on the sandbox's real engine through a Connect worker-group storm: while real Kafka
 * Connect workers leave and join (each change a rebalance of the worker group), a connector is
 * declared and the connectors loop keeps running. A worker that leaves reports what it ran
 * UNASSIGNED, and the workers wait `scheduled.rebalance.max.delay.ms` (15 s here, 5 minutes by
 * Connect's default) before handing it to another: within the agent's rebalance grace a connector
 * that was Ready is shown Ready (Reassigning), never NotReady; no pass fails; the new connector is
 * created once. With a grace shorter than the delay, the same move shows NotReady (Pending) once
 * the grace is over, and Ready again when another worker runs it.
 * Waits are loop runs triggered and awaited (a tenth of a second apart), or the rig's own "group stable".
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import { Sandbox } from '../../src/agent/sandbox/sandbox.ts'
import type { AgentEvent } from '../../src/agent/state/events.ts'
import { createLogger } from '../../src/observability/logger.ts'

const logger = createLogger({ level: 'silent' })
let sandbox: Sandbox
let dir: string
const events: AgentEvent[] = []

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-sandbox-storm-'))
  sandbox = await Sandbox.start({ engine: 'real', dir, port: 0, workload: false, logger, connectWorkerConfig: { 'scheduled.rebalance.max.delay.ms': 15_000 } })
  sandbox.agent.events.onEvent((e) => events.push(e))
})

after(async () => {
  await sandbox?.stop()
  await rm(dir, { recursive: true, force: true })
})

const ALL = ['files-source', 'files-sink', 'storm-sink']
const connectors = () => sandbox.agent.runtime.connectors?.snapshot.connectors ?? []
const condition = (name: string) => connectors().find((c) => c.name === name)?.condition
/** Ready with nothing moving (not Ready, reassigning). */
const settled = (names: string[]) => names.every((n) => condition(n)?.type === 'Ready' && condition(n)?.reason === undefined)
/** What failed passes said (a later success clears the loop's lastError, so it is kept here). */
const passErrors: string[] = []
const pass = async (): Promise<void> => {
  const loop = sandbox.agent.runtime.loop('connectors')
  await loop?.trigger()
  const error = loop?.status.lastError
  if (error !== undefined && passErrors.at(-1) !== error) passErrors.push(error)
}
const said = (from: number, name: string) => events.slice(from).filter((e) => e.kind === 'connector' && e.subject === name).map((e) => e.message)

/** The URLs of the workers running a connector's instance or one of its tasks, as Connect reports them. */
async function workersOf (url: string, name: string): Promise<string[]> {
  const status = await (await fetch(`${url}/connectors/${name}/status`)).json() as { connector: { worker_id: string }, tasks: Array<{ worker_id: string }> }
  return [status.connector.worker_id, ...status.tasks.map((t) => t.worker_id)].map((id) => `http://${id}`)
}

async function runUntil (done: () => boolean, runs = 900, step = pass): Promise<void> {
  for (let i = 0; i < runs; i++) {
    await step()
    if (done()) return
    await pause(100)
  }
  assert.fail(`the connectors did not get there after ${runs} runs: ${JSON.stringify(connectors().map((c) => [c.name, c.condition]))}`)
}

test('workers leaving and joining while a connector is declared: created once, RUNNING, shown Ready (reassigning) and never NotReady once Ready', { timeout: 400_000 }, async (t) => {
  const connect = sandbox.engine.realConnect
  assert.ok(connect !== undefined, 'the real engine runs real workers')
  await runUntil(() => settled(['files-source', 'files-sink']))
  const from = events.length

  // The first to leave runs part of a Ready connector and is not the leader: a leader that leaves
  // has its work handed out at once by the next one, and a worker running nothing moves nothing,
  // so either would leave no UNASSIGNED window for the grace to cover. It is picked before the new
  // connector is declared: that one's creation rebalances the workers, and could move the work off
  // the picked worker before it leaves.
  const leader = connect.leaderUrl()
  const running = await Promise.all(['files-source', 'files-sink'].map(async (name) => await workersOf(connect.urls[0] as string, name)))
  const leaving = connect.workers.find((w) => w.running && w.url !== leader && running.flat().includes(w.url))
  assert.ok(leader !== undefined && leaving !== undefined, `a worker other than the leader (${leader ?? 'none'}) runs part of a Ready connector: ${JSON.stringify(running)}`)
  // Passes run all through the storm: that worker leaves, a new one joins, the new one leaves
  // again — three worker-group rebalances.
  const calm = new AbortController()
  // What Connect itself reported meanwhile (asked directly, not through the agent): each task's
  // state and worker per look, for the assertions below and for a failure to name.
  const started = Date.now()
  const connectSaw: Array<{ look: number, at: number, task: string, state: string, worker: string }> = []
  let looks = 0
  const look = async (): Promise<void> => {
    const n = looks++
    for (const name of ['files-source', 'files-sink']) {
      const status = await (await fetch(`${connect.urls[0] as string}/connectors/${name}/status`)).json().catch(() => undefined) as { tasks?: Array<{ id: number, state: string, worker_id: string }> } | undefined
      for (const task of status?.tasks ?? []) connectSaw.push({ look: n, at: Date.now() - started, task: `${name}/${task.id}`, state: task.state, worker: `http://${task.worker_id}` })
    }
  }
  const passAndLook = async (): Promise<void> => { await pass(); await look().catch(() => {}) }
  await look()
  const passes = (async () => { while (!calm.signal.aborted) { await passAndLook(); await pause(100) } })()
  try {
    const stopping = connect.stopWorker(leaving.index)
    // Declared while that worker leaves.
    await writeFile(join(dir, 'manifests', 'storm.yaml'), [
      'apiVersion: kafka.strimzi.io/v1beta2', 'kind: KafkaConnector', 'metadata: { name: storm-sink }',
      'spec:', '  class: org.apache.kafka.connect.file.FileStreamSinkConnector', '  tasksMax: 1',
      `  config: { file: ${join(dir, 'storm.txt')}, topics: files }`, '',
    ].join('\n'))
    await stopping
    await connect.addWorker()
    const newest = connect.workers.filter((w) => w.running).at(-1)?.index as number
    await connect.stopWorker(newest)
  } finally {
    calm.abort()
    await passes
  }
  // Until every task runs on a running worker: a move Connect makes after the storm (the delay
  // outlasting the storm on a slow machine) is watched too.
  await runUntil(() => settled(ALL) && connectors().every((c) => c.tasks.every((t) => connect.urls.includes(`http://${t.workerId}`))), 900, passAndLook)

  const during = events.slice(from).filter((e) => e.kind === 'connector')
  assert.deepEqual(during.filter((e) => e.level !== 'info'), [], 'no warning, no error')
  for (const name of ['files-source', 'files-sink']) {
    assert.deepEqual(said(from, name).filter((m) => m.startsWith('NotReady')), [], `${name} was Ready before the storm and never shown NotReady`)
  }
  const sink = said(from, 'storm-sink')
  assert.deepEqual(sink.slice(sink.indexOf('Ready')).filter((m) => m.startsWith('NotReady')), [], 'storm-sink, once Ready, never shown NotReady')
  const timeline = JSON.stringify(connectSaw.filter((s, i) => connectSaw.findIndex((o) => o.task === s.task && o.state === s.state && o.worker === s.worker) === i))
  const seen = `the agent said ${JSON.stringify(during.map((e) => [e.subject, e.message]))}; ${leaving.url} left; Connect reported (first look of each state, ms from the storm's start) ${timeline}`
  // The storm moved work off the worker that left, and the passes saw it moved.
  const wasOnLeaving = new Set(connectSaw.filter((s) => s.worker === leaving.url).map((s) => s.task))
  assert.ok(wasOnLeaving.size > 0 && [...wasOnLeaving].every((task) => connectSaw.some((s) => s.task === task && s.state === 'RUNNING' && s.worker !== leaving.url)), `the work of the worker that left was seen running elsewhere: ${seen}`)
  // Where Connect reported a task UNASSIGNED in two looks, a pass ran between them and saw it
  // too: the agent showed it Ready (reassigning). (Connect sometimes moves the work with no such
  // window, straight from RUNNING on the worker that left to RUNNING elsewhere — once in CI; the
  // next test holds the window open, and asserts the display unconditionally.)
  const unassignedLooks = new Set(connectSaw.filter((s) => s.state === 'UNASSIGNED').map((s) => s.look))
  if (unassignedLooks.size >= 2) {
    assert.ok(during.some((e) => /^Ready, reassigning: .*UNASSIGNED/.test(e.message)), `Connect reported a task UNASSIGNED in ${unassignedLooks.size} looks, and the agent showed it Ready (reassigning): ${seen}`)
  } else {
    t.diagnostic(`Connect moved the work with no UNASSIGNED window the passes could see: ${seen}`)
  }
  assert.equal(sandbox.agent.runtime.loop('connectors')?.status.failures, 0, `no pass failed: ${JSON.stringify(passErrors)}`)
  const url = connect.urls[0] as string
  const names = await (await fetch(`${url}/connectors`)).json() as string[]
  assert.deepEqual(names.sort(), [...ALL].sort(), 'created once, nothing else')
  const status = await (await fetch(`${url}/connectors/storm-sink/status`)).json() as { connector: { state: string }, tasks: Array<{ state: string }> }
  assert.equal(status.connector.state, 'RUNNING')
  assert.deepEqual(status.tasks.map((t) => t.state), ['RUNNING'])
})

test('a connector UNASSIGNED for longer than the grace (3 s, against a 15 s delay) is shown NotReady (Pending), then Ready once moved', { timeout: 300_000 }, async () => {
  const connect = sandbox.engine.realConnect
  assert.ok(connect !== undefined)
  const text = await readFile(sandbox.configFile, 'utf8')
  await writeFile(sandbox.configFile, text.replace(/^connect:\n/m, 'connect:\n  rebalanceGrace: 3s\n'))
  await sandbox.agent.reload()
  assert.equal(sandbox.agent.runtime.config.connect?.rebalanceGrace, 3_000)
  await runUntil(() => settled(ALL))

  const from = events.length
  // A worker that is not the leader leaves, so the leader holds its work back for the delay.
  const leader = connect.leaderUrl()
  const leaving = connect.workers.find((w) => w.running && w.url !== leader)
  assert.ok(leader !== undefined && leaving !== undefined, `a leader (${leader ?? 'none'}) and another worker run`)
  const moved = connectors().find((c) => c.tasks.some((t) => `http://${t.workerId}` === leaving.url))?.name
  assert.ok(moved !== undefined, `a connector has a task on ${leaving.url}: ${JSON.stringify(connectors().map((c) => [c.name, c.tasks]))}`)
  // Passes run while the worker stops: stopWorker returns once the group is stable again, and on
  // a slow machine that can be after the 15 s delay, when the connector has already moved.
  const calm = new AbortController()
  const passes = (async () => { while (!calm.signal.aborted) { await pass(); await pause(100) } })()
  try {
    await connect.stopWorker(leaving.index)
  } finally {
    calm.abort()
    await passes
  }
  await runUntil(() => said(from, moved).some((m) => m.startsWith('NotReady')))
  await runUntil(() => settled(ALL))

  const seen = said(from, moved)
  assert.equal(seen.length, 3, JSON.stringify(seen))
  assert.match(seen[0] ?? '', /^Ready, reassigning: .*UNASSIGNED.*NotReady if it lasts past the 3 s rebalance grace$/)
  assert.match(seen[1] ?? '', /^NotReady \(Pending\): .*UNASSIGNED.* since .+, longer than the 3 s rebalance grace$/)
  assert.equal(seen[2], 'Ready')
  assert.equal(sandbox.agent.runtime.loop('connectors')?.status.failures, 0, 'no pass failed')
})
