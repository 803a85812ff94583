/**
 * The real-Kafka rig's life cycle: a missing part is an error that says how to install it, and no
 * JVM outlives its owner — not after stop(), and not when the owner is killed with SIGKILL.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { locateKafka, pinnedKafkaVersions, RealCluster, RealClusterControlError, RealClusterUnavailableError, resolveKafkaVersion } from '../../../src/testkit/index.ts'
import { eventually, isAlive } from '../mock-cluster/support.ts'

const FIXTURE = fileURLToPath(new URL('./fixtures/start-and-wait.ts', import.meta.url))

describe('RealCluster installation', () => {
  test('the pinned versions come from the pom: a 4.x and a 3.9.x, picked by prefix', () => {
    const versions = pinnedKafkaVersions()
    assert.equal(versions.length, 2)
    assert.match(resolveKafkaVersion('4'), /^4\.\d+\.\d+$/)
    assert.match(resolveKafkaVersion('3.9'), /^3\.9\.\d+$/)
    assert.equal(resolveKafkaVersion(), versions[0])
    assert.throws(() => resolveKafkaVersion('2.8'), (error: unknown) =>
      error instanceof RealClusterUnavailableError && /"2\.8" is not one the rig pins/.test(error.message))
  })

  test('jars missing from the cache: the error names the directory and the set-up command', () => {
    const empty = mkdtempSync(join(tmpdir(), 'steadfast-empty-cache-'))
    try {
      assert.throws(() => locateKafka('4', { ...process.env, STEADFAST_CACHE_DIR: empty }), (error: unknown) =>
        error instanceof RealClusterUnavailableError && error.message.includes(join(empty, 'real-kafka')) && error.message.includes('npm run setup'))
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  test('no java on PATH: the error says Java 17 is needed and how to install it', () => {
    assert.throws(() => locateKafka('4', { ...process.env, PATH: '/nonexistent' }), (error: unknown) =>
      error instanceof RealClusterUnavailableError && /needs Java 17/.test(error.message) && /npm run setup/.test(error.message))
  })
})

describe('RealCluster processes', () => {
  test('stop() ends every JVM and removes the data directory', async () => {
    const cluster = await RealCluster.start({ brokers: 1 })
    const pid = cluster.pidOf(1) as number
    assert.equal(isAlive(pid), true)
    assert.equal(existsSync(join(cluster.dataDir, 'node-1', 'server.properties')), true)
    await cluster.stop()
    assert.equal(isAlive(pid), false)
    assert.equal(existsSync(cluster.dataDir), false)
    await cluster.stop()
  })

  test('a broker that cannot start fails start() at once with the end of its log, and nothing is left running', async () => {
    const began = Date.now()
    await assert.rejects(RealCluster.start({ brokers: 1, brokerConfig: { 'metric.reporters': 'no.such.MetricsReporter' }, timeoutMs: 90_000 }), (error: unknown) => {
      assert.ok(error instanceof RealClusterControlError, String(error))
      assert.match(error.message, /node 1 exited \(exit code \d+\) while waiting for Kafka/)
      assert.match(error.message, /no\.such\.MetricsReporter/)
      return true
    })
    // Well before the 90 s the wait would otherwise take (not a timing claim on Kafka, a bound on the rig).
    assert.ok(Date.now() - began < 60_000, 'the failure was reported when the node died, not at the timeout')
  })

  test('an owner killed with SIGKILL takes its JVMs with it', async (t) => {
    const owner = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] })
    t.after(() => { if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL') })
    const lines = createInterface({ input: owner.stdout })[Symbol.asyncIterator]()
    const first = await lines.next()
    assert.equal(first.done, false, 'the owner printed its pids')
    const { pids } = JSON.parse(first.value as string) as { pids: number[] }
    assert.equal(pids.length, 1)
    assert.equal(pids.every(isAlive), true)
    owner.kill('SIGKILL')
    await once(owner, 'exit')
    assert.equal(await eventually(() => !pids.some(isAlive), 10_000), true, `JVMs ${pids.join(', ')} outlived their owner`)
  })
})
