/**
 * The rebalance grace outlives the agent's process: a Ready connector that a worker-group
 * rebalance is moving stays Ready (Reassigning) across a config reload and a restart on the same
 * state, counted from the pass that first saw it move, not from the new process's first pass. (The
 * HA take-over case is in ha-real.test.ts.)
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from '../../src/agent/agent.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'

const logger = createLogger({ level: 'silent' })

test('restart and reload during a reassignment: still Ready (Reassigning) since the original sighting, NotReady when that grace ends', async (t) => {
  const sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 0, restartMs: 0 })
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-grace-'))
  const agents: Agent[] = []
  t.after(async () => {
    for (const a of agents) await a.stop()
    await sim.stop()
    await rm(dir, { recursive: true, force: true })
  })
  await mkdir(join(dir, 'manifests'))
  await writeFile(join(dir, 'manifests', 'c.yaml'), 'kind: KafkaConnector\nmetadata: { name: moved }\nspec:\n  class: org.apache.kafka.connect.file.FileStreamSourceConnector\n  tasksMax: 2\n  config: { topic: moved-topic }\n')
  const file = join(dir, 'agent.yaml')
  const config = (grace: string, interval: string): string => `connect:\n  urls: [${sim.urls.join(', ')}]\n  rebalanceGrace: ${grace}\nmanifests: manifests\nhttp: { listen: 127.0.0.1:0 }\nintervals: { connectors: ${interval} }\n`
  await writeFile(file, config('10m', '1h'))
  const start = async (): Promise<Agent> => {
    const agent = await Agent.start(file, { logger })
    agents.push(agent)
    return agent
  }
  const condition = async (agent: Agent) => {
    await agent.runtime.loop('connectors')?.trigger()
    return agent.runtime.connectors?.snapshot.connectors.find((c) => c.name === 'moved')?.condition
  }

  const first = await start()
  for (let i = 0; i < 100 && (await condition(first))?.type !== 'Ready'; i++);
  assert.deepEqual(await condition(first), { type: 'Ready' })

  // A long rebalance is under way when a worker running part of it (not the leader, which would
  // leave the group without one) leaves: what it ran stays UNASSIGNED.
  const status = await first.runtime.connectors?.reconciler.client.getConnectorStatus('moved')
  const worker = [status?.connector, ...(status?.tasks ?? [])].map((i) => i?.worker_id).find((id) => id !== sim.group.leader)
  assert.ok(worker !== undefined, JSON.stringify(status))
  sim.rebalance(600_000)
  await sim.removeWorker(sim.workers.find((w) => w.id === worker)?.url as string)
  const seen = await condition(first)
  assert.equal(seen?.reason, 'Reassigning', JSON.stringify(seen))
  const since = /\(since (\S+)\)/.exec(seen?.message ?? '')?.[1] as string
  const connect = (seen?.message ?? '').split(';')[0] as string
  assert.ok(since !== undefined && Date.parse(since) <= Date.now(), seen?.message)

  await writeFile(file, config('10m', '2h'))
  assert.equal(await first.reload(), true)
  const reloaded = await condition(first)
  assert.equal(reloaded?.reason, 'Reassigning', `after a reload: ${JSON.stringify(reloaded)}`)
  assert.match(reloaded?.message ?? '', new RegExp(`\\(since ${since.replace(/\./g, '\\.')}\\)`), 'the same grace, not a new one')

  await first.stop()
  agents.length = 0
  const second = await start()
  const restarted = await condition(second)
  assert.equal(restarted?.type, 'Ready', `the first pass after a restart: ${JSON.stringify(restarted)}`)
  assert.equal(restarted?.reason, 'Reassigning')
  assert.match(restarted?.message ?? '', new RegExp(`\\(since ${since.replace(/\./g, '\\.')}\\)`), 'the grace continues from the first sighting')

  // With a 1 s grace, counted from the original sighting, the grace is over.
  while (Date.now() < Date.parse(since) + 1_000) await new Promise((resolve) => setTimeout(resolve, 50))
  await writeFile(file, config('1s', '2h'))
  assert.equal(await second.reload(), true)
  const ended = await condition(second)
  assert.deepEqual(ended, { type: 'NotReady', reason: 'Pending', message: `${connect} since ${since}, longer than the 1 s rebalance grace` })

  sim.group.finishRebalance()
  assert.deepEqual(await condition(second), { type: 'Ready' })
})
