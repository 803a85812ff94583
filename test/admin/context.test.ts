/** How every admin call runs (src/admin/context.ts) and the admin's recovery hooks (faults.ts), without a cluster. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { getEventListeners } from 'node:events'
import type { Cluster } from '../../src/cluster/cluster.ts'
import { adminCall, forEachItem, remaining, type AdminContext } from '../../src/admin/context.ts'
import { AdminError } from '../../src/admin/errors.ts'
import { COORDINATOR_RETRY_MS, delayCap, recoveryHooks } from '../../src/admin/faults.ts'
import { Metrics } from '../../src/observability/metrics.ts'
import { createLogger } from '../../src/observability/logger.ts'
import type { RetryDiagnostic } from '../../src/observability/tracing.ts'
import { SteadfastError, type RecoveryAction } from '../../src/resilience/errors.ts'
import type { RecoveryHook, RetryContext } from '../../src/resilience/retry.ts'

/** The parts of a Cluster the recovery hooks call, recording each call. */
function recordingCluster (): { cluster: Cluster, calls: string[] } {
  const calls: string[] = []
  const cluster = {
    refreshMetadata: async () => { calls.push('refreshMetadata') },
    invalidateCoordinator: (type: string, key: string) => { calls.push(`invalidateCoordinator ${type} ${key}`) },
  } as unknown as Cluster
  return { cluster, calls }
}

function context (retry: AdminContext['retry'] = {}): AdminContext {
  return { cluster: recordingCluster().cluster, logger: createLogger({ level: 'silent' }), defaultTimeoutMs: 30_000, retry, metrics: new Metrics() }
}

test('forEachItem gives every item the call\'s options and one signal, which the first failure aborts, and leaves no listener on the caller\'s signal', async () => {
  const caller = new AbortController()
  const seen: Array<{ timeoutMs: number | undefined, signal: AbortSignal | undefined }> = []
  const failure = new Error('item 2 failed')
  let release!: () => void
  const second = new Promise<void>((resolve) => { release = resolve })
  await assert.rejects(forEachItem({ timeoutMs: 1_234, signal: caller.signal }, [1, 2], async (item, options) => {
    seen.push({ timeoutMs: options.timeoutMs, signal: options.signal })
    if (item === 2) { release(); throw failure }
    await second
    return item
  }), (e) => e === failure)
  assert.deepEqual(seen.map((s) => s.timeoutMs), [1_234, 1_234])
  assert.ok(seen[0]?.signal !== undefined && seen[0].signal === seen[1]?.signal && seen[0].signal !== caller.signal)
  assert.equal(seen[0].signal.aborted, true)
  assert.equal(seen[0].signal.reason, failure)
  assert.equal(getEventListeners(caller.signal, 'abort').length, 0)
  // A call that succeeds detaches too: the caller's signal may serve many calls.
  assert.deepEqual(await forEachItem({ signal: caller.signal }, [1, 2], async (item) => item * 10), [10, 20])
  assert.equal(getEventListeners(caller.signal, 'abort').length, 0)
})

test('remaining: the rest of the call\'s time, at least 1 ms, other options kept', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 10_000 })
  const signal = new AbortController().signal
  assert.deepEqual(remaining({ timeoutMs: 1_000, signal }, context(), 9_700), { timeoutMs: 700, signal })
  assert.deepEqual(remaining({}, context(), 4_000), { timeoutMs: 24_000 }, 'the client default, 30 s, less the 6 s gone')
  assert.deepEqual(remaining({ timeoutMs: 1_000 }, context(), 5_000), { timeoutMs: 1 })
})

