/**
 * A retry waiting out its backoff when the watched bootstrap file changes tries the new endpoints
 * at once (the cluster's failures to connect carry a wake source, resilience/wake.ts): the mock
 * cluster behind the chaos proxy, every broker moved to a new port and the old ports closed, an
 * admin call whose own backoff is 10 minutes. Without the wake it would sleep through the test.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin } from '../../src/admin/admin.ts'
import { createLogger } from '../../src/observability/logger.ts'
import type { RetryDiagnostic } from '../../src/observability/tracing.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { ApiKey } from '../../src/testkit/mock-cluster/api-keys.ts'
import { kcatProduce } from '../producer/helpers.ts'
import { startProxy } from '../testkit/chaos-proxy/support.ts'

const logger = createLogger({ level: 'silent' })
const TEN_MINUTES = 600_000
let mock: MockCluster
before(async () => {
  mock = await MockCluster.start({ brokers: 3, topics: [{ name: 'wake', partitions: 1, replicationFactor: 3 }] })
  await kcatProduce(mock.bootstrap, 'wake', ['a:1', 'b:2', 'c:3'])
})
after(async () => { await mock?.stop() })

test('a call backing off for 10 minutes after every endpoint closed goes to the new endpoints as soon as the bootstrap file names them', { timeout: 60_000 }, async (t) => {
  const proxy = await startProxy(t, mock.bootstrap)
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-wake-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const file = join(dir, 'brokers.txt')
  writeFileSync(file, proxy.bootstrap.split(',').join('\n') + '\n')
  const admin = new Admin({ bootstrap: { file }, logger, clientId: 'bootstrap-wake', connectTimeoutMs: 1_000, retry: { initialDelayMs: TEN_MINUTES, maxDelayMs: TEN_MINUTES, jitter: 'none' } })
  t.after(() => admin.close())
  const latest = async (timeoutMs?: number): Promise<bigint[]> =>
    (await admin.listOffsets([{ topic: 'wake', partitions: [0] }], 'latest', timeoutMs === undefined ? {} : { timeoutMs })).map((o) => o.offset)
  assert.deepEqual(await latest(), [3n])

  const retries: RetryDiagnostic[] = []
  let sleeping!: () => void
  const asleep = new Promise<void>((resolve) => { sleeping = resolve })
  const onRetry = (message: unknown): void => {
    const event = message as RetryDiagnostic
    if (event.clientId !== 'bootstrap-wake') return
    retries.push(event)
    if (event.delayMs === TEN_MINUTES) sleeping()
  }
  subscribe('steadfast:retry', onRetry)
  t.after(() => { unsubscribe('steadfast:retry', onRetry) })
  await proxy.moveEndpoints()
  const call = latest(2 * TEN_MINUTES + 60_000)
  // The call has found nothing answering and sleeps its 10 minutes; then the file names the new endpoints.
  await asleep
  await mock.startRequestTracking()
  t.after(() => mock.stopRequestTracking())
  writeFileSync(file, proxy.bootstrap.split(',').join('\n') + '\n')
  assert.deepEqual(await call, [3n])
  assert.equal(retries.filter((r) => r.delayMs === TEN_MINUTES).length, 1, `one long sleep, cut short: ${JSON.stringify(retries.map((r) => [r.delayMs, r.reason]))}`)
  // After the file changed: metadata from the new endpoints, then the call's request; nothing else.
  const requests = (await mock.getRequests()).map((r) => r.apiKey).filter((k) => k !== ApiKey.ApiVersions)
  assert.deepEqual(requests, [ApiKey.Metadata, ApiKey.ListOffsets])
})
