/**
 * HA on real Apache Kafka: two agent processes with the same `ha` group and separate state
 * directories. The first holds the lease and acts; the second is a standby (it refuses actions and
 * is not ready). The active one is killed with SIGKILL while a rebalance executes: the standby
 * takes the lease over once the group's session timeout has passed, rebuilds the state from the
 * compacted state topic (its own database never saw the rebalance), and follows the same Cruise
 * Control task (same User-Task-ID) to Ready — one execution, not two. A connector that a
 * worker-group rebalance is moving when the active agent dies keeps the rebalance grace the dead
 * agent started: the new active one shows it Ready (Reassigning) since the same moment.
 *
 * First, a standby joining the lease group leaves the lease where it is. It did not: the range
 * assignor gave the lease partition to the lower member id (random), and the eager protocol
 * revoked it at every join, so the active agent stepped down for every standby that joined, and
 * about half the time the standby kept the lease. That is what made this file fail beside the
 * storm test (4 of 6 pair runs): there the standby's join came late enough to land mid-scenario,
 * and the "active" agent the test read had become a standby (empty /api/connectors).
 *
 * steadfast-test: alone (scripts/run-lanes.mjs), as a precaution only: with the lease fixed this
 * file passed 3 of 3 runs beside the storm test, but the first full run without the marker
 * failed the storm test's "UNASSIGNED for longer than the grace" case (no NotReady seen) while
 * the two shared the lane — not shown to be related (stop-23 note).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { CruiseControlSimulator } from '../../src/testkit/cruise-control-sim/simulator.ts'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'
import { Admin } from '../../src/admin/admin.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { BIN, startAgent, TOKEN, waitForRebalance } from './agent-process.ts'

let cluster: RealCluster
before(async () => { cluster = await RealCluster.start({ brokers: 3 }) })
after(async () => { await cluster?.stop() })

async function role (url: string): Promise<{ role: string, ha?: { group: string, since?: string } }> {
  return await (await fetch(`${url}/api/status`)).json() as { role: string, ha?: { group: string, since?: string } }
}

interface Shown { type: string, reason?: string, message?: string }

/** The condition the agent shows for connector `name`, once it shows one. */
async function connector (url: string, name: string): Promise<Shown | undefined> {
  const body = await (await fetch(`${url}/api/connectors`)).json() as { connectors?: Array<{ name: string, condition: Shown }> }
  return body.connectors?.find((c) => c.name === name)?.condition
}

async function until (what: string, check: () => Promise<boolean>, state: () => Promise<unknown> = async () => undefined): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.fail(`${what} did not happen; last seen: ${JSON.stringify(await state())}`)
}

