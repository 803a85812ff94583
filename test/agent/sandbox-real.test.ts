/**
 * The README's main job on the real engine, as a user runs it: `steadfast sandbox --engine real`
 * starts Apache Kafka and Kafka Connect JVMs, the agent applies the example connectors to the real
 * workers (both RUNNING, as the workers themselves report), and SIGTERM stops it with exit code 0
 * leaving none of its JVMs behind.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { eventually, isAlive } from '../testkit/mock-cluster/support.ts'

const BIN = new URL('../../bin/steadfast', import.meta.url).pathname

/** Pids of the JVMs (brokers and Connect workers) whose parent is `pid`. */
async function childJvms (pid: number): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises')
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid === pid && stat.includes('(java)')) pids.push(Number(entry))
  }
  return pids
}

test('sandbox --engine real: the example connectors run on real Kafka Connect workers; SIGTERM stops everything', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-sandbox-real-'))
  const child = spawn(BIN, ['sandbox', '--engine', 'real', '--dir', dir, '--port', '0'], { env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'inherit'] })
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  const lines: string[] = []
  let page: string | undefined
  let connect: string | undefined
  const reader = createInterface({ input: child.stdout })
  for await (const line of reader) {
    lines.push(line)
    page ??= /status page\s+(http:\/\/[\d.:]+)\//.exec(line)?.[1]
    connect ??= /Connect\s+(http:\/\/[\d.:]+)/.exec(line)?.[1]
    if (line.startsWith('Press Ctrl-C')) break
  }
  reader.on('line', (l) => lines.push(l))
  assert.ok(page !== undefined && connect !== undefined, `the sandbox printed its URLs:\n${lines.join('\n')}`)
  assert.ok(lines.some((l) => l.includes('engine: real')), lines.join('\n'))
  const jvms = await childJvms(child.pid as number)
  assert.equal(jvms.length, 7, 'three brokers, three Connect workers and the rig\'s control helper')

  // The workers' own view, not the agent's: both example connectors and their tasks RUNNING.
  const running = async (): Promise<string[]> => {
    const names = await (await fetch(`${connect as string}/connectors`)).json() as string[]
    // A connector just created may answer 404 (or a rebalance 409) on its status for a moment: not running yet.
    const states = await Promise.all(names.map(async (n) => await (await fetch(`${connect as string}/connectors/${n}/status`)).json() as { name?: string, connector?: { state: string }, tasks?: Array<{ state: string }> }))
    return states.filter((s) => s.connector?.state === 'RUNNING' && (s.tasks ?? []).length > 0 && (s.tasks ?? []).every((k) => k.state === 'RUNNING')).map((s) => s.name as string).sort()
  }
  let seen: string[] = []
  for (let i = 0; i < 240 && seen.length < 2; i++) {
    seen = await running()
    if (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 250))
  }
  assert.deepEqual(seen, ['files-sink', 'files-source'])

  child.kill('SIGTERM')
  const [code] = await once(child, 'exit') as [number | null]
  assert.equal(code, 0, lines.join('\n'))
  assert.equal(await eventually(() => !jvms.some(isAlive), 10_000), true, 'no JVM outlives the sandbox')
})