test('adminCall retries with the client\'s backoff and no attempt limit: only the deadline ends it', async () => {
  let attempts = 0
  const result = await adminCall(context({ initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' }), 'probe', {}, async (_signal, attempt) => {
    attempts = attempt
    if (attempt < 12) throw new SteadfastError('busy', { action: 'retry', reason: 'busy' })
    return 'done'
  })
  assert.equal(result, 'done')
  assert.equal(attempts, 12, 'beyond the default policy\'s 10 attempts')
})

test('adminCall honours the caller\'s signal: an aborted call sends nothing', async () => {
  const caller = new AbortController()
  caller.abort(new Error('shutting down'))
  let attempts = 0
  await assert.rejects(adminCall(context(), 'probe', { signal: caller.signal }, async () => { attempts++; return 'sent' }), AdminError)
  assert.equal(attempts, 0)
})

test('adminCall passes an AdminError from a nested call through as it is, without wrapping it again', async () => {
  const nested = new AdminError('describeGroups', 3, new SteadfastError('gone', { action: 'fatal', reason: 'gone' }))
  await assert.rejects(adminCall(context(), 'deleteGroups', {}, async () => { throw nested }), (e) => e === nested)
})

test('recovery hooks: refresh-metadata refreshes; coordinator errors and broken connections of a coordinator-bound call forget its coordinator only, other calls refresh metadata on a broken connection', async () => {
  const { cluster, calls } = recordingCluster()
  const hooks = recoveryHooks(cluster, { coordinator: { type: 'group', key: 'orders' } })
  // The hooks look at neither the error nor the retry context.
  const call = async (hook: RecoveryHook | undefined): Promise<void> => { await hook?.(new Error('x'), {} as RetryContext) }
  await call(hooks['refresh-metadata'])
  assert.deepEqual(calls, ['refreshMetadata'])
  calls.length = 0
  await call(hooks['refresh-coordinator'])
  await call(hooks.reconnect)
  assert.deepEqual(calls, ['invalidateCoordinator group orders', 'invalidateCoordinator group orders'])
  calls.length = 0
  const plain = recoveryHooks(cluster, {})
  assert.equal(plain['refresh-coordinator'], undefined, 'a call bound to no coordinator has none to forget')
  await call(plain.reconnect)
  await call(plain['refresh-metadata'])
  assert.deepEqual(calls, ['refreshMetadata', 'refreshMetadata'])
})

test('delay cap: a coordinator-bound call looks again within 100 ms after a coordinator error or a failed connection, not when no broker answers; other calls keep their backoff', () => {
  const cap = delayCap({ coordinator: { type: 'group', key: 'orders' } })
  assert.ok(cap !== undefined)
  const capOf = (action: RecoveryAction, reason: string): number | undefined => cap({ action, reason }, new Error(reason))
  assert.equal(COORDINATOR_RETRY_MS, 100)
  assert.equal(capOf('refresh-coordinator', 'NOT_COORDINATOR'), 100)
  assert.equal(capOf('refresh-coordinator', 'COORDINATOR_LOAD_IN_PROGRESS'), 100)
  assert.equal(capOf('reconnect', 'econnrefused'), 100)
  assert.equal(capOf('reconnect', 'eof'), 100)
  assert.equal(capOf('reconnect', 'enobroker'), undefined, 'the whole cluster unreachable backs off as usual')
  assert.equal(capOf('retry', 'REQUEST_TIMED_OUT'), undefined)
  assert.equal(capOf('refresh-metadata', 'NOT_LEADER_OR_FOLLOWER'), undefined)
  assert.equal(delayCap({}), undefined)
})

test('adminCall applies the cap: a coordinator-bound call retried after a coordinator error waits 100 ms, not the client\'s 5 s backoff', async () => {
  const delays: number[] = []
  const onRetry = (message: unknown): void => { delays.push((message as RetryDiagnostic).delayMs) }
  subscribe('steadfast:retry', onRetry)
  try {
    const ctx = context({ initialDelayMs: 5_000, maxDelayMs: 5_000, jitter: 'none' })
    const result = await adminCall(ctx, 'capped', {}, async (_signal, attempt) => {
      if (attempt < 4) throw new SteadfastError('moving', { action: 'refresh-coordinator', reason: 'NOT_COORDINATOR' })
      return 'answered'
    }, { coordinator: { type: 'group', key: 'orders' } })
    assert.equal(result, 'answered')
  } finally {
    unsubscribe('steadfast:retry', onRetry)
  }
  assert.deepEqual(delays, [0, 100, 100], 'the first retry at once (a new target), then every 100 ms')
})
