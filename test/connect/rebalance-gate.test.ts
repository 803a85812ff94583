/**
 * The Connect client's rebalance gate, with the real retry loop and Connect's default policy on a
 * virtual clock: 16 writes meet a 10 s rebalance (every attempt answered 409). While the group
 * rebalances one probe at a time reaches it, at most one per probe interval, and once a write
 * succeeds every other goes at once, instead of each sleeping out a backoff grown to seconds.
 * Without the gate (the same writes, the same policy) the last one lands seconds after the end.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RebalanceGate } from '../../src/connect/rebalance-gate.ts'
import { CONNECT_DEFAULT_POLICY } from '../../src/connect/options.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { HttpResponseError } from '../../src/resilience/errors.ts'
import { retry } from '../../src/resilience/retry.ts'
import { Metrics } from '../../src/observability/metrics.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import { Registry } from 'prom-client'

const STORM_MS = 10_000
const PROBE_MS = 200
const LATENCY_MS = 10
const WRITES = 16
const logger = createLogger({ level: 'silent' })

interface Outcome { attempts: number, duringStorm: number, mostInFlightWhileClosed: number, lastSuccessAt: number, stormEnd: number }

async function stormOfWrites (gated: boolean): Promise<Outcome> {
  const clock = new FakeClock(0)
  const gate = new RebalanceGate(PROBE_MS, clock)
  const stormEnd = STORM_MS
  let attempts = 0
  let duringStorm = 0
  let inFlight = 0
  let mostInFlightWhileClosed = 0
  let lastSuccessAt = 0
  const metrics = new Metrics({ registry: new Registry(), clientId: 'gate-test' })
  // One write as the workers see it: LATENCY_MS in flight, a rebalance 409 until the storm ends.
  const send = async (): Promise<string> => {
    attempts++
    inFlight++
    if (gate.closed) mostInFlightWhileClosed = Math.max(mostInFlightWhileClosed, inFlight)
    await new Promise<void>((resolve) => clock.schedule(LATENCY_MS, resolve))
    inFlight--
    if (clock.now() < stormEnd) {
      duringStorm++
      throw new HttpResponseError('Connect POST http://w/connectors answered 409: Cannot complete request momentarily due to stale configuration', {
        status: 409, method: 'POST', url: 'http://w/connectors', action: 'retry', reason: 'rebalance',
      })
    }
    lastSuccessAt = clock.now()
    return 'created'
  }
  const writes = Array.from({ length: WRITES }, async () => await retry(async (context) => gated ? await gate.admit(send, context.signal) : await send(), {
    component: 'connect', operation: 'createConnector', policy: { ...CONNECT_DEFAULT_POLICY, jitter: 'none' }, clock, logger, metrics,
  }))
  const results = await clock.run(Promise.all(writes))
  assert.deepEqual(results, Array(WRITES).fill('created'), 'every write succeeded')
  return { attempts, duringStorm, mostInFlightWhileClosed, lastSuccessAt, stormEnd }
}

test('through a 10 s rebalance, one probe at a time at most every 200 ms; every write lands within a probe interval of its end', async () => {
  const o = await stormOfWrites(true)
  assert.equal(o.mostInFlightWhileClosed, 1, 'while the gate was closed only the probe was in flight')
  // The first wave (16), then at most one probe per interval over the storm.
  assert.ok(o.duringStorm <= WRITES + Math.ceil(STORM_MS / PROBE_MS) + 1, `409s: ${o.duringStorm}`)
  assert.equal(o.attempts, o.duringStorm + WRITES, 'each write succeeded at its first attempt after the storm')
  assert.ok(o.lastSuccessAt - o.stormEnd <= PROBE_MS + 2 * LATENCY_MS, `last write ${o.lastSuccessAt - o.stormEnd} ms after the storm's end`)
})

test('without the gate the same writes each retry on their own backoff: more 409s, and the last lands seconds after the end', async () => {
  const o = await stormOfWrites(false)
  assert.ok(o.mostInFlightWhileClosed === 0, 'no gate was consulted')
  assert.ok(o.duringStorm > WRITES * 5, `409s: ${o.duringStorm}`)
  assert.ok(o.lastSuccessAt - o.stormEnd > 1_000, `last write ${o.lastSuccessAt - o.stormEnd} ms after the storm's end`)
})

test('a write that waits at the closed gate still ends at its own deadline, with the 409 as the cause', async () => {
  const clock = new FakeClock(0)
  const gate = new RebalanceGate(PROBE_MS, clock)
  const metrics = new Metrics({ registry: new Registry(), clientId: 'gate-test' })
  const refuse = async (): Promise<never> => {
    await new Promise<void>((resolve) => clock.schedule(LATENCY_MS, resolve))
    throw new HttpResponseError('answered 409: Cannot complete request momentarily due to no known leader URL', { status: 409, method: 'DELETE', url: 'http://w/connectors/a', action: 'retry', reason: 'rebalance' })
  }
  const writes = [1_000, 3_000].map(async (deadlineMs) => await retry(async (context) => await gate.admit(refuse, context.signal), {
    component: 'connect', operation: 'deleteConnector', policy: { ...CONNECT_DEFAULT_POLICY, jitter: 'none', deadlineMs }, clock, logger, metrics,
  }).then(() => 'succeeded', (error: Error) => `${clock.now()}: ${(error.cause as Error | undefined)?.message ?? error.message}`))
  const [short, long] = await clock.run(Promise.all(writes))
  assert.match(short ?? '', /^\d+: answered 409: Cannot complete request momentarily due to no known leader URL$/)
  assert.match(long ?? '', /^\d+: answered 409/)
  assert.ok(Number(short?.split(':')[0]) <= 1_000 && Number(long?.split(':')[0]) <= 3_000, `${short} / ${long}`)
  assert.equal(gate.closed, true)
})
