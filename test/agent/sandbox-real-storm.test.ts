/**
 * The agent on the sandbox's real engine through a Connect worker-group storm: while real Kafka
 * Connect workers leave and join (each change a rebalance of the worker group), a connector is
 * declared and the connectors loop keeps running. Nothing is ever shown NotReady for a failure
 * (Error, ConnectorFailed, TasksFailed), no pass fails, the new connector is created once and is
 * RUNNING as the workers report. (A connector whose worker left is shown NotReady (Pending) while
 * Connect reports it UNASSIGNED, until it runs on another worker: that is what Connect says.)
 * Waits are loop runs triggered and awaited, or the rig's own "group stable".
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Sandbox } from '../../src/agent/sandbox/sandbox.ts'
import type { AgentEvent } from '../../src/agent/state/events.ts'
import { createLogger } from '../../src/observability/logger.ts'

const logger = createLogger({ level: 'silent' })
let sandbox: Sandbox
let dir: string
const events: AgentEvent[] = []

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-sandbox-storm-'))
  sandbox = await Sandbox.start({ engine: 'real', dir, port: 0, workload: false, logger })
  sandbox.agent.events.onEvent((e) => events.push(e))
})

after(async () => {
  await sandbox?.stop()
  await rm(dir, { recursive: true, force: true })
})

const connectors = () => sandbox.agent.runtime.connectors?.snapshot.connectors ?? []
const ready = (names: string[]) => names.every((n) => connectors().find((c) => c.name === n)?.condition.type === 'Ready')

async function runUntil (done: () => boolean, runs = 200): Promise<void> {
  for (let i = 0; i < runs; i++) {
    await sandbox.agent.runtime.loop('connectors')?.trigger()
    if (done()) return
  }
  assert.fail(`the connectors did not get there after ${runs} runs: ${JSON.stringify(connectors().map((c) => [c.name, c.condition]))}`)
}

test('workers leaving and joining while a connector is declared: created once, RUNNING, nothing shown NotReady', { timeout: 300_000 }, async () => {
  const connect = sandbox.engine.realConnect
  assert.ok(connect !== undefined, 'the real engine runs real workers')
  await runUntil(() => ready(['files-source', 'files-sink']))
  const from = events.length

  await writeFile(join(dir, 'manifests', 'storm.yaml'), [
    'apiVersion: kafka.strimzi.io/v1beta2', 'kind: KafkaConnector', 'metadata: { name: storm-sink }',
    'spec:', '  class: org.apache.kafka.connect.file.FileStreamSinkConnector', '  tasksMax: 1',
    `  config: { file: ${join(dir, 'storm.txt')}, topics: files }`, '',
  ].join('\n'))
  // The storm: the last worker the agent was given leaves, a new one joins, the new one leaves
  // again — three worker-group rebalances, with a reconcile pass started during each.
  const passes: Array<Promise<void>> = []
  const pass = (): void => { passes.push(sandbox.agent.runtime.loop('connectors')?.trigger() ?? Promise.resolve()) }
  pass()
  const leaving = connect.workers.filter((w) => w.running).at(-1)?.index as number
  const stopped = connect.stopWorker(leaving)
  pass()
  await stopped
  const joined = connect.addWorker()
  pass()
  await joined
  const newest = connect.workers.filter((w) => w.running).at(-1)?.index as number
  const left = connect.stopWorker(newest)
  pass()
  await left
  await Promise.all(passes)

  await runUntil(() => ready(['files-source', 'files-sink', 'storm-sink']))
  const during = events.slice(from).filter((e) => e.kind === 'connector')
  assert.deepEqual(during.filter((e) => e.level !== 'info' || /NotReady \((Error|ConnectorFailed|TasksFailed)\)/.test(e.message)), [], 'no warning, nothing NotReady for a failure')
  assert.equal(sandbox.agent.runtime.loop('connectors')?.status.failures, 0, 'no pass failed')
  const url = connect.urls[0] as string
  const names = await (await fetch(`${url}/connectors`)).json() as string[]
  assert.deepEqual(names.sort(), ['files-sink', 'files-source', 'storm-sink'], 'created once, nothing else')
  const status = await (await fetch(`${url}/connectors/storm-sink/status`)).json() as { connector: { state: string }, tasks: Array<{ state: string }> }
  assert.equal(status.connector.state, 'RUNNING')
  assert.deepEqual(status.tasks.map((t) => t.state), ['RUNNING'])
})
