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
import { requestChannel, type RequestDiagnostic } from '../../src/observability/tracing.ts'
import { classify } from '../../src/resilience/classify.ts'
import { AbortedError, HttpResponseError, SteadfastError, TransportError } from '../../src/resilience/errors.ts'
import { classifyHttpStatus, mayFailOver, type RestFaultPolicy } from '../../src/rest/faults.ts'
import { ClientClosedError, RestTransport, type RestTransportOptions } from '../../src/rest/transport.ts'
import { FakeClock } from '../../src/testkit/fake-clock.ts'

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

function options (urls: string[], extra: Partial<RestTransportOptions<undefined>> = {}): RestTransportOptions<undefined> {
  return {
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
  }
}

/** A transport closed when the file's tests end. */
function transport (urls: string[], extra: Partial<RestTransportOptions<undefined>> = {}): RestTransport {
  const t = new RestTransport(options(urls, extra))
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

  test('close is idempotent; after it a request fails at once, and one retrying stops at its next attempt', async () => {
    let calls = 0
    let answered = (): void => {}
    const firstAnswer = new Promise<void>((resolve) => { answered = resolve })
    const peer = await serve((_req, res) => { calls++; res.statusCode = 503; res.end('busy'); answered() })
    // Retrying every 200 ms for up to a minute, if nothing stopped it.
    const t = new RestTransport(options([peer.url], { policy: { initialDelayMs: 200, maxDelayMs: 200, maxAttempts: Infinity, deadlineMs: 60_000, jitter: 'none' } }))
    const retrying = t.request({ operation: 'get', method: 'GET', path: '/busy' }).then(() => undefined, (e: unknown) => e)
    await firstAnswer
    await Promise.all([t.close(), t.close()])
    await t.close()
    const inFlight = await retrying
    assert.ok(inFlight instanceof ClientClosedError, String(inFlight))
    assert.equal(inFlight.message, 'Test GET /busy: the client is closed')
    assert.ok(calls <= 2, `no attempt after the close: ${calls}`)
    // Not a transport error after a minute of retries against the destroyed pool: this error, at once.
    await assert.rejects(t.request({ operation: 'get', method: 'GET', path: '/after' }), (e: unknown) => e instanceof ClientClosedError && e.action === 'fatal')
    assert.deepEqual(peer.seen.filter((x) => x.path === '/after'), [], 'nothing sent after the close')
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

/** A server that counts requests and open connections, and keeps idle ones for a minute, so only the client closes them here. */
async function counting (): Promise<{ url: string, seen: () => number, open: () => number }> {
  let seen = 0
  let open = 0
  const server = createServer((_req, res) => { seen++; res.end('{}') })
  server.keepAliveTimeout = 60_000
  server.on('connection', (socket) => { open++; socket.on('close', () => { open-- }) })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen, open: () => open }
}

/** Waits for `done()` to hold, polling at most `polls` times. */
async function until (done: () => boolean, what: string, polls = 3_000): Promise<void> {
  for (let i = 0; i < polls && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.ok(done(), what)
}

describe('RestTransport: URLs learned at run time', () => {
  test('are tried after the configured ones, once each; a configured URL is not learned again', async () => {
    const dead = await deadUrl()
    const first = await counting()
    const second = await counting()
    const t = transport([dead])
    t.setLearnedUrls([`${dead}/`, first.url, first.url, second.url])
    assert.deepEqual([t.urls, t.configuredUrls], [[dead, first.url, second.url], [dead]])
    await t.request({ operation: 'read', method: 'GET', path: '/' })
    assert.deepEqual([first.seen(), second.seen()], [1, 0], 'the refused configured URL, then the first learned one')
  })

  test('a URL still learned stays the one that answered last, whatever the new order; one no longer learned has its pool closed', async () => {
    const dead = await deadUrl()
    const answered = await counting()
    const other = await counting()
    const t = transport([dead])
    t.setLearnedUrls([answered.url, other.url])
    await t.request({ operation: 'read', method: 'GET', path: '/' })
    t.setLearnedUrls([other.url, answered.url])
    await t.request({ operation: 'read', method: 'GET', path: '/' })
    assert.deepEqual([answered.seen(), other.seen()], [2, 0], 'the URL that answered is asked first again')
    t.setLearnedUrls([other.url])
    assert.deepEqual(t.urls, [dead, other.url])
    await until(() => answered.open() === 0, 'the pool of the URL no longer learned is closed, and with it its connection')
    await t.request({ operation: 'read', method: 'GET', path: '/' })
    assert.deepEqual([answered.seen(), other.seen()], [2, 1])
  })

  test('a learned URL\'s pool that fails to close is logged at debug, not an unhandled rejection', async () => {
    const live = await counting()
    const lines: Array<Record<string, unknown>> = []
    // Closed here, so its pools are closed already when the learned URL is dropped.
    const t = new RestTransport(options([live.url], { logger: createLogger({ level: 'debug', destination: { write: (line: string) => { lines.push(JSON.parse(line)) } } }) }))
    t.setLearnedUrls([`${live.url}/learned`])
    await t.close()
    t.setLearnedUrls([])
    await until(() => lines.length > 0, 'the failed close is logged')
    assert.deepEqual(lines.map((l) => [l.level, l.component, l.url, l.msg]), [[20, 'test-rest', `${live.url}/learned`, 'closing the pool of a URL no longer learned failed']])
  })
})

describe('RestTransport: base URLs and close', () => {
  test('trailing slashes of a base URL, however many, are not part of its path prefix', async () => {
    const peer = await counting()
    const t = transport([`${peer.url}/prefix///`])
    assert.deepEqual(t.urls, [`${peer.url}/prefix`])
  })

  test('close closes the pools, and with them their connections; a request after it fails', async () => {
    const peer = await counting()
    const t = new RestTransport(options([peer.url]))
    await t.request({ operation: 'read', method: 'GET', path: '/' })
    await t.close()
    await until(() => peer.open() === 0, 'the connection is closed')
    await assert.rejects(t.request({ operation: 'read', method: 'GET', path: '/' }), /destroyed|closed/i)
    assert.equal(peer.seen(), 1)
  })
})

describe('RestTransport: what the retry loop is given', () => {
  test('the caller\'s signal: a request aborted before it starts sends nothing', async () => {
    const peer = await counting()
    const reason = new Error('caller gave up')
    await assert.rejects(transport([peer.url]).request({ operation: 'read', method: 'GET', path: '/', signal: AbortSignal.abort(reason) }), (error: unknown) => {
      assert.ok(error instanceof AbortedError)
      assert.equal(error.cause, reason)
      return true
    })
    assert.equal(peer.seen(), 0)
  })

  test('admit runs every attempt, with the loop\'s signal', async () => {
    let calls = 0
    const peer = await serve((_req, res) => { calls++; res.statusCode = calls === 1 ? 503 : 200; res.end('{}') })
    const admitted: AbortSignal[] = []
    const t = transport([peer.url], { admit: async (attempt, signal) => { admitted.push(signal); return await attempt() } })
    assert.equal((await t.request({ operation: 'read', method: 'GET', path: '/' })).status, 200)
    assert.deepEqual([admitted.length, calls], [2, 2])
    assert.ok(admitted.every((s) => s instanceof AbortSignal && !s.aborted))
  })

  // Bounded: a backoff that ignored the clock or the random source would leave the answer waiting for good.
  test('the backoff between attempts sleeps on the transport\'s clock, jittered by its random source', { timeout: 30_000 }, async () => {
    let calls = 0
    const peer = await serve((_req, res) => { calls++; res.statusCode = calls === 1 ? 503 : 200; res.end('{}') })
    const clock = new FakeClock()
    let draws = 0
    const t = transport([peer.url], {
      clock,
      random: () => { draws++; return 0.5 },
      policy: { initialDelayMs: 1_000, maxDelayMs: 1_000, maxAttempts: 2, deadlineMs: 60_000, jitter: 'full' },
    })
    const answer = t.request({ operation: 'read', method: 'GET', path: '/' })
    // Pending on the clock once the 503 is in: the deadline and the backoff, half the 1 s base.
    await until(() => clock.pending === 2, 'the retry loop waits on the fake clock')
    await clock.advance(499)
    assert.deepEqual([calls, clock.pending], [1, 2], 'not yet at 499 ms')
    await clock.advance(1)
    assert.equal((await answer).status, 200)
    assert.deepEqual([calls, draws], [2, 1])
  })
})

describe('RestTransport: tracing', () => {
  test('each URL tried is one traced request naming it, the refused one ending in error, under the client id', async (t) => {
    const dead = await deadUrl()
    const live = await serve((_req, res) => { res.end('{}') })
    const starts: RequestDiagnostic[] = []
    const errors: RequestDiagnostic[] = []
    const handlers = { start: (c: RequestDiagnostic) => starts.push(c), end: () => {}, asyncStart: () => {}, asyncEnd: () => {}, error: (c: RequestDiagnostic) => errors.push(c) }
    requestChannel.subscribe(handlers)
    t.after(() => requestChannel.unsubscribe(handlers))
    await transport([dead, live.url], { component: 'traced-rest', metrics: new Metrics({ registry: new Registry(), clientId: 'tracer' }) })
      .request({ operation: 'read', method: 'GET', path: '/' })
    assert.deepEqual(starts.map((c) => [c.system, c.operation, c.method, c.target, c.clientId]), [
      ['traced-rest', 'read', 'GET', dead, 'tracer'],
      ['traced-rest', 'read', 'GET', live.url, 'tracer'],
    ])
    assert.deepEqual(errors.map((c) => c.target), [dead])
  })
})
