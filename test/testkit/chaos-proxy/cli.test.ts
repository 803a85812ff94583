/**
 * `steadfast testkit proxy` as a user runs it: through bin/steadfast in front of a mock cluster,
 * controlled with commands on stdin, reached with kcat, stopped with Ctrl-C (SIGINT).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { MockCluster } from '../../../src/testkit/index.ts'
import { metadata } from '../mock-cluster/support.ts'
import { connectOutcome } from './support.ts'
import { exitOf } from '../../support/foreground-cli.ts'

const BIN = fileURLToPath(new URL('../../../bin/steadfast', import.meta.url))

interface Run {
  child: ChildProcessWithoutNullStreams
  next: () => Promise<Record<string, any>>
  stderr: () => string
}

function runProxy (t: { after: (fn: () => void) => void }, args: string[]): Run {
  const child = spawn(BIN, ['testkit', 'proxy', ...args], { env: { ...process.env, STEADFAST_LOG_LEVEL: 'warn' } })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<Record<string, any>> => {
    const { value, done } = await lines.next()
    if (done === true) throw new Error(`the CLI ended its output early; stderr: ${stderr}`)
    return JSON.parse(value) as Record<string, any>
  }
  return { child, next, stderr: () => stderr }
}

/** Writes one command and returns its reply. */
async function command (run: Run, line: string): Promise<Record<string, any>> {
  run.child.stdin.write(line + '\n')
  return await run.next()
}

let cluster: MockCluster

before(async () => { cluster = await MockCluster.start({ brokers: 2 }) })
after(async () => { await cluster?.stop() })

describe('steadfast testkit proxy', () => {
  test('prints its bootstrap, obeys stdin commands with one JSON reply each, and stops on Ctrl-C with exit code 0', async (t) => {
    const run = runProxy(t, ['--upstream', cluster.bootstrap, '--output', 'json'])
    const ready = await run.next()
    assert.deepEqual(ready.brokers.map((b: { id: number, upstream: string }) => [b.id, b.upstream]), cluster.brokers.map((b) => [b.id, `${b.host}:${b.port}`]))
    const before = await metadata(ready.bootstrap)
    assert.deepEqual(before.brokers.map((b) => b.name).sort(), ready.bootstrap.split(',').sort())

    const moved = await command(run, 'move')
    assert.equal(moved.ok, true)
    assert.notEqual(moved.bootstrap, ready.bootstrap)
    for (const address of ready.bootstrap.split(',')) assert.equal(await connectOutcome(Number(address.split(':')[1])), 'ECONNREFUSED')
    assert.deepEqual((await metadata(moved.bootstrap)).brokers.map((b) => b.name).sort(), moved.bootstrap.split(',').sort())

    assert.deepEqual(await command(run, 'drop api=Produce broker=1'), { ok: true, command: 'drop' })
    assert.deepEqual(await command(run, 'blackhole broker=2 api=3'), { ok: true, command: 'blackhole' })
    assert.deepEqual(await command(run, 'heal'), { ok: true, command: 'heal' })
    const stats = await command(run, 'stats')
    assert.ok(stats.stats.requests['3'] >= 2, 'both kcat -L runs went through')
    assert.deepEqual(await command(run, 'latency soon'), { ok: false, command: 'latency', error: 'latency: "soon" is not a non-negative integer' })
    assert.deepEqual(await command(run, 'move 9'), { ok: false, command: 'move', error: 'moveBroker: broker 9 is not known to the proxy (known: 1, 2)' })
    assert.equal((await command(run, 'explode')).ok, false)

    run.child.kill('SIGINT')
    assert.deepEqual(await exitOf(run.child), [0, null])
    for (const address of moved.bootstrap.split(',')) assert.equal(await connectOutcome(Number(address.split(':')[1])), 'ECONNREFUSED')
  })

  test('an upstream nobody listens on fails with exit code 1 and says what it tried', async (t) => {
    const run = runProxy(t, ['--upstream', '127.0.0.1:1'])
    assert.deepEqual(await exitOf(run.child), [1, null])
    assert.match(run.stderr(), /no upstream broker answered Metadata; tried 127\.0\.0\.1:1/)
  })
})
