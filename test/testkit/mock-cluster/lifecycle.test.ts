/**
 * MockCluster's process handling: stop leaves no process, a missing/slow/dying helper produces a
 * clear error instead of a hang, and helpers never outlive their parent (normal exit, a forgotten
 * cluster, SIGTERM, SIGKILL). Fake helpers are small shell scripts written per test.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { MockCluster, MockClusterUnavailableError } from '../../../src/testkit/index.ts'
import { DEFAULT_BINARY, locateBinary } from '../../../src/testkit/mock-cluster/binary.ts'
import { childHelperPids, eventually, isAlive, startCluster } from './support.ts'

const READY = '{"event":"ready","bootstrap":"127.0.0.1:1","brokers":[{"id":1,"host":"127.0.0.1","port":1,"up":true}],"pid":1,"librdkafka":"fake"}'
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** Writes an executable shell script standing in for the helper. */
function fakeHelper (t: { after: (fn: () => void) => void }, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-fake-helper-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'helper.sh')
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

/** Runs a Node script (TypeScript through tsx) that starts a cluster and prints its helper's pid. */
function spawnOwner (script: string): { child: ReturnType<typeof spawn>, helperPid: Promise<number> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' },
  })
  const helperPid = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line)))
    child.once('exit', (code) => reject(new Error(`owner exited early (${code})`)))
  })
  return { child, helperPid }
}

const START = `import { MockCluster } from './src/testkit/index.ts'
const cluster = await MockCluster.start({ brokers: 1 })
console.log(cluster.pid)`

describe('MockCluster lifecycle', () => {
  test('stop() ends the helper, is idempotent, and later calls fail clearly', async () => {
    const cluster = await MockCluster.start({ brokers: 1 })
    const pid = cluster.pid
    assert.equal(isAlive(pid), true)
    assert.equal(cluster.running, true)
    await Promise.all([cluster.stop(), cluster.stop()])
    await cluster.stop()
    assert.equal(isAlive(pid), false)
    assert.equal(cluster.running, false)
    await assert.rejects(cluster.ping(), (error: unknown) => {
      assert.ok(error instanceof MockClusterUnavailableError)
      assert.equal(error.code, 'STEADFAST_ERR_MOCK_CLUSTER_UNAVAILABLE')
      assert.match(error.message, /not running \(it was stopped\); cannot ping/)
      return true
    })
  })

  test('topics given to start() exist when it resolves; a bad one fails start and leaves no helper', async (t) => {
    const cluster = await startCluster(t, { brokers: 2, topics: [{ name: 'a', partitions: 2 }, { name: 'b' }] })
    await assert.rejects(cluster.createTopic({ name: 'a' }), /already exists/)
    const before = new Set(childHelperPids())
    await assert.rejects(MockCluster.start({ brokers: 1, topics: [{ name: 'bad name' }] }), /field "topic" has an invalid character ' '/)
    assert.deepEqual(childHelperPids().filter((p) => !before.has(p)), [])
  })

  test('concurrent controls are each answered with their own reply', async (t) => {
    const cluster = await startCluster(t, { brokers: 1 })
    const names = Array.from({ length: 40 }, (_, i) => `topic-${i % 20}`)
    const outcomes = await Promise.allSettled(names.map((name) => cluster.createTopic({ name })))
    const failedNames = outcomes.flatMap((o, i) => o.status === 'rejected' ? [names[i]] : [])
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 20)
    assert.deepEqual(failedNames, names.slice(20))
    for (const o of outcomes) if (o.status === 'rejected') assert.match(String(o.reason), /already exists/)
  })

  test('start() validates the broker count', async () => {
    await assert.rejects(MockCluster.start({ brokers: 0 }), /brokers must be an integer from 1 to 64, got 0/)
    await assert.rejects(MockCluster.start({ brokers: 2.5 }), /got 2\.5/)
  })

  test('a missing helper names the path and the set-up command', async () => {
    await assert.rejects(MockCluster.start({ binary: '/nonexistent/steadfast-mock-cluster' }), (error: unknown) => {
      assert.ok(error instanceof MockClusterUnavailableError)
      assert.match(error.message, /not found or not executable at \/nonexistent\/steadfast-mock-cluster \(from the binary option\): run `npm run setup`/)
      return true
    })
    assert.throws(() => locateBinary(undefined, { STEADFAST_MOCK_CLUSTER_BIN: '/nope' }), /at \/nope \(from STEADFAST_MOCK_CLUSTER_BIN\)/)
    assert.equal(locateBinary(undefined, {}), DEFAULT_BINARY)
  })

  test('a helper that never reports ready is killed after the start timeout', async (t) => {
    const binary = fakeHelper(t, 'echo "starting up" >&2\nexec sleep 30')
    await assert.rejects(MockCluster.start({ binary, startTimeoutMs: 300 }), /did not report ready within 300 ms; helper stderr:\nstarting up/)
  })

  test('a helper that prints something else first is refused', async (t) => {
    const binary = fakeHelper(t, 'echo "hello"\nexec sleep 30')
    await assert.rejects(MockCluster.start({ binary }), /printed an unexpected first line: hello/)
  })

  test('a helper that exits before ready reports its exit code and stderr', async (t) => {
    const binary = fakeHelper(t, 'echo "cannot bind" >&2\nexit 3')
    await assert.rejects(MockCluster.start({ binary }), /exited before it was ready \(exit code 3\); helper stderr:\ncannot bind/)
  })

  test('requests pending when the helper dies are rejected with the reason', async (t) => {
    const binary = fakeHelper(t, `echo '${READY}'\nread line\necho "dying" >&2\nexit 4`)
    const cluster = await startCluster(t, { binary })
    await assert.rejects(cluster.ping(), /helper exited \(exit code 4\) while ping was pending; helper stderr:\ndying/)
    assert.equal(await cluster.exited(), 'helper exited: exit code 4')
    await assert.rejects(cluster.ping(), /not running \(helper exited: exit code 4\)/)
  })

  test('a request the helper never answers times out', async (t) => {
    const binary = fakeHelper(t, `echo '${READY}'\nwhile read -r line; do :; done`)
    const cluster = await startCluster(t, { binary, requestTimeoutMs: 200 })
    await assert.rejects(cluster.ping(), /did not answer ping within 200 ms/)
  })

  test('a forgotten cluster does not keep Node alive, and the helper dies with it', async () => {
    const owner = spawnOwner(START)
    const pid = await owner.helperPid
    const [code] = await once(owner.child, 'exit') as [number]
    assert.equal(code, 0)
    assert.equal(await eventually(() => !isAlive(pid)), true)
  })

  test('SIGTERM to the owner kills the helper and still ends the owner', async () => {
    const owner = spawnOwner(START + '\nsetInterval(() => {}, 1000)')
    const pid = await owner.helperPid
    owner.child.kill('SIGTERM')
    const [, signal] = await once(owner.child, 'exit') as [number | null, string | null]
    assert.equal(signal, 'SIGTERM')
    assert.equal(await eventually(() => !isAlive(pid)), true)
  })

  test('SIGKILL of the owner still ends the helper (stdin EOF)', async () => {
    const owner = spawnOwner(START + '\nsetInterval(() => {}, 1000)')
    const pid = await owner.helperPid
    owner.child.kill('SIGKILL')
    await once(owner.child, 'exit')
    assert.equal(await eventually(() => !isAlive(pid)), true)
  })
})
