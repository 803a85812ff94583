/**
 * Config changes apply without a restart: the agent watches its config file; a valid change
 * replaces the loops, an invalid one is reported and the running config stays.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from '../../src/agent/agent.ts'
import type { AgentEvent } from '../../src/agent/state/events.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { CruiseControlSimulator } from '../../src/testkit/cruise-control-sim/simulator.ts'

function nextEvent (agent: Agent, match: (e: AgentEvent) => boolean): Promise<AgentEvent> {
  return new Promise((resolve) => {
    const off = agent.events.onEvent((e) => { if (match(e)) { off(); resolve(e) } })
  })
}

test('a valid config change replaces the loops; an invalid one is an error event and the running config stays', async (t) => {
  const cc = await CruiseControlSimulator.start({ proposalComputeMs: 20 })
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-reload-'))
  await mkdir(join(dir, 'manifests'))
  await writeFile(join(dir, 'manifests', 'r.yaml'), 'kind: KafkaRebalance\nmetadata: { name: r }\n')
  const file = join(dir, 'agent.yaml')
  const config = (interval: string) => `cruiseControl: { url: ${cc.url} }\nmanifests: manifests\nhttp: { listen: 127.0.0.1:0 }\nintervals: { rebalances: ${interval} }\n`
  await writeFile(file, config('1s'))
  const agent = await Agent.start(file, { logger: createLogger({ level: 'silent' }) })
  t.after(async () => { await agent.stop(); await cc.stop(); await rm(dir, { recursive: true, force: true }) })
  assert.equal(agent.runtime.loop('rebalances')?.status.intervalMs, 1000)

  const reloaded = nextEvent(agent, (e) => e.kind === 'config')
  await writeFile(file, config('7s'))
  assert.equal((await reloaded).message, 'config reloaded')
  assert.equal(agent.runtime.loop('rebalances')?.status.intervalMs, 7000)

  const refused = nextEvent(agent, (e) => e.kind === 'config')
  await writeFile(file, config('soon'))
  const event = await refused
  assert.equal(event.level, 'error')
  assert.match(event.message, /agent\.yaml:4: intervals\.rebalances: "soon" is not a duration[\s\S]*the running config stays in effect/)
  assert.equal(agent.runtime.loop('rebalances')?.status.intervalMs, 7000)
})
