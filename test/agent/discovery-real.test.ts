/**
 * `connect.discoverWorkers` on real Kafka Connect: the agent is given one worker's URL, learns the
 * others from the statuses, and when the configured worker stops its passes keep succeeding
 * through the learned URLs (the URLs its requests went to are read off the `steadfast:request`
 * diagnostics channel). With discovery off, the same config leaves it with a worker that does not
 * answer, which it reports (its recent retries name the worker and the refused connection).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from '../../src/agent/agent.ts'
import type { RetryView } from '../../src/agent/recent-retries.ts'
import { createLogger } from '../../src/observability/logger.ts'
import type { RequestDiagnostic } from '../../src/observability/tracing.ts'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'
import { RealConnect } from '../../src/testkit/real-cluster/real-connect.ts'
import { hostPort, poll } from '../support/real-connect.ts'

let cluster: RealCluster
let connect: RealConnect
before(async () => {
  cluster = await RealCluster.start({ brokers: 1 })
  connect = await RealConnect.start({ cluster, workers: 3 })
})
after(async () => {
  await connect?.stop()
  await cluster?.stop()
})

/** Connect requests that got an answer (asyncEnd) and that failed (error), by worker URL. */
function trackRequests (): { answered: Set<string>, failed: Set<string>, clear: () => void, close: () => void } {
  const answered = new Set<string>()
  const failed = new Set<string>()
  const onEnd = (message: unknown): void => { const d = message as RequestDiagnostic; if (d.system === 'connect' && d.error === undefined) answered.add(d.target) }
  const onError = (message: unknown): void => { const d = message as RequestDiagnostic; if (d.system === 'connect') failed.add(d.target) }
  subscribe('tracing:steadfast:request:asyncEnd', onEnd)
  subscribe('tracing:steadfast:request:error', onError)
  return {
    answered,
    failed,
    clear: () => { answered.clear(); failed.clear() },
    close: () => { unsubscribe('tracing:steadfast:request:asyncEnd', onEnd); unsubscribe('tracing:steadfast:request:error', onError) },
  }
}

test('one configured worker, discovery on: the others are learned and carry the passes once it stops; off: the worker is reported unreachable', { timeout: 300_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-discovery-'))
  const requests = trackRequests()
  const started: Agent[] = []
  t.after(async () => {
    requests.close()
    for (const a of started) await a.stop()
    await rm(dir, { recursive: true, force: true })
  })
  // The configured worker is not the leader, so the group keeps its leader when it stops.
  const leader = connect.leaderUrl()
  const configured = connect.workers.find((w) => w.url !== leader) as { index: number, url: string }
  const others = connect.workers.filter((w) => w.index !== configured.index).map((w) => w.url).sort()
  await mkdir(join(dir, 'manifests'))
  // Enough instances (two connectors, three tasks each) for every worker to run one and be named in a status.
  for (const name of ['sink-a', 'sink-b']) {
    await writeFile(join(dir, 'manifests', `${name}.yaml`), `kind: KafkaConnector\nmetadata: { name: ${name} }\nspec:\n  class: FileStreamSink\n  tasksMax: 3\n  config:\n    file: ${join(dir, `${name}.txt`)}\n    topics: discovery-topic\n`)
  }
  const file = join(dir, 'agent.yaml')
  const config = (discover: boolean): string => `connect:\n  urls: [${configured.url}]\n  discoverWorkers: ${String(discover)}\nmanifests: manifests\nhttp: { listen: 127.0.0.1:0 }\nintervals: { connectors: 1h }\nshutdownTimeout: 2s\n`
  await writeFile(file, config(true))
  const running = await Agent.start(file, { logger: createLogger({ level: 'silent' }) })
  started.push(running)
  const loop = () => running.runtime.loop('connectors')
  const learned = (): string[] => {
    const transport = running.runtime.connectors?.reconciler.client.transport
    return (transport?.urls ?? []).filter((u) => !(transport?.configuredUrls ?? []).includes(u)).sort()
  }

  await poll('both connectors Ready and every other worker learned', async () => {
    await loop()?.trigger()
    const ready = running.runtime.connectors?.snapshot.connectors.every((c) => c.condition.type === 'Ready') === true
    return ready && learned().length === others.length ? true : undefined
  }, 240)
  assert.deepEqual(learned(), others, 'the learned URLs are the other workers')
  assert.deepEqual([...requests.answered], [configured.url], 'until now every request went to the configured worker')

  await connect.stopWorker(configured.index)
  requests.clear()
  const before = loop()?.status.runs ?? 0
  await loop()?.trigger()
  const status = loop()?.status
  assert.equal(status?.runs, before + 1)
  assert.equal(status?.lastError, undefined, `the pass succeeded: ${status?.lastError ?? ''}`)
  assert.ok(requests.answered.size > 0 && [...requests.answered].every((u) => others.includes(u)), `answered by learned workers only: ${[...requests.answered].join(', ')}`)
  assert.deepEqual([...requests.failed], [configured.url], 'the stopped worker was tried and did not answer')
  assert.deepEqual(running.runtime.connectors?.snapshot.connectors.map((c) => c.name), ['sink-a', 'sink-b'])

  // Discovery off: the one configured URL is all the agent has.
  await writeFile(file, config(false))
  const reloadedAt = new Date().toISOString()
  assert.equal(await running.reload(), true)
  requests.clear()
  assert.deepEqual(learned(), [])
  const lastSuccess = loop()?.status.lastSuccessAt
  await poll('the agent reporting the configured worker unreachable', async () => {
    const retries = await (await fetch(`${running.url}/api/retries`)).json() as RetryView[]
    return retries.find((r) => r.at >= reloadedAt && r.component === 'connect' && r.message.includes(hostPort(configured.url)) && /ECONNREFUSED/.test(r.message))
  }, 120)
  assert.equal(loop()?.status.lastSuccessAt, lastSuccess, 'no pass succeeded without discovery')
  assert.deepEqual([...requests.answered], [], 'no Connect request was answered')
  assert.deepEqual([...requests.failed], [configured.url])
})
