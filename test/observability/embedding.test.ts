/**
 * What a service embedding steadfast sees: metrics in the registry it gives, under its client_id;
 * log lines with one `component` key and errors serialised by pino's error serializer; and
 * diagnostics-channel events per request and per retry, with their data.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { Cluster } from '../../src/cluster/cluster.ts'
import { resolveConsumerOptions } from '../../src/consumer/options.ts'
import { resolveProducerOptions } from '../../src/producer/options.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Metrics, registry as sharedRegistry } from '../../src/observability/metrics.ts'
import { requestChannel, type RequestDiagnostic, type RetryDiagnostic } from '../../src/observability/tracing.ts'
import { SteadfastError, TransportError } from '../../src/resilience/errors.ts'
import { retry } from '../../src/resilience/retry.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'
import { ConnectClient } from '../../src/connect/client.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { clientFor, startSim } from '../cruise-control/fixtures.ts'
import { ScriptedBroker } from '../support/scripted-broker.ts'

const silent = createLogger({ level: 'silent' })

function logLines (level: string): { logger: ReturnType<typeof createLogger>, raw: string[] } {
  const raw: string[] = []
  const destination = new Writable({ write (chunk, _enc, done) { raw.push(String(chunk)); done() } })
  return { logger: createLogger({ level, destination }), raw }
}

async function twoRetries (options: Partial<Parameters<typeof retry>[1]> = {}): Promise<void> {
  const clock = new FakeClock()
  let calls = 0
  await clock.run(retry(async () => {
    calls++
    if (calls === 1) throw new SteadfastError('the coordinator is loading', { action: 'retry', reason: 'COORDINATOR_LOAD_IN_PROGRESS' })
    if (calls === 2) throw new TransportError('connection reset by 127.0.0.1:9092', 'ECONNRESET')
  }, { component: 'admin', operation: 'listGroups', clock, logger: silent, policy: { jitter: 'none', initialDelayMs: 10 }, ...options }))
}

describe('metrics in the registry a service gives', () => {
  test('the retry loop counts into the given registry under the client_id, and nothing into the shared one', async () => {
    const own = new Registry()
    const before = (await sharedRegistry.getSingleMetric('steadfast_retries_total')?.get())?.values.filter((v) => v.labels.client_id === 'billing-admin') ?? []
    await twoRetries({ metrics: new Metrics({ registry: own, clientId: 'billing-admin' }) })
    const values = (await own.getSingleMetric('steadfast_retries_total')?.get())?.values ?? []
    assert.deepEqual(values.map((v): Record<string, unknown> => ({ ...v.labels, value: v.value })).sort((a, b) => String(a.reason).localeCompare(String(b.reason))), [
      { component: 'admin', operation: 'listGroups', reason: 'COORDINATOR_LOAD_IN_PROGRESS', client_id: 'billing-admin', value: 1 },
      { component: 'admin', operation: 'listGroups', reason: 'econnreset', client_id: 'billing-admin', value: 1 },
    ])
    const after = (await sharedRegistry.getSingleMetric('steadfast_retries_total')?.get())?.values.filter((v) => v.labels.client_id === 'billing-admin') ?? []
    assert.deepEqual(after, before)
  })

  test('clients built on a given cluster count in that cluster\'s registry unless given their own', async (t) => {
    const own = new Registry()
    const cluster = new Cluster({ bootstrap: '127.0.0.1:9', logger: silent, registry: own })
    t.after(async () => await cluster.close())
    assert.equal(resolveProducerOptions({ cluster }).metrics.registry, own)
    assert.equal(resolveConsumerOptions({ cluster }).metrics.registry, own)
    const other = new Registry()
    assert.equal(resolveProducerOptions({ cluster, registry: other }).metrics.registry, other)
    assert.equal(resolveProducerOptions({ bootstrap: '127.0.0.1:9' }).metrics.registry, sharedRegistry)
    assert.deepEqual([resolveProducerOptions({ cluster }).metrics.clientId, resolveProducerOptions({ cluster, clientId: 'billing' }).metrics.clientId], ['steadfast-producer', 'billing'])
  })

  test('a Cruise Control client counts its requests in its own registry, labelled with its clientId', async (t) => {
    const sim = await startSim()
    t.after(async () => await sim.stop())
    const own = new Registry()
    const client = clientFor(sim, { registry: own, clientId: 'ops-cc' })
    t.after(async () => await client.close())
    await client.state()
    await client.state()
    const values = (await own.getSingleMetric('steadfast_cruise_control_requests_total')?.get())?.values ?? []
    assert.deepEqual(values.map((v) => ({ ...v.labels, value: v.value })), [{ endpoint: 'state', status: '200', client_id: 'ops-cc', value: 2 }])
  })
})

describe('log lines', () => {
  test('a retry logged through a logger that names its component carries one component key', async () => {
    const { logger, raw } = logLines('info')
    await twoRetries({ logger: logger.child({ component: 'admin' }) })
    assert.equal(raw.length, 2)
    for (const line of raw) assert.equal(line.split('"component":').length, 2, line)
    assert.deepEqual(raw.map((l) => JSON.parse(l).component), ['admin', 'admin'])
  })

  test('errors go through pino\'s error serializer: type, message and code; the stack only at debug', async () => {
    const info = logLines('info')
    await twoRetries({ logger: info.logger })
    const reset = JSON.parse(info.raw[1] ?? '{}').err
    assert.equal(reset.type, 'TransportError')
    assert.equal(reset.message, 'connection reset by 127.0.0.1:9092')
    assert.equal(reset.code, 'STEADFAST_ERR_TRANSPORT')
    assert.equal(reset.stack, undefined)
    const debug = logLines('debug')
    await twoRetries({ logger: debug.logger })
    assert.match(JSON.parse(debug.raw[1] ?? '{}').err.stack, /^TransportError: connection reset by 127\.0\.0\.1:9092\n\s+at /)
  })
})

describe('diagnostics channels', () => {
  test('steadfast:retry publishes each retry with what failed, the delay and the client', async (t) => {
    const events: RetryDiagnostic[] = []
    const onRetry = (message: unknown): void => { events.push(message as RetryDiagnostic) }
    subscribe('steadfast:retry', onRetry)
    t.after(() => unsubscribe('steadfast:retry', onRetry))
    await twoRetries({ metrics: new Metrics({ registry: new Registry(), clientId: 'diag' }) })
    assert.deepEqual(events.map(({ error, ...rest }) => ({ ...rest, error: (error as Error).message })), [
      { component: 'admin', operation: 'listGroups', attempt: 1, delayMs: 10, action: 'retry', reason: 'COORDINATOR_LOAD_IN_PROGRESS', error: 'the coordinator is loading', clientId: 'diag' },
      { component: 'admin', operation: 'listGroups', attempt: 2, delayMs: 20, action: 'reconnect', reason: 'econnreset', error: 'connection reset by 127.0.0.1:9092', clientId: 'diag' },
    ])
  })

  test('tracing:steadfast:request:* frame every Kafka request with the same context object', async (t) => {
    const broker = await new ScriptedBroker([]).start()
    t.after(async () => await broker.stop())
    const cluster = new Cluster({ bootstrap: broker.bootstrap, clientId: 'diag-client', logger: silent })
    t.after(async () => await cluster.close())
    const seen: Array<[string, RequestDiagnostic]> = []
    const handlers = {
      start: (c: RequestDiagnostic) => seen.push(['start', c]),
      end: (c: RequestDiagnostic) => seen.push(['end', c]),
      asyncStart: (c: RequestDiagnostic) => seen.push(['asyncStart', c]),
      asyncEnd: (c: RequestDiagnostic) => seen.push(['asyncEnd', c]),
      error: (c: RequestDiagnostic) => seen.push(['error', c]),
    }
    requestChannel.subscribe(handlers)
    t.after(() => requestChannel.unsubscribe(handlers))
    const metadata = await cluster.refreshMetadata()
    assert.deepEqual(seen.map(([event]) => event), ['start', 'end', 'asyncStart', 'asyncEnd'])
    const context = seen[0]?.[1]
    assert.ok(seen.every(([, c]) => c === context), 'one context object per request')
    assert.deepEqual({ ...context, result: undefined }, {
      system: 'kafka', operation: 'Metadata', version: context?.version, target: `bootstrap ${broker.bootstrap}`, clientId: 'diag-client', result: undefined,
    })
    assert.ok(Number.isInteger(context?.version) && (context?.version ?? -1) >= 1, `a negotiated Metadata version, got ${context?.version}`)
    assert.deepEqual([...metadata.brokers.keys()].length, 1)
    assert.equal((context?.result as { version: number }).version, context?.version, 'asyncEnd carries the response')
  })

  test('HTTP exchanges with Connect and Cruise Control are framed by the same request channel', async (t) => {
    const connectSim = await ConnectSimulator.start({ workers: 1 })
    t.after(async () => await connectSim.stop())
    const ccSim = await startSim()
    t.after(async () => await ccSim.stop())
    const connect = new ConnectClient({ urls: connectSim.urls, logger: silent, clientId: 'ops-connect' })
    t.after(async () => await connect.close())
    const cc = clientFor(ccSim, { clientId: 'ops-cc' })
    t.after(async () => await cc.close())
    const starts: RequestDiagnostic[] = []
    const ends: RequestDiagnostic[] = []
    const errors: RequestDiagnostic[] = []
    const handlers = {
      start: (c: RequestDiagnostic) => starts.push(c),
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (c: RequestDiagnostic) => ends.push(c),
      error: (c: RequestDiagnostic) => errors.push(c),
    }
    requestChannel.subscribe(handlers)
    t.after(() => requestChannel.unsubscribe(handlers))
    await connect.listConnectors()
    await cc.state()
    assert.deepEqual(starts.map(({ result, ...c }) => c), [
      { system: 'connect', operation: 'listConnectors', method: 'GET', target: connectSim.urls[0], clientId: 'ops-connect' },
      { system: 'cruise-control', operation: 'state', method: 'GET', target: cc.baseUrl, clientId: 'ops-cc' },
    ])
    assert.deepEqual(ends, starts, 'each request ended, with the same context objects')
    assert.deepEqual(ends.map((c) => (c.result as { status: number }).status), [200, 200])
    assert.deepEqual(errors, [])
  })
})
