/**
 * The agent end to end on the sandbox's mock engine: the example manifests applied, lag metrics
 * equal to the admin's own consumerGroupLag (scraped and parsed as Prometheus text), a Connect 409
 * storm and a Cruise Control capacity storm ridden out with nothing shown NotReady. Each wait is a
 * loop run triggered and awaited, never a sleep.
 */
import { after, before, test } from 'node:test'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import assert from 'node:assert/strict'
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { Admin } from '../../src/admin/admin.ts'
import { CONNECTORS_YAML } from '../../src/agent/sandbox/examples.ts'
import { Sandbox } from '../../src/agent/sandbox/sandbox.ts'
import type { AgentEvent } from '../../src/agent/state/events.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { registry } from '../../src/observability/metrics.ts'
import { Producer } from '../../src/producer/producer.ts'

const logger = createLogger({ level: 'silent' })
const run = promisify(execFile)
const BIN = new URL('../../bin/steadfast', import.meta.url).pathname
let sandbox: Sandbox
let dir: string
const events: AgentEvent[] = []

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-sandbox-test-'))
  sandbox = await Sandbox.start({ engine: 'mock', dir, port: 0, workload: false, logger })
  sandbox.agent.events.onEvent((e) => events.push(e))
})

after(async () => {
  await sandbox.stop()
  await rm(dir, { recursive: true, force: true })
})

/** Runs `loop` until `done` holds (each run awaited), at most `runs` times. */
async function runUntil (loop: string, done: () => boolean, runs = 100): Promise<void> {
  for (let i = 0; i < runs; i++) {
    await sandbox.agent.runtime.loop(loop)?.trigger()
    if (done()) return
  }
  assert.fail(`${loop}: the condition did not hold after ${runs} runs`)
}

const connectors = () => sandbox.agent.runtime.connectors?.snapshot.connectors ?? []
const rebalance = () => sandbox.agent.runtime.rebalances?.snapshot.rebalances.find((r) => r.record.name === 'full-rebalance')?.record
const allReady = (names: string[]) => () => names.every((n) => connectors().find((c) => c.name === n)?.condition.type === 'Ready')

async function api (path: string, init?: RequestInit): Promise<{ status: number, body: any }> {
  const res = await fetch(`${sandbox.agent.url}${path}`, init)
  return { status: res.status, body: await res.json() }
}

test('applies the example manifests: both FileStream connectors Ready as declared, the rebalance waits for approval', async () => {
  await runUntil('connectors', allReady(['files-source', 'files-sink']))
  const sim = sandbox.engine.connectSimulator
  assert.ok(sim !== undefined)
  assert.equal(sim.connector('files-sink')?.config['tasks.max'], '2')
  assert.equal(sim.connector('files-sink')?.config.topics, 'files')
  assert.deepEqual(sim.connector('files-sink')?.tasks.map((t) => t.state), ['RUNNING', 'RUNNING'])
  assert.equal(sim.connector('files-source')?.config['connector.class'], 'org.apache.kafka.connect.file.FileStreamSourceConnector')
  await runUntil('rebalances', () => rebalance()?.state === 'ProposalReady')
  const { body } = await api('/api/rebalances')
  assert.ok(body.rebalances[0].record.proposal.summary.numReplicaMovements > 0)
  const ready = await api('/readyz')
  assert.deepEqual(ready, { status: 200, body: { ready: true, role: 'single' } })
})

