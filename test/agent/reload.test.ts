/**
 * Config changes apply without a restart: the agent watches its config file; a valid change
 * replaces the loops, an invalid one is reported and the running config stays.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin } from '../../src/admin/admin.ts'
import { Agent } from '../../src/agent/agent.ts'
import type { AgentEvent } from '../../src/agent/state/events.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Producer } from '../../src/producer/producer.ts'
import { CruiseControlSimulator } from '../../src/testkit/cruise-control-sim/simulator.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'

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

test('a changed kafka.bootstrap is followed: after the reload the lag loop reads the new cluster, the old one can go', async (t) => {
  const logger = createLogger({ level: 'silent' })
  const clusters = [await MockCluster.start({ brokers: 1, topics: [{ name: 'orders', partitions: 1 }] }), await MockCluster.start({ brokers: 1, topics: [{ name: 'orders', partitions: 1 }] })]
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-bootstrap-'))
  t.after(async () => { for (const c of clusters) await c.stop(); await rm(dir, { recursive: true, force: true }) })
  // The same group on both clusters, committed at different offsets: lag 4 on the first, 2 on the second.
  for (const [i, committed] of [[0, 1], [1, 3]] as const) {
    const bootstrap = (clusters[i] as MockCluster).bootstrap
    const producer = new Producer({ bootstrap, logger })
    const admin = new Admin({ bootstrap, logger })
    for (let n = 0; n < 5; n++) await producer.send({ topic: 'orders', key: `k${n}`, value: `v${n}` })
    await admin.alterConsumerGroupOffsets('billing', [{ topic: 'orders', partition: 0, offset: committed }])
    await producer.close()
    await admin.close()
  }
  const file = join(dir, 'agent.yaml')
  const config = (bootstrap: string) => `kafka: { bootstrap: "${bootstrap}" }\ngroups: [{ name: billing, topics: [orders] }]\nhttp: { listen: 127.0.0.1:0 }\n`
  await writeFile(file, config((clusters[0] as MockCluster).bootstrap))
  const agent = await Agent.start(file, { logger })
  t.after(async () => { await agent.stop() })
  const lag = () => agent.runtime.lag?.snapshot.groups.find((g) => g.group === 'billing')
  await agent.runtime.loop('lag')?.trigger()
  assert.equal(lag()?.totalLag, 4n)

  const reloaded = nextEvent(agent, (e) => e.kind === 'config')
  await writeFile(file, config((clusters[1] as MockCluster).bootstrap))
  assert.equal((await reloaded).message, 'config reloaded')
  await (clusters[0] as MockCluster).stop()
  await agent.runtime.loop('lag')?.trigger()
  assert.equal(lag()?.totalLag, 2n, 'read from the second cluster')
  assert.equal(lag()?.error, undefined)
  assert.equal(agent.runtime.loop('lag')?.status.failures, 0)
})

test('the manifests directory is watched: a manifest written while the loops wait an hour is applied without a trigger', async (t) => {
  const cc = await CruiseControlSimulator.start({ proposalComputeMs: 20 })
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-watch-'))
  await mkdir(join(dir, 'manifests'))
  await writeFile(join(dir, 'manifests', 'a.yaml'), 'kind: KafkaRebalance\nmetadata: { name: a }\n')
  const file = join(dir, 'agent.yaml')
  await writeFile(file, `cruiseControl: { url: ${cc.url} }\nmanifests: manifests\nhttp: { listen: 127.0.0.1:0 }\nintervals: { rebalances: 1h }\n`)
  const agent = await Agent.start(file, { logger: createLogger({ level: 'silent' }) })
  t.after(async () => { await agent.stop(); await cc.stop(); await rm(dir, { recursive: true, force: true }) })
  const created = nextEvent(agent, (e) => e.kind === 'rebalance' && e.subject === 'b')
  await writeFile(join(dir, 'manifests', 'b.yaml'), 'kind: KafkaRebalance\nmetadata: { name: b }\n')
  assert.match((await created).message, /created from its manifest/)
  assert.equal((await agent.runtime.rebalances?.lifecycle.get('b'))?.name, 'b', 'recorded in the lifecycle')
  assert.equal(agent.runtime.loop('rebalances')?.status.intervalMs, 3_600_000, 'no timer run: the next is an hour away')
})
