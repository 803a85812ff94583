/**
 * `steadfast sandbox --engine mock` as a user runs it: progress on stderr while it starts (each
 * step with the time since the start), then the closing note on stdout with the page URL, what to
 * try and the start time; the page answers; SIGTERM stops it with exit code 0.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const BIN = new URL('../../bin/steadfast', import.meta.url).pathname

test('sandbox --engine mock: progress while it starts, the closing note with the start time, exit 0 on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-sandbox-cli-'))
  const child = spawn(BIN, ['sandbox', '--engine', 'mock', '--dir', dir, '--port', '0'], { env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  const progress: string[] = []
  createInterface({ input: child.stderr }).on('line', (l) => progress.push(l))
  const lines: string[] = []
  const reader = createInterface({ input: child.stdout })
  for await (const line of reader) {
    lines.push(line)
    if (/^\(started in \d+\.\d s\)$/.test(line)) break
  }
  assert.match(lines.at(-1) ?? '', /^\(started in \d+\.\d s\)$/, lines.join('\n'))
  assert.deepEqual(progress.map((l) => l.replace(/^\[ *\d+\.\d s\] /, '')), [
    'starting Kafka: librdkafka\'s mock cluster, 3 brokers…',
    'starting Kafka Connect: the simulator, 3 workers…',
    'starting the Cruise Control simulator (4 brokers, max.active.user.tasks 5)…',
    'starting demo traffic (groups billing, analytics, audit)…',
    `starting the agent (config ${join(dir, 'agent.yaml')})…`,
  ])
  const page = lines.map((l) => /status page\s+(http:\/\/[\d.:]+)\//.exec(l)?.[1]).find((u) => u !== undefined)
  assert.ok(page !== undefined, lines.join('\n'))
  assert.match(await (await fetch(`${page}/`)).text(), /<title>steadfast agent<\/title>/)

  child.kill('SIGTERM')
  const [code] = await once(child, 'exit') as [number | null]
  assert.equal(code, 0)
})