test('lag metrics per partition equal the admin\'s consumerGroupLag and what `steadfast groups lag` prints', async (t) => {
  const { bootstrap } = sandbox.engine
  const producer = new Producer({ bootstrap, logger })
  const admin = new Admin({ bootstrap, logger })
  t.after(async () => { await producer.close(); await admin.close() })
  await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send({ topic: 'orders', key: `k${i}`, value: `v${i}` })))
  const latest = await admin.listOffsets([{ topic: 'orders' }], 'latest')
  await admin.alterConsumerGroupOffsets('billing', latest.map((l) => ({ topic: 'orders', partition: l.partition, offset: l.offset / 2n })))
  await admin.alterConsumerGroupOffsets('audit', latest.map((l) => ({ topic: 'orders', partition: l.partition, offset: 0 })))
  await sandbox.agent.runtime.loop('lag')?.trigger()

  const res = await fetch(`${sandbox.agent.url}/metrics`)
  assert.equal(res.headers.get('content-type'), registry.contentType)
  const families = parsePrometheusTextFormat(await res.text())
  const family = families.find((f) => f.name === 'steadfast_agent_group_lag')
  assert.ok(family !== undefined)
  for (const group of ['billing', 'audit', 'analytics']) {
    const expected = await admin.consumerGroupLag(group, { topics: [{ topic: 'orders' }] })
    const scraped = family.metrics.filter((m) => m.labels?.group === group)
      .map((m) => ({ partition: Number(m.labels?.partition), lag: BigInt(m.value ?? '') }))
      .sort((a, b) => a.partition - b.partition)
    assert.deepEqual(scraped, expected.map((e) => ({ partition: e.partition, lag: e.lag })), group)
    // And what an operator's `steadfast groups lag` prints for the group.
    const { stdout } = await run(BIN, ['groups', 'lag', group, '--topic', 'orders', '-o', 'json', '-b', bootstrap], { env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' } })
    const printed = (JSON.parse(stdout) as { partitions: Array<{ partition: number, lag: number | string }> }).partitions
      .map((p) => ({ partition: p.partition, lag: BigInt(p.lag) })).sort((a, b) => a.partition - b.partition)
    assert.deepEqual(scraped, printed, `${group}: the scrape equals steadfast groups lag`)
  }
  assert.ok(family.metrics.some((m) => m.labels?.group === 'billing' && Number(m.value) > 0), 'the test commits half: some lag is expected')
  const names = new Set(families.map((f) => f.name))
  for (const name of ['steadfast_agent_connector_ready', 'steadfast_agent_connector_state', 'steadfast_agent_connector_task_state', 'steadfast_agent_rebalance_state', 'steadfast_agent_group_status',
    'steadfast_agent_loop_runs_total', 'steadfast_agent_loop_duration_seconds', 'steadfast_agent_reconcile_outcomes_total', 'steadfast_agent_cruise_control_user_tasks', 'steadfast_agent_active', 'steadfast_retries_total']) {
    assert.ok(names.has(name), `${name} is exported`)
  }
})

test('a Connect 409 storm: a connector declared during it is created once the storm passes, nothing is shown NotReady for it', async () => {
  const sim = sandbox.engine.connectSimulator
  assert.ok(sim !== undefined)
  const from = events.length
  const conflictsBefore = sim.countRequests({ status: 409 })
  const storm = sim.storm({ durationMs: 3000 })
  await writeFile(join(dir, 'manifests', 'storm.yaml'), [
    'kind: KafkaConnector',
    'metadata: { name: storm-sink }',
    'spec:',
    '  class: org.apache.kafka.connect.file.FileStreamSinkConnector',
    '  tasksMax: 1',
    '  config: { file: /tmp/steadfast-storm.txt, topics: files }',
  ].join('\n'))
  await sandbox.agent.runtime.loop('connectors')?.trigger()
  await storm
  await runUntil('connectors', allReady(['files-source', 'files-sink', 'storm-sink']))
  const { body } = await api('/api/status')
  assert.ok((body.retries as Array<{ component: string, operation: string, reason: string, message: string }>).some((r) => r.component === 'connect' && r.operation === 'createConnector' && r.reason === 'rebalance' && /answered 409/.test(r.message)),
    `the create's retries through the storm are listed: ${JSON.stringify(body.retries)}`)
  assert.ok(sim.countRequests({ status: 409 }) > conflictsBefore, 'the storm answered 409s')
  const during = events.slice(from).filter((e) => e.kind === 'connector')
  assert.deepEqual(during.filter((e) => e.level !== 'info' || /NotReady \((Error|ConnectorFailed|TasksFailed)\)/.test(e.message)), [])
  assert.deepEqual(during.filter((e) => e.subject !== 'storm-sink'), [], 'the connectors that were Ready stayed Ready')
  assert.equal(sandbox.agent.runtime.loop('connectors')?.status.failures, 0)
})

