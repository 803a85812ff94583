/**
 * Incident I1 against real Kafka Connect workers (RealConnect on a RealCluster), not the
 * simulator: the reconciler applies 20 declared FileStream connectors while one worker joins and
 * another is killed, and real 409s from the workers are retried without reaching the caller.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ConnectClient } from '../../src/connect/client.ts'
import { loadManifests } from '../../src/connect/manifest.ts'
import { Reconciler } from '../../src/connect/reconciler.ts'
import type { ExpandedConnector } from '../../src/connect/types.ts'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'
import { RealConnect } from '../../src/testkit/real-cluster/real-connect.ts'
import { hostPort, poll, rest } from '../support/real-connect.ts'
import { captureLogs, retryCount, retryTotal } from './helpers.ts'

const PIPELINES = 10
const LINES = ['one', 'two', 'three']
/** Bursts tried before giving up on seeing a real 409 (each takes a few seconds). */
const MAX_BURSTS = 12
const STALE_409 = /answered 409: Cannot complete request momentarily due to stale configuration/

/** Pipeline i: FileStreamSource in-i.txt → topic → FileStreamSink out-i.txt, two documents in one file. */
function pipelineYaml (dir: string, i: number): string {
  return `kind: KafkaConnector
metadata:
  name: apply-source-${i}
spec:
  class: FileStreamSource
  config:
    file: ${join(dir, `in-${i}.txt`)}
    topic: apply-topic-${i}
---
kind: KafkaConnector
metadata:
  name: apply-sink-${i}
spec:
  class: FileStreamSink
  config:
    file: ${join(dir, `out-${i}.txt`)}
    topics: apply-topic-${i}
`
}

function fileLines (path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []
}

