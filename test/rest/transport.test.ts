/**
 * The shared REST transport against small local HTTP servers: fail-over between base URLs as the
 * fault policy allows, basic auth per URL, the body size bound, error text, the policy's verdict
 * on the error, retries under the policy, and the request duration histogram.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { Registry } from 'prom-client'
import { createLogger } from '../../src/observability/logger.ts'
import { Metrics, registry } from '../../src/observability/metrics.ts'
import { REDACTED } from '../../src/observability/redact.ts'
import { classify } from '../../src/resilience/classify.ts'
import { HttpResponseError, SteadfastError, TransportError } from '../../src/resilience/errors.ts'
import { classifyHttpStatus, mayFailOver, type RestFaultPolicy } from '../../src/rest/faults.ts'
import { RestTransport, type RestTransportOptions } from '../../src/rest/transport.ts'

const logger = createLogger({ level: 'silent' })
const servers: Server[] = []
after(async () => { await Promise.all(servers.map(async (s) => { await new Promise((resolve) => s.close(resolve)) })) })

interface Seen { path: string, authorization: string | undefined, body: string, headers: IncomingMessage['headers'] }

async function serve (handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string, seen: Seen[] }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization, body, headers: req.headers })
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
    await assert.rejects(t.request({ operation: 'read', method: 'GET', path: '/missing' }), (error: unknown) => error instanceof HttpResponseError && error.status === 404)
    assert.deepEqual(statuses, [200, 404])
    const metric = await registry.getSingleMetric('steadfast_rest_request_duration_seconds')?.get()
    const values = (metric?.values ?? []) as Array<{ metricName?: string, labels: Record<string, string | number>, value: number }>
    const counts = values.filter((v) => v.metricName === 'steadfast_rest_request_duration_seconds_count' && v.labels.component === 'timed-rest')
      .map((v) => [v.labels.operation, v.labels.status, v.value])
    assert.deepEqual(counts.sort(), [['read', '200', 1], ['read', '404', 1]])
  })
})

/** A TCP server that drops every connection it accepts, counting them: a lost connection, before any answer. */
async function dropping (): Promise<{ url: string, connections: () => number }> {
  let connections = 0
  const server = createTcpServer((socket) => { connections++; socket.destroy() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  after(async () => { await new Promise((resolve) => server.close(resolve)) })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections }
}

function recordingLogger (): { logger: ReturnType<typeof createLogger>, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  return { lines, logger: createLogger({ level: 'warn', destination: { write: (line: string) => { lines.push(JSON.parse(line)) } } }) }
}

const once = { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 1, deadlineMs: 5_000, jitter: 'none' as const }

describe('RestTransport: what goes on the wire', () => {
  test('accept on every request, content-type only with a body, the transport\'s headers under the request\'s own', async () => {
    const peer = await serve((_req, res) => { res.end('{}') })
    const t = transport([peer.url], { headers: { 'user-agent': 'tester', 'x-team': 'data' } })
    await t.request({ operation: 'get', method: 'GET', path: '/a' })
    await t.request({ operation: 'put', method: 'PUT', path: '/b', body: { n: 1 }, headers: { 'x-team': 'ops' } })
    const [get, put] = peer.seen.map((s) => s.headers)
    assert.deepEqual([get.accept, get['content-type'], get['user-agent'], get['x-team']], ['application/json', undefined, 'tester', 'data'])
    assert.deepEqual([put.accept, put['content-type'], put['user-agent'], put['x-team']], ['application/json', 'application/json', 'tester', 'ops'])
  })

  test('userinfo in a URL is percent-decoded before it becomes basic auth; a URL without it takes the transport\'s auth', async () => {
    const peer = await serve((_req, res) => { res.end('{}') })
    const t = transport([peer.url.replace('http://', 'http://al%40ice:p%3Ass@')])
    await t.request({ operation: 'get', method: 'GET', path: '/' })
    const shared = transport([peer.url], { auth: { username: 'bob', password: 'pw-bob' } })
    await shared.request({ operation: 'get', method: 'GET', path: '/' })
    assert.deepEqual(peer.seen.map((s) => s.authorization), [`Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`, `Basic ${Buffer.from('bob:pw-bob').toString('base64')}`])
  })

  test('the value of an extra header named like a credential is redacted from errors; other header values are not', async () => {
    const peer = await serve((req, res) => { res.statusCode = 400; res.end(`saw ${String(req.headers['x-api-key'])} and ${String(req.headers['x-trace'])}`) })
    const t = transport([peer.url], { headers: { 'x-api-key': 'k3y-v4lue-rest', 'x-trace': 'tr4ce-v4lue-rest' } })
    await assert.rejects(t.request({ operation: 'get', method: 'GET', path: '/' }), (error: unknown) => {
      assert.ok(error instanceof HttpResponseError)
      assert.equal(error.message, `Test GET ${peer.url}/ answered 400: saw ${REDACTED} and tr4ce-v4lue-rest`)
      return true
    })
  })
})

describe('RestTransport: fail-over within one attempt', () => {
  test('a POST whose connection was lost is not sent to the next URL (it may have arrived); a GET goes on to every URL once', async () => {
    const first = await dropping()
    const second = await dropping()
    const t = transport([first.url, second.url], { policy: once })
    await assert.rejects(t.request({ operation: 'create', method: 'POST', path: '/things', body: {} }), (error: unknown) => error instanceof SteadfastError && error.cause instanceof TransportError)
    assert.deepEqual([first.connections(), second.connections()], [1, 0])
    await assert.rejects(t.request({ operation: 'read', method: 'GET', path: '/things' }), (error: unknown) => error instanceof SteadfastError && error.cause instanceof TransportError)
    assert.deepEqual([first.connections(), second.connections()], [2, 1], 'each URL once, none twice')
  })

  test('an error answer is the answer: the next URL is not asked within the attempt', async () => {
    const busy = await serve((_req, res) => { res.statusCode = 503; res.end('busy') })
    const idle = await serve((_req, res) => { res.end('{}') })
    const t = transport([busy.url, idle.url], { policy: once })
    await assert.rejects(t.request({ operation: 'read', method: 'GET', path: '/' }), (error: unknown) => error instanceof SteadfastError && error.cause instanceof HttpResponseError)
    assert.deepEqual([busy.seen.length, idle.seen.length], [1, 0])
  })

  test('moving on to the next URL is logged at warn on the transport\'s logger; with one URL there is no next one to name', async () => {
    const dead = await deadUrl()
    const live = await serve((_req, res) => { res.end('{}') })
    const two = recordingLogger()
    await transport([dead, live.url], { logger: two.logger }).request({ operation: 'read', method: 'GET', path: '/x' })
    assert.deepEqual(two.lines.map((l) => [l.level, l.component, l.operation, l.server, l.reason]), [[40, 'test-rest', 'read', dead, 'econnrefused']])
    assert.match(String(two.lines[0]?.msg), new RegExp(`^test-rest server ${dead} did not answer GET /x \\(ECONNREFUSED\\); trying the next server$`))
    const one = recordingLogger()
    await assert.rejects(transport([dead], { logger: one.logger, policy: once }).request({ operation: 'read', method: 'GET', path: '/x' }))
    assert.deepEqual(one.lines.filter((l) => String(l.msg).includes('trying the next')), [])
  })

  test('with no URL at all, the request fails as refused, saying so', async () => {
    await assert.rejects(transport([], { policy: once }).request({ operation: 'read', method: 'GET', path: '/' }), (error: unknown) => {
      assert.ok(error instanceof SteadfastError && error.cause instanceof TransportError)
      assert.deepEqual([error.cause.systemCode, error.cause.message], ['ECONNREFUSED', 'Test: no URL to send to'])
      return true
    })
  })
})

describe('RestTransport: reading the answer', () => {
  test('a body of exactly maxBodyBytes is read', async () => {
    const peer = await serve((_req, res) => { res.end('y'.repeat(1024)) })
    assert.equal((await transport([peer.url], { maxBodyBytes: 1024 }).request({ operation: 'get', method: 'GET', path: '/' })).body, 'y'.repeat(1024))
  })

  test('JSON when it parses, the text when it does not, nothing for a blank body', async () => {
    const bodies: Record<string, string> = { '/json': '{"a":[1]}', '/text': 'plain words', '/blank': ' \n\t ' }
    const peer = await serve((req, res) => { res.end(bodies[req.url ?? '']) })
    const t = transport([peer.url])
    const read = async (path: string): Promise<unknown> => (await t.request({ operation: 'get', method: 'GET', path })).body
    assert.deepEqual([await read('/json'), await read('/text'), await read('/blank')], [{ a: [1] }, 'plain words', undefined])
  })

  test('every 2xx is a success by default, a 3xx is not (redirects are never followed)', async () => {
    const peer = await serve((req, res) => { res.statusCode = Number(req.url?.slice(1)); if (res.statusCode === 300) res.setHeader('location', '/moved'); res.end() })
    const t = transport([peer.url], { policy: once })
    for (const status of [200, 204, 299]) assert.equal((await t.request({ operation: 'get', method: 'GET', path: `/${status}` })).status, status)
    await assert.rejects(t.request({ operation: 'get', method: 'GET', path: '/300' }), (error: unknown) => {
      assert.ok(error instanceof HttpResponseError)
      assert.equal(error.message, `Test GET ${peer.url}/300 answered 300 (a redirect, to /moved; redirects are not followed: use the URL it points to)`)
      return true
    })
  })

  test('an error answer without a message says so and carries no serverMessage; the server\'s Retry-After rides on the error', async () => {
    const peer = await serve((_req, res) => { res.statusCode = 503; res.setHeader('retry-after', '2'); res.end() })
    await assert.rejects(transport([peer.url], { policy: once }).request({ operation: 'get', method: 'GET', path: '/' }), (error: unknown) => {
      assert.ok(error instanceof SteadfastError && error.cause instanceof HttpResponseError)
      assert.equal(error.cause.message, `Test GET ${peer.url}/ answered 503 (no message)`)
      assert.deepEqual([error.cause.serverMessage, error.cause.retryAfterMs, error.cause.reason], [undefined, 2000, 'http-503'])
      return true
    })
  })

  test('a header sent twice reads as its first value', async () => {
    const peer = await serve((_req, res) => { res.setHeader('x-task', ['first', 'second']); res.end('{}') })
    assert.equal((await transport([peer.url]).request({ operation: 'get', method: 'GET', path: '/' })).header('x-task'), 'first')
  })

  test('the duration histogram goes to the client\'s registry under its client id, in seconds from sending to the whole body', async (t) => {
    // performance.now is held still and moved on by the server while it answers: the exchange lasts 2.5 s exactly.
    let now = 1_000
    t.mock.method(performance, 'now', () => now)
    const peer = await serve((_req, res) => { now = 3_500; res.end('{}') })
    const own = new Registry()
    await transport([peer.url], { component: 'metered-rest', metrics: new Metrics({ registry: own, clientId: 'rest-client' }) }).request({ operation: 'read', method: 'GET', path: '/' })
    const values = ((await own.getSingleMetric('steadfast_rest_request_duration_seconds')?.get())?.values ?? []) as Array<{ metricName?: string, labels: Record<string, string | number>, value: number }>
    const pick = (name: string, le?: number): unknown[] => values.filter((v) => v.metricName === name && (le === undefined || v.labels.le === le))
      .map((v) => [v.labels.component, v.labels.operation, v.labels.status, v.labels.client_id, v.value])
    assert.deepEqual(pick('steadfast_rest_request_duration_seconds_sum'), [['metered-rest', 'read', '200', 'rest-client', 2.5]])
    assert.deepEqual(pick('steadfast_rest_request_duration_seconds_bucket', 1), [['metered-rest', 'read', '200', 'rest-client', 0]])
    assert.deepEqual(pick('steadfast_rest_request_duration_seconds_bucket', 2.5), [['metered-rest', 'read', '200', 'rest-client', 1]])
  })
})