test('an agent with HA whose state directory cannot hold its database exits at once, non-zero, naming the directory', { timeout: 60_000 }, async (t) => {
  // The lease group is joined before the database opens; the failure used to leave its Kafka
  // connections open, so the process printed the error and never exited (a Node 24 run whose
  // better-sqlite3 binding did not load hung the HA test until its 240 s timeout).
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-ha-bad-state-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  await writeFile(join(dir, 'not-a-directory'), 'a file\n')
  const state = join(dir, 'not-a-directory', 'state')
  const file = join(dir, 'agent.yaml')
  await writeFile(file, `kafka:\n  bootstrap: ${cluster.bootstrap}\nstate: ${state}\nhttp:\n  listen: 127.0.0.1:0\nha:\n  group: ha-bad-state\n  sessionTimeout: 3s\n`)
  const child = spawn(BIN, ['agent', '--config', file], { env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  const [code] = await Promise.race([exited, pause(30_000).then(() => assert.fail(`still running 30 s after start; it printed: ${stderr}`))])
  assert.notEqual(code, 0)
  assert.ok(stderr.includes(`the state directory ${state} (config \`state\`) cannot hold the agent's database: ENOTDIR`), stderr)
})

test('kill -9 of the active agent mid-execution: the standby takes over with the state from Kafka, same User-Task-ID, one execution, the same rebalance grace', { timeout: 240_000 }, async (t) => {
  const cc = await CruiseControlSimulator.start({ proposalComputeMs: 50, maxBlockTimeMs: 200, executionTickMs: 1000, movementsPerTick: 1, scanIntervalMs: 200 })
  const sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 0, restartMs: 0 })
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-ha-'))
  const children: ChildProcess[] = []
  t.after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    await cc.stop()
    await sim.stop()
    await rm(dir, { recursive: true, force: true })
  })
  await mkdir(join(dir, 'manifests'))
  await writeFile(join(dir, 'manifests', 'rebalance.yaml'), 'kind: KafkaRebalance\nmetadata:\n  name: move-it\n  annotations:\n    strimzi.io/rebalance-auto-approval: "true"\nspec:\n  mode: full\n')
  await writeFile(join(dir, 'manifests', 'connector.yaml'), 'kind: KafkaConnector\nmetadata: { name: moved }\nspec:\n  class: org.apache.kafka.connect.file.FileStreamSourceConnector\n  tasksMax: 2\n  config: { topic: moved-topic }\n')
  const config = async (name: string): Promise<string> => {
    const file = join(dir, `${name}.yaml`)
    await writeFile(file, `kafka:\n  bootstrap: ${cluster.bootstrap}\ngroups: [none-watched]\ncruiseControl:\n  url: ${cc.url}\nconnect:\n  urls: [${sim.urls.join(', ')}]\nmanifests: manifests\n` +
      `state: state-${name}\nhttp:\n  listen: 127.0.0.1:0\n  token: { env: AGENT_TOKEN }\nintervals:\n  rebalances: 200ms\n  connectors: 200ms\n  lag: 1h\n` +
      'ha:\n  group: ha-test\n  sessionTimeout: 3s\n')
    return file
  }

  const first = await startAgent(await config('a'))
  children.push(first.child)
  await until('the first agent becoming active', async () => (await role(first.url)).role === 'active')
  const second = await startAgent(await config('b'))
  children.push(second.child)
  await until('the second agent joining as a standby', async () => (await role(second.url)).role === 'standby')
  // A standby is one from its start; its joining the lease group rebalances it a moment later.
  // The lease must stay where it is (before, the range assignor gave it to the lower member id,
  // random, and the standby took over about half the time).
  const activeSince = (await role(first.url)).ha?.since
  const admin = new Admin({ bootstrap: cluster.bootstrap, logger: createLogger({ level: 'silent' }) })
  t.after(async () => { await admin.close() })
  await until('both agents in the lease group, Stable', async () => {
    const [group] = await admin.describeGroups(['ha-test'])
    return group?.state === 'Stable' && group.members.length === 2 && group.protocol === 'cooperative-sticky'
  }, async () => await admin.describeGroups(['ha-test']))
  assert.equal((await role(first.url)).role, 'active', 'a standby joining leaves the lease with the active agent')
  assert.equal((await role(second.url)).role, 'standby')
  assert.equal((await role(first.url)).ha?.since, activeSince, 'and the active agent never stepped down meanwhile')

  const executing = await waitForRebalance(first.url, (r) => r.state === 'Rebalancing' && r.executionUserTaskId !== undefined)
  // A long worker-group rebalance is under way when the worker running task 0 of the Ready connector leaves.
  await until('the connector being Ready', async () => (await connector(first.url, 'moved'))?.type === 'Ready')
  // Not the leader: with no leader known during the rebalance, Connect would answer nothing but reads.
  const status = await (await fetch(`${sim.urls[0] ?? ''}/connectors/moved/status`)).json() as { connector: { worker_id: string }, tasks: Array<{ worker_id: string }> }
  const worker = [status.connector, ...status.tasks].map((i) => i.worker_id).find((id) => id !== sim.group.leader)
  assert.ok(worker !== undefined, `an instance runs on a worker other than the leader: ${JSON.stringify(status)}`)
  sim.rebalance(600_000)
  await sim.removeWorker(sim.workers.find((w) => w.id === worker)?.url as string)
  await until('the active agent showing the connector Reassigning', async () => (await connector(first.url, 'moved'))?.reason === 'Reassigning',
    async () => ({ api: await (await fetch(`${first.url}/api/connectors`)).json(), loops: await (await fetch(`${first.url}/api/status`)).json(), status: await (await fetch(`${sim.urls[0] ?? ''}/connectors/moved/status`)).json() }))
  // From here the execution stays under way until the standby has taken over, however slow the
  // steps between (held only now: a held execution from the start left the connector loop of a
  // loaded machine without its Reassigning twice, not understood; see the stop-22 note).
  cc.holdExecutions(true)
  assert.ok(cc.executing, 'the execution still runs when the connector is seen moving')
  const since = /\(since (\S+)\)/.exec((await connector(first.url, 'moved'))?.message ?? '')?.[1]
  assert.ok(since !== undefined)
  assert.equal((await role(second.url)).role, 'standby', 'the standby stayed a standby while the active agent lived')
  const refused = await fetch(`${second.url}/api/rebalances/move-it/refresh`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  assert.equal(refused.status, 503, 'a standby refuses actions')
  assert.equal((await fetch(`${second.url}/readyz`)).status, 503, 'a standby is not ready')
  assert.deepEqual((await (await fetch(`${second.url}/api/rebalances`)).json() as { rebalances: unknown[] }).rebalances, [], 'the standby acted on nothing')

  first.child.kill('SIGKILL')
  await once(first.child, 'exit')
  assert.equal(cc.executions.length, 1)
  assert.ok(cc.executing, 'the execution outlives the agent')

  await until('the standby taking the lease over', async () => (await role(second.url)).role === 'active')
  cc.holdExecutions(false)
  const ready = await waitForRebalance(second.url, (r) => r.state === 'Ready')
  assert.equal(ready.executionUserTaskId, executing.userTaskId, 'the same Cruise Control task, known only from the state topic')
  assert.deepEqual(cc.executions.map((e) => e.userTaskId), [executing.userTaskId], 'one execution')
  assert.deepEqual(ready.history.map((h: { state: string }) => h.state), ['New', 'Rebalancing', 'Ready'])
  await until('the new active agent showing the connector', async () => (await connector(second.url, 'moved')) !== undefined)
  const shown = await connector(second.url, 'moved')
  assert.equal(shown?.type, 'Ready', `after the take-over: ${JSON.stringify(shown)}`)
  assert.equal(shown?.reason, 'Reassigning')
  assert.ok(shown?.message?.includes(`(since ${since})`), `the grace the dead agent started, known only from the state topic: ${shown?.message ?? ''}`)
  sim.group.finishRebalance()
  await until('the connector Ready once reassigned', async () => (await connector(second.url, 'moved'))?.reason === undefined)

  second.child.kill('SIGTERM')
  const [code] = await once(second.child, 'exit') as [number | null]
  assert.equal(code, 0)
})
