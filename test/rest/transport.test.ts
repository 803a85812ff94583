/**
 * The shared REST transport against small local HTTP servers: fail-over between base URLs as the
 * fault policy allows, basic auth per URL, the body size bound, error text, the policy's verdict
 * on the error, retries under the policy, and the request duration histogram.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLogger } from '../../src/observability/logger.ts'
import { registry } from '../../src/observability/metrics.ts'
import { classify } from '../../src/resilience/classify.ts'
import { HttpResponseError, SteadfastError, TransportError } from '../../src/resilience/errors.ts'
import { classifyHttpStatus, mayFailOver, type RestFaultPolicy } from '../../src/rest/faults.ts'
import { RestTransport, type RestTransportOptions } from '../../src/rest/transport.ts'

const logger = createLogger({ level: 'silent' })
const servers: Server[] = []
after(async () => { await Promise.all(servers.map(async (s) => { await new Promise((resolve) => s.close(resolve)) })) })

interface Seen { path: string, authorization: string | undefined, body: string }

async function serve (handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string, seen: Seen[] }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization, body })
      handler(req, res, body)
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

/** A port nothing listens on: a server opened and closed again. */
async function deadUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

const plainFaults: RestFaultPolicy = {
  answer: classifyHttpStatus,
  attempt: (error) => classify(error),
  failOver: (error, request) => mayFailOver(error, request.method),
}

function transport (urls: string[], extra: Partial<RestTransportOptions<undefined>> = {}): RestTransport {
  const t = new RestTransport({
    component: 'test-rest',
    name: 'Test',
    peer: 'server',
    urls,
    requestTimeoutMs: 5_000,
    policy: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 3, deadlineMs: 5_000, jitter: 'none' },
    faults: plainFaults,
    serverMessage: (body, text) => typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : text,
    logger,
    ...extra,
  })
  after(async () => { await t.close() })
  return t
}

describe('RestTransport', () => {
  test('sends JSON under the base path, with per-URL basic auth, and parses the JSON answer', async () => {
    const peer = await serve((_req, res, body) => { res.setHeader('x-echo', 'yes'); res.end(JSON.stringify({ got: JSON.parse(body) })) })
    const base = peer.url.replace('http://', 'http://alice:s3cret@') + '/prefix/'
    const t = transport([base])
    const response = await t.request({ operation: 'put', method: 'PUT', path: '/things/a?x=1', body: { n: 1 } })
    assert.deepEqual([response.status, response.body, response.header('X-Echo')], [200, { got: { n: 1 } }, 'yes'])
    assert.deepEqual(peer.seen.map((s) => [s.path, s.authorization]), [['/prefix/things/a?x=1', `Basic ${Buffer.from('alice:s3cret').toString('base64')}`]])
    assert.deepEqual(t.urls, [`${peer.url}/prefix`], 'urls are shown without userinfo')
  })

  test('a refused URL is skipped within the attempt, for any method; the one that answered goes first next time', async () => {
    const dead = await deadUrl()
    const live = await serve((_req, res) => { res.statusCode = 201; res.end('') })
    const t = transport([dead, live.url])
    const first = await t.request({ operation: 'create', method: 'POST', path: '/things', body: {} })
    assert.deepEqual([first.status, first.body], [201, undefined])
    await t.request({ operation: 'create', method: 'POST', path: '/things', body: {} })
    assert.equal(live.seen.length, 2)
  })

  test('an error answer carries the policy\'s verdict and a message that names the request and quotes the server', async () => {
    const peer = await serve((_req, res) => { res.statusCode = 404; res.end(JSON.stringify({ message: 'Thing a not found' })) })
    const t = transport([peer.url])
    await assert.rejects(t.request({ operation: 'get', method: 'GET', path: '/things/a' }), (error: unknown) => {
      assert.ok(error instanceof HttpResponseError)
      assert.equal(error.message, `Test GET ${peer.url}/things/a answered 404: Thing a not found`)
      assert.deepEqual([error.status, error.serverMessage, error.action, error.reason], [404, 'Thing a not found', 'fatal', 'http-404'])
      return true
    })
    assert.equal(peer.seen.length, 1, 'a fatal answer is not retried')
  })

  test('a retriable answer is retried under the policy until it succeeds', async () => {
    let calls = 0
    const peer = await serve((_req, res) => { calls++; res.statusCode = calls < 3 ? 503 : 200; res.end(calls < 3 ? 'busy' : '{"ok":true}') })
    const t = transport([peer.url])
    assert.deepEqual((await t.request({ operation: 'get', method: 'GET', path: '/' })).body, { ok: true })
    assert.equal(calls, 3)
  })

  test('`accept` and `success` decide which statuses are answers', async () => {
    const peer = await serve((req, res) => { res.statusCode = req.url === '/health' ? 503 : 201; res.end('{}') })
    assert.equal((await transport([peer.url]).request({ operation: 'health', method: 'GET', path: '/health', accept: [503] })).status, 503)
    const strict = transport([peer.url], { success: (status) => status === 200 })
    await assert.rejects(strict.request({ operation: 'create', method: 'GET', path: '/x' }), (e: unknown) => e instanceof HttpResponseError && e.status === 201)
  })

  test('a body larger than maxBodyBytes is not read: fatal, reason body-too-large', async () => {
    const peer = await serve((_req, res) => { res.end('x'.repeat(4096)) })
    const t = transport([peer.url], { maxBodyBytes: 1024 })
    await assert.rejects(t.request({ operation: 'big', method: 'GET', path: '/big' }), (error: unknown) => {
      assert.ok(error instanceof SteadfastError)
      assert.deepEqual([error.action, error.reason], ['fatal', 'body-too-large'])
      assert.equal(error.message, `Test GET ${peer.url}/big: the answer's body is larger than 1024 bytes; not reading it`)
      return true
    })
    assert.equal(peer.seen.length, 1)
  })

  test('with no URL answering, the last transport error comes back after the policy\'s attempts', async () => {
    const t = transport([await deadUrl(), await deadUrl()])
    await assert.rejects(t.request({ operation: 'get', method: 'GET', path: '/' }), (error: unknown) => {
      assert.ok(error instanceof SteadfastError && error.cause instanceof TransportError)
      assert.equal(error.cause.systemCode, 'ECONNREFUSED')
      return true
    })
  })

  test('every exchange is timed by component, operation and status; onExchange is told each status', async () => {
    const peer = await serve((req, res) => { res.statusCode = req.url === '/missing' ? 404 : 200; res.end('{}') })
    const statuses: number[] = []
    const t = transport([peer.url], { component: 'timed-rest', onExchange: (_request, status) => statuses.push(status) })
    await t.request({ operation: 'read', method: 'GET', path: '/here' })
    await t.request({ operation: 'read', method: 'GET', path: '/missing' }).catch(() => {})
    assert.deepEqual(statuses, [200, 404])
    const metric = await registry.getSingleMetric('steadfast_rest_request_duration_seconds')?.get()
    const values = (metric?.values ?? []) as Array<{ metricName?: string, labels: Record<string, string | number>, value: number }>
    const counts = values.filter((v) => v.metricName === 'steadfast_rest_request_duration_seconds_count' && v.labels.component === 'timed-rest')
      .map((v) => [v.labels.operation, v.labels.status, v.value])
    assert.deepEqual(counts.sort(), [['read', '200', 1], ['read', '404', 1]])
  })
})
