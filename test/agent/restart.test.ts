/**
 * The agent as operators run it, a process: killed with SIGKILL while a rebalance executes, it is
 * started again on the same state and follows the same Cruise Control task (same User-Task-ID,
 * one execution, not two) to Ready; actions need the bearer token; SIGTERM stops it with exit 0.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CruiseControlSimulator } from '../../src/testkit/cruise-control-sim/simulator.ts'
import { startAgent, TOKEN, waitForRebalance } from './agent-process.ts'

test('kill -9 during an execution: the restarted agent follows the same User-Task-ID to Ready, executing once', async (t) => {
  const cc = await CruiseControlSimulator.start({ proposalComputeMs: 50, maxBlockTimeMs: 200, executionTickMs: 300, movementsPerTick: 1, scanIntervalMs: 200 })
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-restart-'))
  const children: ChildProcess[] = []
  t.after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    await cc.stop()
    await rm(dir, { recursive: true, force: true })
  })
  await mkdir(join(dir, 'manifests'))
  await writeFile(join(dir, 'manifests', 'rebalance.yaml'), 'kind: KafkaRebalance\nmetadata:\n  name: move-it\n  annotations:\n    strimzi.io/rebalance-auto-approval: "true"\nspec:\n  mode: full\n')
  const config = join(dir, 'agent.yaml')
  await writeFile(config, `cruiseControl:\n  url: ${cc.url}\nmanifests: manifests\nhttp:\n  listen: 127.0.0.1:0\n  token: { env: AGENT_TOKEN }\nintervals:\n  rebalances: 200ms\n`)

  const first = await startAgent(config)
  children.push(first.child)
  const executing = await waitForRebalance(first.url, (r) => r.state === 'Rebalancing' && r.executionUserTaskId !== undefined)
  first.child.kill('SIGKILL')
  await once(first.child, 'exit')
  assert.equal(cc.executions.length, 1)
  assert.ok(cc.executing, 'the execution outlives the agent')

  const second = await startAgent(config)
  children.push(second.child)
  const ready = await waitForRebalance(second.url, (r) => r.state === 'Ready')
  assert.equal(ready.executionUserTaskId, executing.userTaskId)
  assert.deepEqual(cc.executions.map((e) => e.userTaskId), [executing.userTaskId])
  assert.deepEqual(ready.history.map((h: { state: string }) => h.state), ['New', 'Rebalancing', 'Ready'])

  const refresh = (headers: Record<string, string>) => fetch(`${second.url}/api/rebalances/move-it/refresh`, { method: 'POST', headers })
  assert.equal((await refresh({})).status, 401)
  assert.equal((await refresh({ authorization: 'Bearer wrong-token-000' })).status, 401)
  assert.equal((await refresh({ authorization: `Bearer ${TOKEN}` })).status, 202)

  assert.ok(!(await (await fetch(`${second.url}/api/status`)).text()).includes(TOKEN), 'the API does not serve the token')
  second.child.kill('SIGTERM')
  const [code] = await once(second.child, 'exit') as [number | null]
  assert.equal(code, 0)
  assert.ok(second.lines.includes('Stopped on SIGTERM.'), second.lines.join('\n'))
  // The token was used above; the state directory does not hold it either.
  const state = await readdir(join(dir, 'state'))
  for (const file of state) assert.ok(!(await readFile(join(dir, 'state', file))).includes(TOKEN), `${file} does not hold the token`)
  assert.ok(state.includes('agent.db'), state.join(', '))
})
