/**
 * `steadfast testkit cluster` as a user runs it: through bin/steadfast, in the foreground, reached
 * with kcat, stopped with Ctrl-C (SIGINT) or SIGTERM.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { consume, eventually, isAlive, metadata, produce } from './support.ts'
import { exitOf, nextLine, runForeground, type ForegroundRun } from '../../support/foreground-cli.ts'
import { runCli as runSteadfast } from '../../support/run-cli.ts'

function runCli (t: { after: (fn: () => void) => void }, args: string[]): ForegroundRun {
  return runForeground(t, ['testkit', 'cluster', ...args])
}

describe('steadfast testkit cluster', () => {
  test('--output json prints the ready info; kcat can use it; Ctrl-C stops it with exit code 0', async (t) => {
    const run = runCli(t, ['--brokers', '2', '--topic', 'demo:2:2', '--output', 'json'])
    const info = JSON.parse(await nextLine(run)) as { bootstrap: string, brokers: Array<{ id: number, port: number }>, pid: number, topics: unknown }
    assert.deepEqual(info.brokers.map((b) => b.id), [1, 2])
    assert.deepEqual(info.topics, [{ name: 'demo', partitions: 2, replicationFactor: 2 }])
    const md = await metadata(info.bootstrap, 'demo')
    assert.equal(md.topics[0]?.partitions.length, 2)
    assert.equal((await produce(info.bootstrap, 'demo', 1, ['hello'])).code, 0)
    assert.deepEqual(await consume(info.bootstrap, 'demo', 1), ['0:hello'])
    run.child.kill('SIGINT')
    assert.deepEqual(await exitOf(run.child), [0, null])
    assert.equal(await eventually(() => !isAlive(info.pid)), true)
  })

  test('a consumer group forms on it: steadfast consume -G reads what kcat wrote, as kcat reads it', async (t) => {
    const run = runCli(t, ['--brokers', '3', '--topic', 'orders:3:3', '--output', 'json'])
    const info = JSON.parse(await nextLine(run)) as { bootstrap: string }
    for (const partition of [0, 1, 2]) assert.equal((await produce(info.bootstrap, 'orders', partition, [`v${partition}`])).code, 0)
    const read = await runSteadfast(['consume', '-b', info.bootstrap, '-t', 'orders', '-G', 'billing', '-c', '3', '--session-timeout', '6s', '-f', '%p:%o:%s\n', '--timeout', '30s'], { killAfterMs: 60_000 })
    assert.equal(read.code, 0, read.stderr)
    const kcat = (await Promise.all([0, 1, 2].map(async (p) => (await consume(info.bootstrap, 'orders', p)).map((l) => `${p}:${l}`)))).flat()
    assert.deepEqual(kcat, ['0:0:v0', '1:0:v1', '2:0:v2'])
    assert.deepEqual(read.stdout.trimEnd().split('\n').sort(), kcat)
    run.child.kill('SIGTERM')
    assert.deepEqual(await exitOf(run.child), [0, null])
  })

  test('the default output shows the bootstrap list and kcat commands; SIGTERM stops it with exit code 0', async (t) => {
    const run = runCli(t, ['--brokers', '1'])
    const text: string[] = []
    while (!text.includes('Press Ctrl-C to stop.')) text.push(await nextLine(run))
    const bootstrap = text.find((l) => l.startsWith('bootstrap servers: '))?.slice('bootstrap servers: '.length) ?? ''
    assert.match(bootstrap, /^127\.0\.0\.1:\d+$/)
    assert.ok(text.includes(`  kcat -b ${bootstrap} -L`))
    assert.equal((await metadata(bootstrap)).brokers.length, 1)
    run.child.kill('SIGTERM')
    assert.deepEqual(await exitOf(run.child), [0, null])
  })

  test('an invalid --topic is refused with exit code 2 (usage) and a message naming it', async (t) => {
    const run = runCli(t, ['--topic', 'orders:many'])
    assert.deepEqual(await exitOf(run.child), [2, null])
    assert.match(run.stderr(), /steadfast: --topic: "orders:many": partitions must be a positive integer, got "many" \[STEADFAST_ERR_INVALID_ARGUMENT\]/)
  })

  test('a helper that dies under the CLI makes it fail with the reason', async (t) => {
    const run = runCli(t, ['--brokers', '1', '--output', 'json'])
    const info = JSON.parse(await nextLine(run)) as { pid: number }
    process.kill(info.pid, 'SIGKILL')
    assert.deepEqual(await exitOf(run.child), [1, null])
    assert.match(run.stderr(), /the mock cluster stopped unexpectedly: helper exited: signal SIGKILL/)
  })
})