test('a Cruise Control capacity storm: the approved rebalance executes to Ready and never passes through NotReady', async () => {
  const cc = sandbox.cruiseControl
  const capacityRetries = async () => (await registry.getSingleMetric('steadfast_retries_total')?.get())?.values
    .filter((v) => v.labels.reason === 'user-task-capacity').reduce((sum, v) => sum + v.value, 0) ?? 0
  const retriesBefore = await capacityRetries()
  // Another client filling every user-task slot, as in the Strimzi incident: four bursts of more
  // requests than max.active.user.tasks, while the agent approves and executes.
  const flood = (async () => {
    for (let burst = 0; burst < 4; burst++) {
      await Promise.all(Array.from({ length: 8 }, () => fetch(`${cc.url}/kafkacruisecontrol/rebalance?dryrun=true&json=true`, { method: 'POST' }).then((r) => r.arrayBuffer())))
    }
  })()
  const approved = await api('/api/rebalances/full-rebalance/approve', { method: 'POST' })
  assert.equal(approved.status, 202, JSON.stringify(approved.body))
  await runUntil('rebalances', () => rebalance()?.state === 'Rebalancing' || rebalance()?.state === 'Ready')
  await flood
  await runUntil('rebalances', () => rebalance()?.state === 'Ready', 200)
  const record = rebalance()
  assert.ok(record !== undefined)
  assert.deepEqual(record.history.map((h) => h.state), ['New', 'ProposalReady', 'Rebalancing', 'Ready'])
  assert.ok(record.progress !== undefined, 'a Ready rebalance shows its progress')
  assert.equal(record.progress.partitionsMoved, record.progress.partitionsTotal)
  const scraped = parsePrometheusTextFormat(await (await fetch(`${sandbox.agent.url}/metrics`)).text())
  const value = (name: string, labels: Record<string, string>) => scraped.find((f) => f.name === name)?.metrics
    .find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value
  assert.equal(value('steadfast_agent_rebalance_partitions_moved_ratio', { rebalance: 'full-rebalance' }), '1', 'progress: every partition moved')
  assert.equal(value('steadfast_agent_rebalance_state', { rebalance: 'full-rebalance', state: 'Ready' }), '1')
  assert.equal(value('steadfast_agent_rebalance_state', { rebalance: 'full-rebalance', state: 'Rebalancing' }), '0')
  assert.ok(cc.capacityRejections > 0, 'the simulator refused requests for capacity')
  assert.ok(await capacityRetries() > retriesBefore, 'the agent met capacity 500s and retried them')
  assert.equal(cc.executions.length, 1)
  assert.deepEqual(events.filter((e) => e.kind === 'rebalance' && e.level !== 'info'), [])
})

test('actions: a rebalance action its state refuses answers 409 saying why; a restart is carried out; an unknown connector is 404', async () => {
  const refused = await api('/api/rebalances/full-rebalance/stop', { method: 'POST' })
  assert.equal(refused.status, 409)
  assert.match(refused.body.error, /cannot stop in state Ready \(it accepts refresh\)/)
  const restart = await api('/api/connectors/files-sink/restart', { method: 'POST' })
  assert.equal(restart.status, 202)
  assert.equal((await api('/api/connectors/nope/restart', { method: 'POST' })).status, 404)
})

test('strimzi.io/restart restarts the connector once per annotation; an unsupported strimzi.io annotation is refused with a note', async () => {
  const sim = sandbox.engine.connectSimulator
  assert.ok(sim !== undefined)
  const restarts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/connectors/files-sink/restart') && !r.forwarded).length
  const before = restarts()
  const annotated = CONNECTORS_YAML
    .replace('  # annotations:\n  #   strimzi.io/restart: "true"', '  annotations:\n    strimzi.io/restart: "true"')
    .replace('  name: files-source\n', '  name: files-source\n  annotations:\n    strimzi.io/pause-reconciliation: "true"\n')
  assert.notEqual(annotated, CONNECTORS_YAML)
  await writeFile(join(dir, 'manifests', 'connectors.yaml'), annotated)
  await sandbox.agent.runtime.loop('connectors')?.trigger()
  await sandbox.agent.runtime.loop('connectors')?.trigger()
  assert.equal(restarts(), before + 1)
  const source = connectors().find((c) => c.name === 'files-source')
  assert.match(source?.notes.join('\n') ?? '', /strimzi.io\/pause-reconciliation is not supported by the steadfast agent/)
  assert.ok(events.some((e) => e.kind === 'annotation' && e.subject === 'files-source' && e.level === 'warn'))
  await writeFile(join(dir, 'manifests', 'connectors.yaml'), CONNECTORS_YAML)
})

test('pruning is safe: a connector the agent created goes with its manifest, one it did not create stays', async () => {
  const sim = sandbox.engine.connectSimulator
  assert.ok(sim !== undefined)
  const made = await fetch(`${sim.urls[0]}/connectors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'hand-made', config: { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', topics: 'files', file: '/tmp/steadfast-hand-made.txt' } }),
  })
  assert.equal(made.status, 201)
  await unlink(join(dir, 'manifests', 'storm.yaml'))
  await runUntil('connectors', () => sim.connector('storm-sink') === undefined)
  assert.ok(sim.connector('hand-made') !== undefined)
  assert.ok(sim.connector('files-sink') !== undefined)
  assert.deepEqual(sandbox.agent.runtime.connectors?.snapshot.unmanaged, ['hand-made'])
  const said = events.filter((e) => e.subject === 'storm-sink').map((e) => e.message)
  assert.deepEqual(said.filter((m) => /^delet/.test(m)), ['deleting: created by the agent and its manifest was removed', 'deleted: created by the agent and its manifest was removed'], 'shown before and after')
})
