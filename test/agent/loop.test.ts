/**
 * The agent's loops are isolated: one whose run hangs or fails never holds up another; a hung run
 * is aborted at its timeout and counted as one; a failed run is counted, reported and followed by
 * the next one; runs of one loop never overlap, even when triggered during a run. Waits poll the
 * loops' own counters (bounded), never a duration.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as pause } from 'node:timers/promises'
import { Loop } from '../../src/agent/loops/loop.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { registry } from '../../src/observability/metrics.ts'

const logger = createLogger({ level: 'silent' })

async function until (done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (done()) return
    await pause(10)
  }
  assert.fail(`${what} did not happen`)
}

async function runsTotal (loop: string, outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_agent_loop_runs_total')?.get()
  return metric?.values.find((v) => v.labels.loop === loop && v.labels.outcome === outcome)?.value ?? 0
}

test('a hung loop does not hold up another; it is aborted at its timeout and counted as one', async (t) => {
  const hung = new Loop({
    name: 'test-hung',
    intervalMs: 60_000,
    jitter: 0,
    timeoutMs: 300,
    logger,
    // Hangs until its signal is aborted, as an operation waiting on a dead server does.
    run: async (signal) => { await new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })) },
  })
  let busyRuns = 0
  const busy = new Loop({ name: 'test-busy', intervalMs: 5, jitter: 0.5, logger, run: async () => { busyRuns++ } })
  t.after(async () => { await hung.stop(0); await busy.stop(0) })
  hung.start()
  busy.start()
  await until(() => busyRuns >= 5, 'five runs of the busy loop')
  assert.equal(hung.status.runs, 1)
  assert.equal(hung.status.failures, 0, 'the busy loop ran five times while the hung run was still in flight')
  await until(() => hung.status.failures === 1, 'the hung run\'s timeout')
  assert.equal(hung.status.lastError, 'agent loop test-hung: run exceeded 300 ms')
  assert.equal(await runsTotal('test-hung', 'timeout'), 1)
  const after = busyRuns
  await until(() => busyRuns > after, 'the busy loop running on')
  assert.equal(busy.status.failures, 0)
})

test('a failing loop is counted and reported, runs again, and does not stop another', async (t) => {
  const reported: string[] = []
  const failing = new Loop({ name: 'test-failing', intervalMs: 5, jitter: 0, logger, run: async () => { throw new Error('Connect is down') }, onError: (e) => reported.push((e as Error).message) })
  let fineRuns = 0
  const fine = new Loop({ name: 'test-fine', intervalMs: 5, jitter: 0, logger, run: async () => { fineRuns++ } })
  t.after(async () => { await failing.stop(0); await fine.stop(0) })
  failing.start()
  fine.start()
  await until(() => failing.status.failures >= 3 && fineRuns >= 3, 'three runs of each')
  assert.equal(failing.status.lastError, 'Connect is down')
  assert.deepEqual([...new Set(reported)], ['Connect is down'])
  assert.ok(await runsTotal('test-failing', 'error') >= 3)
  assert.equal(fine.status.failures, 0)
  assert.ok(fine.status.lastSuccessAt !== undefined)
})

test('runs of one loop never overlap: triggers during a run wait for it, then one more run follows', async (t) => {
  let inFlight = 0
  let most = 0
  let release: (() => void) | undefined
  let runs = 0
  const loop = new Loop({
    name: 'test-serial',
    intervalMs: 60_000,
    jitter: 0,
    logger,
    run: async () => {
      runs++
      inFlight++
      most = Math.max(most, inFlight)
      if (runs === 1) await new Promise<void>((resolve) => { release = resolve })
      inFlight--
    },
  })
  t.after(async () => { await loop.stop(0) })
  loop.start()
  await until(() => release !== undefined, 'the first run')
  const triggers = [loop.trigger(), loop.trigger(), loop.trigger()]
  release?.()
  await Promise.all(triggers)
  assert.equal(most, 1, 'never two runs at once')
  assert.equal(runs, 2, 'the triggers made during the run asked for one more run')
})

test('stop lets the run in flight finish within the grace; past it, the run\'s signal is aborted and awaited', async () => {
  let release: (() => void) | undefined
  let finished = false
  const patient = new Loop({
    name: 'test-stop-finish',
    intervalMs: 60_000,
    jitter: 0,
    logger,
    run: async () => { await new Promise<void>((resolve) => { release = resolve }); finished = true },
  })
  patient.start()
  await until(() => release !== undefined, 'the run')
  const stopped = patient.stop(60_000)
  release?.()
  await stopped
  assert.equal(finished, true, 'the run in flight finished')
  assert.equal(patient.status.failures, 0, 'and was not aborted')

  let reason: unknown
  const stubborn = new Loop({
    name: 'test-stop-abort',
    intervalMs: 60_000,
    jitter: 0,
    logger,
    run: async (signal) => { await new Promise((resolve) => signal.addEventListener('abort', () => { reason = signal.reason; resolve(undefined) }, { once: true })) },
  })
  stubborn.start()
  await until(() => stubborn.status.running, 'the run')
  await stubborn.stop(50)
  assert.match(String(reason), /agent loop test-stop-abort: stopped/)
  assert.equal(stubborn.status.running, false)
})
