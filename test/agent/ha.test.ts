/**
 * HA on real Apache Kafka: two agent processes with the same `ha` group and separate state
 * directories. The first holds the lease and acts; the second is a standby (it refuses actions and
 * is not ready). The active one is killed with SIGKILL while a rebalance executes: the standby
 * takes the lease over once the group's session timeout has passed, rebuilds the state from the
 * compacted state topic (its own database never saw the rebalance), and follows the same Cruise
 * Control task (same User-Task-ID) to Ready — one execution, not two.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CruiseControlSimulator } from '../../src/testkit/cruise-control-sim/simulator.ts'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'
import { startAgent, TOKEN, waitForRebalance } from './agent-process.ts'

let cluster: RealCluster
before(async () => { cluster = await RealCluster.start({ brokers: 3 }) })
after(async () => { await cluster?.stop() })

async function status (url: string): Promise<{ role: string, ha?: { group: string } }> {
  return await (await fetch(`${url}/api/status`)).json() as { role: string, ha?: { group: string } }
}

async function until (what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.fail(`${what} did not happen`)
}

test('kill -9 of the active agent mid-execution: the standby takes over with the state from Kafka, same User-Task-ID, one execution', { timeout: 240_000 }, async (t) => {
  const cc = await CruiseControlSimulator.start({ proposalComputeMs: 50, maxBlockTimeMs: 200, executionTickMs: 300, movementsPerTick: 1, scanIntervalMs: 200 })
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-ha-'))
  const children: ChildProcess[] = []
  t.after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    await cc.stop()
    await rm(dir, { recursive: true, force: true })
  })
  await mkdir(join(dir, 'manifests'))
  await writeFile(join(dir, 'manifests', 'rebalance.yaml'), 'kind: KafkaRebalance\nmetadata:\n  name: move-it\n  annotations:\n    strimzi.io/rebalance-auto-approval: "true"\nspec:\n  mode: full\n')
  const config = async (name: string): Promise<string> => {
    const file = join(dir, `${name}.yaml`)
    await writeFile(file, `kafka:\n  bootstrap: ${cluster.bootstrap}\ngroups: [none-watched]\ncruiseControl:\n  url: ${cc.url}\nmanifests: manifests\n` +
      `state: state-${name}\nhttp:\n  listen: 127.0.0.1:0\n  token: { env: AGENT_TOKEN }\nintervals:\n  rebalances: 200ms\n  lag: 1h\n` +
      'ha:\n  group: ha-test\n  sessionTimeout: 3s\n')
    return file
  }

  const first = await startAgent(await config('a'))
  children.push(first.child)
  await until('the first agent becoming active', async () => (await status(first.url)).role === 'active')
  const second = await startAgent(await config('b'))
  children.push(second.child)
  await until('the second agent joining as a standby', async () => (await status(second.url)).role === 'standby')

  const executing = await waitForRebalance(first.url, (r) => r.state === 'Rebalancing' && r.executionUserTaskId !== undefined)
  assert.equal((await status(second.url)).role, 'standby', 'the standby stayed a standby while the active agent lived')
  const refused = await fetch(`${second.url}/api/rebalances/move-it/refresh`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  assert.equal(refused.status, 503, 'a standby refuses actions')
  assert.equal((await fetch(`${second.url}/readyz`)).status, 503, 'a standby is not ready')
  assert.deepEqual((await (await fetch(`${second.url}/api/rebalances`)).json() as { rebalances: unknown[] }).rebalances, [], 'the standby acted on nothing')

  first.child.kill('SIGKILL')
  await once(first.child, 'exit')
  assert.equal(cc.executions.length, 1)
  assert.ok(cc.executing, 'the execution outlives the agent')

  await until('the standby taking the lease over', async () => (await status(second.url)).role === 'active')
  const ready = await waitForRebalance(second.url, (r) => r.state === 'Ready')
  assert.equal(ready.executionUserTaskId, executing.userTaskId, 'the same Cruise Control task, known only from the state topic')
  assert.deepEqual(cc.executions.map((e) => e.userTaskId), [executing.userTaskId], 'one execution')
  assert.deepEqual(ready.history.map((h: { state: string }) => h.state), ['New', 'Rebalancing', 'Ready'])

  second.child.kill('SIGTERM')
  const [code] = await once(second.child, 'exit') as [number | null]
  assert.equal(code, 0)
})
