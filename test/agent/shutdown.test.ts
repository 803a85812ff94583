/**
 * Graceful shutdown, in process: while a run is in flight (its Cruise Control never answers),
 * stop() makes /healthz and /readyz answer 503 at once, lets the run use its shutdownTimeout,
 * then aborts it and closes; the stop is recorded as the last event.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import { Agent } from '../../src/agent/agent.ts'
import { createLogger } from '../../src/observability/logger.ts'

test('stop during a run: healthz and readyz 503 while the run finishes or times out, then closed', async (t) => {
  // A Cruise Control that accepts connections and never answers: the rebalances run hangs in flight.
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => { sockets.add(socket) })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const port = (silent.address() as { port: number }).port
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-shutdown-'))
  t.after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => silent.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })
  await mkdir(join(dir, 'manifests'))
  await writeFile(join(dir, 'manifests', 'r.yaml'), 'kind: KafkaRebalance\nmetadata: { name: r }\nspec: { mode: full }\n')
  const file = join(dir, 'agent.yaml')
  await writeFile(file, `cruiseControl: { url: "http://127.0.0.1:${port}" }\nmanifests: manifests\nhttp: { listen: 127.0.0.1:0 }\nshutdownTimeout: 1s\n`)
  const agent = await Agent.start(file, { logger: createLogger({ level: 'silent' }) })
  assert.deepEqual(await (await fetch(`${agent.url}/healthz`)).json(), { status: 'ok' })
  for (let i = 0; i < 500 && !(agent.runtime.loop('rebalances')?.status.running ?? false); i++) await pause(10)
  assert.equal(agent.runtime.loop('rebalances')?.status.running, true, 'a run is in flight')
  assert.equal((await fetch(`${agent.url}/readyz`)).status, 503, 'not ready: the loop has not completed a run')

  const said: string[] = []
  agent.events.onEvent((e) => said.push(e.message))
  const stopped = agent.stop()
  const health = await fetch(`${agent.url}/healthz`)
  assert.equal(health.status, 503)
  assert.deepEqual(await health.json(), { status: 'stopping' })
  assert.equal((await fetch(`${agent.url}/readyz`)).status, 503)
  await stopped
  assert.equal(agent.runtime.loop('rebalances')?.status.running, false, 'the run was aborted after the shutdown timeout and awaited')
  await assert.rejects(fetch(`${agent.url}/healthz`), 'the listener is closed')
  assert.equal(said.at(-1), 'stopped', 'the stop is the last event written before the database closed')
})