describe('Connect against real workers (RealConnect)', () => {
  let cluster: RealCluster
  let connect: RealConnect
  let client: ConnectClient
  let dir: string
  const logs = captureLogs()
  const retryLines = (from: number): Array<Record<string, unknown>> =>
    logs.lines.slice(from).filter((l) => l.component === 'connect' && typeof l.attempt === 'number')
  /** The logged error's message (pino's error serializer writes `err` as an object). */
  const errText = (line: Record<string, unknown>): string => String((line.err as { message?: unknown } | undefined)?.message)

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steadfast-real-connect-'))
    cluster = await RealCluster.start({ brokers: 1 })
    connect = await RealConnect.start({ cluster, workers: 3 })
    client = new ConnectClient({ urls: connect.urls, logger: logs.logger })
  })
  after(async () => {
    await client?.close()
    await connect?.stop()
    await cluster?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('apply of 20 connectors while a worker joins and another is killed: all RUNNING, data flows, no 409 escapes, retries counted', async (t) => {
    const manifestDir = join(dir, 'manifests')
    mkdirSync(manifestDir)
    for (let i = 0; i < PIPELINES; i++) {
      writeFileSync(join(dir, `in-${i}.txt`), LINES.map((l) => `${l}-${i}\n`).join(''))
      writeFileSync(join(manifestDir, `pipeline-${i}.yaml`), pipelineYaml(dir, i))
    }
    const manifests = await loadManifests(manifestDir)
    assert.equal(manifests.length, 2 * PIPELINES)
    const reconciler = new Reconciler({ client, logger: logs.logger })
    const retriesBefore = await retryTotal('connect')
    const logsFrom = logs.lines.length

    const applying = reconciler.converge(manifests, { timeoutMs: 300_000, intervalMs: 1_000 })
    const joining = connect.addWorker()
    // The kill lands mid-apply: once some connectors exist and others are still to come.
    const listedAtKill = await poll('the apply has created some connectors', async () => {
      const { body } = await rest(`${connect.urls[1] ?? ''}/connectors`)
      return (body as string[]).length >= 4 ? (body as string[]).length : undefined
    })
    await connect.killWorker(0)
    const joined = await joining
    const first = await applying
    // Connectors that ran on the killed worker may have been reported Ready just before it died:
    // a second converge waits for them on their new workers.
    const final = await reconciler.converge(manifests, { timeoutMs: 180_000, intervalMs: 1_000 })

    for (const result of [first, final]) {
      for (const c of result.connectors) assert.doesNotMatch(c.condition.message ?? '', /409/, `${c.name}: ${c.condition.message ?? ''}`)
    }
    assert.equal(final.ready, true, JSON.stringify(final.connectors.filter((c) => c.condition.type !== 'Ready')))
    const live = new Set(connect.urls.map(hostPort))
    assert.ok(live.has(hostPort(joined)) && live.size === 3)
    const expanded = (await rest(`${joined}/connectors?expand=status`)).body as Record<string, ExpandedConnector>
    assert.deepEqual(Object.keys(expanded).filter((n) => n.startsWith('apply-')).sort(), manifests.map((m) => m.name).sort())
    for (const m of manifests) {
      const status = expanded[m.name]?.status
      assert.equal(status?.connector.state, 'RUNNING', m.name)
      assert.ok(live.has(status.connector.worker_id), `${m.name} runs on ${status.connector.worker_id}, not a live worker`)
      assert.equal(status.tasks.length, 1, m.name)
      for (const task of status.tasks) {
        assert.equal(task.state, 'RUNNING', `${m.name} task ${task.id}`)
        assert.ok(live.has(task.worker_id), `${m.name} task ${task.id} runs on ${task.worker_id}, not a live worker`)
      }
    }
    for (let i = 0; i < PIPELINES; i++) {
      const want = LINES.map((l) => `${l}-${i}`)
      // At least once: a source task moved off the killed worker may repeat lines, in order.
      const got = await poll(`pipeline ${i} delivers its lines`, async () => {
        const lines = fileLines(join(dir, `out-${i}.txt`))
        return want.every((l) => lines.includes(l)) ? lines : undefined
      })
      assert.deepEqual([...new Set(got)], want)
    }

    const retried = retryLines(logsFrom)
    assert.equal(await retryTotal('connect') - retriesBefore, retried.length)
    const conflicts = retried.filter((l) => / answered 409: /.test(errText(l)))
    // The client started on worker 0: after the kill, its requests there were refused and moved on.
    const killedUrl = connect.workers[0]?.url ?? ''
    const skipped = logs.lines.slice(logsFrom).filter((l) => l.worker === killedUrl && /did not answer .*ECONNREFUSED.*trying the next worker/.test(String(l.msg))).length
    assert.ok(skipped > 0, 'no request met the killed worker')
    t.diagnostic(`apply: killed with ${listedAtKill} of ${manifests.length} connectors created; first converge ready: ${String(first.ready)}; ${skipped} requests moved to another worker`)
    t.diagnostic(`apply: ${retried.length} retries (${conflicts.length} after a real 409): ${[...new Set(retried.map((l) => `${String(l.operation)}/${String(l.reason)}`))].join(', ')}`)
  })

  test('a real 409 (offsets reset while new connector configs are pending) is retried and never reaches the caller', async (t) => {
    const probes = ['probe-0', 'probe-1', 'probe-2', 'probe-3']
    const stopped = { 'connector.class': 'FileStreamSource', file: join(dir, 'never-written.txt'), topic: 'probe-topic' }
    await Promise.all(probes.map(async (name) => await client.createConnector({ name, config: stopped, initialState: 'STOPPED' })))
    await poll('the probes are STOPPED', async () => {
      const states = await Promise.all(probes.map(async (p) => (await client.getConnectorStatus(p)).connector.state))
      return states.every((s) => s === 'STOPPED') ? true : undefined
    })
    const labels = { component: 'connect', operation: 'resetOffsets', reason: 'rebalance' }
    const counted = await retryCount(labels)
    const logsFrom = logs.lines.length
    let conflicts: Array<Record<string, unknown>> = []
    let bursts = 0
    // The worker answers the 409 when a reset meets a config change not yet rebalanced on: a race,
    // so bursts of resets run beside connector creations until one has been seen.
    while (conflicts.length === 0 && bursts < MAX_BURSTS) {
      bursts++
      const creates = [0, 1, 2, 3].map(async (i) => await client.createConnector({ name: `burst-${bursts}-${i}`, config: stopped, initialState: 'STOPPED' }))
      const resets = probes.map(async (p) => {
        const answers: string[] = []
        for (let k = 0; k < 3; k++) answers.push(await client.resetOffsets(p))
        return answers
      })
      const [created, answers] = await Promise.all([Promise.all(creates), Promise.all(resets)])
      assert.deepEqual(created.map((c) => c.name), [0, 1, 2, 3].map((i) => `burst-${bursts}-${i}`))
      for (const answer of answers.flat()) assert.match(answer, /reset successfully/)
      conflicts = retryLines(logsFrom).filter((l) => l.operation === 'resetOffsets' && STALE_409.test(errText(l)))
    }
    assert.ok(conflicts.length > 0, `no real 409 from the workers in ${bursts} bursts of 12 offset resets beside 4 connector creations each`)
    const resetRetries = retryLines(logsFrom).filter((l) => l.operation === 'resetOffsets' && l.reason === 'rebalance')
    assert.equal(await retryCount(labels) - counted, resetRetries.length)
    for (const line of conflicts) assert.equal(line.action, 'retry')
    t.diagnostic(`real 409s retried: ${conflicts.length} in ${bursts} burst(s)`)
  })
})
