import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { ConnectClient } from '../../src/connect/client.ts'
import { systemClock, type Clock } from '../../src/resilience/clock.ts'
import { DeadlineExceededError, HttpResponseError, InvalidArgumentError, TransportError } from '../../src/resilience/errors.ts'
import { CONNECT_MESSAGES, ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { captureLogs, eventually, FAST_POLICY, quiet, retryCount, SOURCE } from './helpers.ts'

const STALE = 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)'

describe('ConnectClient against the simulator', () => {
  let sim: ConnectSimulator
  let client: ConnectClient

  before(async () => {
    sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 30, restartMs: 10 })
    client = new ConnectClient({ urls: sim.urls, policy: FAST_POLICY, logger: quiet })
  })
  after(async () => {
    await client.close()
    await sim.stop()
  })

  test('server info, health, plugins, plugin config and validation', async () => {
    const info = await client.serverInfo()
    assert.equal(info.kafka_cluster_id, 'sim-cluster-0')
    assert.deepEqual(await client.health(), { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.', httpStatus: 200 })
    const plugins = await client.listPlugins()
    assert.ok(plugins.some((p) => p.class === SOURCE['connector.class'] && p.type === 'source'))
    assert.ok((await client.listPlugins({ connectorsOnly: false })).some((p) => p.type === 'converter'))
    const defs = await client.getPluginConfig('FileStreamSource')
    assert.ok(defs.some((d) => d.name === 'topic' && d.required))
    const invalid = await client.validateConfig('FileStreamSource', { 'tasks.max': 'x' })
    assert.equal(invalid.error_count, 2)
    assert.deepEqual(invalid.configs.find((c) => c.value.name === 'topic')?.value.errors, ['Missing required configuration "topic" which has no default value.'])
    assert.equal((await client.validateConfig('FileStreamSource', { topic: 't' })).error_count, 0)
  })

  test('connector lifecycle: create, read, config, pause, resume, stop, offsets, topics, delete', async () => {
    const created = await client.createConnector({ name: 'life', config: SOURCE })
    assert.equal(created.name, 'life')
    assert.equal(created.config.topic, 'orders')
    // GET connector waits out a rebalance: the 500 "a rebalance is expected" is retried, and counted.
    const labels = { component: 'connect', operation: 'getConnector', reason: 'rebalance' }
    const counted = await retryCount(labels)
    sim.rebalance(4_000)
    const pending = client.getConnector('life')
    await eventually(() => sim.countRequests({ method: 'GET', path: '/connectors/life', status: 500 }) >= 2)
    sim.group.finishRebalance()
    const info = await pending
    const expected = sim.countRequests({ method: 'GET', path: '/connectors/life', status: 500 })
    assert.equal(await retryCount(labels) - counted, expected)
    assert.equal(sim.countRequests({ method: 'GET', path: '/connectors/life', status: 200 }), 1)
    assert.deepEqual(info.tasks, [{ connector: 'life', task: 0 }, { connector: 'life', task: 1 }])
    assert.deepEqual(await client.listConnectors(), ['life'])
    const expanded = await client.listConnectorsExpanded()
    assert.equal(expanded.life?.status?.connector.state, 'RUNNING')
    assert.equal(expanded.life?.info?.config.topic, 'orders')
    assert.equal((await client.getConnectorConfig('life'))['tasks.max'], '2')
    assert.equal((await client.getTasks('life')).length, 2)
    assert.equal((await client.getTaskStatus('life', 1)).state, 'RUNNING')

    const put = await client.putConnectorConfig('life', { ...SOURCE, 'tasks.max': '3' })
    assert.equal(put.created, false)
    assert.equal((await client.getConnectorStatus('life')).tasks.length, 3)
    const patched = await client.patchConnectorConfig('life', { file: '/tmp/in.txt', topic: 'other' })
    assert.equal(patched.config.file, '/tmp/in.txt')
    assert.equal((await client.patchConnectorConfig('life', { file: null })).config.file, undefined)
    assert.deepEqual(await client.getConnectorTopics('life'), ['other'])
    await client.resetConnectorTopics('life')

    await client.pauseConnector('life')
    assert.deepEqual((await client.getConnectorStatus('life')).tasks.map((t) => t.state), ['PAUSED', 'PAUSED', 'PAUSED'])
    await client.resumeConnector('life')
    assert.equal((await client.getConnectorStatus('life')).connector.state, 'RUNNING')

    await assert.rejects(client.alterOffsets('life', [{ partition: { filename: 'a' }, offset: { position: 1 } }]), (e: unknown) =>
      e instanceof HttpResponseError && e.status === 400 && e.serverMessage === "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/life/stop' endpoint")
    await client.stopConnector('life')
    const stopped = await client.getConnectorStatus('life')
    assert.equal(stopped.connector.state, 'STOPPED')
    assert.deepEqual(stopped.tasks, [])
    assert.equal(await client.alterOffsets('life', [{ partition: { filename: 'a' }, offset: { position: 7 } }]), 'The offsets for this connector have been altered successfully')
    assert.deepEqual(await client.getOffsets('life'), [{ partition: { filename: 'a' }, offset: { position: 7 } }])
    assert.equal(await client.resetOffsets('life'), 'The offsets for this connector have been reset successfully')
    assert.deepEqual(await client.getOffsets('life'), [])

    await client.deleteConnector('life')
    await assert.rejects(client.getConnectorStatus('life'), (e: unknown) => e instanceof HttpResponseError && e.status === 404 && e.serverMessage === 'Connector life not found')
  })

  test('restart semantics: 204 for a plain restart, 202 with RESTARTING instances otherwise', async () => {
    await client.createConnector({ name: 'rs', config: SOURCE })
    await eventually(async () => (await client.getConnectorStatus('rs')).tasks.length === 2)
    sim.failTask('rs', 1, 'boom')
    const failed = await client.getConnectorStatus('rs')
    assert.equal(failed.tasks[1]?.state, 'FAILED')
    assert.match(failed.tasks[1]?.trace ?? '', /ConnectException: boom/)
    assert.deepEqual(await client.restartConnector('rs'), { outcome: 'restarted' })
    const partial = await client.restartConnector('rs', { includeTasks: true, onlyFailed: true })
    assert.equal(partial.outcome, 'restarting')
    assert.deepEqual(partial.outcome === 'restarting' ? partial.status.tasks.map((t) => t.state) : [], ['RUNNING', 'RESTARTING'])
    await eventually(async () => (await client.getConnectorStatus('rs')).tasks.every((t) => t.state === 'RUNNING'))
    sim.failTask('rs', 0)
    assert.deepEqual(await client.restartTask('rs', 0), { outcome: 'restarted' })
    assert.equal((await client.getTaskStatus('rs', 0)).state, 'RUNNING')
    await client.deleteConnector('rs')
  })

  test('a restart that meets a rebalance is superseded: one request, no retry, no error', async () => {
    await client.createConnector({ name: 'sup', config: SOURCE })
    await client.getConnector('sup')
    const before = sim.countRequests({ method: 'POST', path: '/connectors/sup/restart?includeTasks=true&onlyFailed=true' })
    sim.rebalance(2_000)
    const result = await client.restartConnector('sup', { includeTasks: true, onlyFailed: true })
    assert.deepEqual(result, { outcome: 'superseded', message: STALE })
    assert.deepEqual(await client.restartTask('sup', 0), { outcome: 'superseded', message: STALE })
    assert.equal(sim.countRequests({ method: 'POST', path: '/connectors/sup/restart?includeTasks=true&onlyFailed=true' }) - before, 1)
    sim.group.finishRebalance()
    await client.deleteConnector('sup')
  })

  test('"already exists" is answered after exactly one request and is not retried', async () => {
    await client.createConnector({ name: 'dup', config: SOURCE })
    await client.getConnector('dup')
    const posts = sim.countRequests({ method: 'POST', path: '/connectors' })
    await assert.rejects(client.createConnector({ name: 'dup', config: SOURCE }), (e: unknown) =>
      e instanceof HttpResponseError && e.status === 409 && e.reason === 'already-exists' && e.action === 'fatal' && e.serverMessage === 'Connector dup already exists')
    assert.equal(sim.countRequests({ method: 'POST', path: '/connectors' }) - posts, 1)
    await client.deleteConnector('dup')
  })

  test('an invalid config is a fatal 400 with the server message', async () => {
    await assert.rejects(client.createConnector({ name: 'bad', config: { 'connector.class': 'FileStreamSink' } }), (e: unknown) =>
      e instanceof HttpResponseError && e.status === 400 && e.action === 'fatal' &&
      /^Connector configuration is invalid and contains the following 1 error\(s\):\nMust configure one of topics or topics.regex/.test(e.serverMessage ?? ''))
  })

  test('pause of an unknown connector is a 404 with the server message', async () => {
    await assert.rejects(client.pauseConnector('ghost'), (e: unknown) => e instanceof HttpResponseError && e.status === 404 && e.serverMessage === 'Unknown connector ghost')
  })

  test('loggers: list, get, set per worker and per cluster', async () => {
    assert.equal((await client.listLoggers()).root?.level, 'INFO')
    assert.deepEqual(await client.setLogger('org.apache.kafka.connect', 'debug'), ['org.apache.kafka.connect'])
    assert.equal((await client.getLogger('org.apache.kafka.connect')).level, 'DEBUG')
    assert.deepEqual(await client.setLogger('root', 'WARN', 'cluster'), [])
    await assert.rejects(client.setLogger('root', 'LOUD'), (e: unknown) => e instanceof HttpResponseError && e.status === 400)
    await assert.rejects(client.getLogger('nope'), (e: unknown) => e instanceof HttpResponseError && e.status === 404)
  })

  test('health reports a starting worker instead of throwing', async () => {
    sim.setHealth('starting')
    try {
      const health = await client.health()
      assert.equal(health.status, 'starting')
      assert.equal(health.httpStatus, 503)
    } finally {
      sim.setHealth('healthy')
    }
  })

  test('bad arguments are rejected before any request', async () => {
    const count = sim.requests.length
    assert.throws(() => client.getConnector(''), InvalidArgumentError)
    assert.throws(() => client.restartTask('x', -1), InvalidArgumentError)
    assert.throws(() => new ConnectClient({ urls: ['http://ok:1', 'ftp://bad'] }), /connect client option urls\.1 must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/bad"/)
    assert.throws(() => new ConnectClient({ urls: [] }), /connect client option urls must be a list of at least one worker URL, got \[\]/)
    assert.equal(sim.requests.length, count)
  })
})

describe('ConnectClient retries', () => {
  let sim: ConnectSimulator
  before(async () => { sim = await ConnectSimulator.start({ workers: 2, rebalanceMs: 20 }) })
  after(async () => { await sim.stop() })

  test('409 rebalance retries are logged and counted, one per retry, until the write succeeds', async () => {
    const { logger, lines, raw } = captureLogs()
    const client = new ConnectClient({ urls: sim.urls[1] ?? '', policy: { ...FAST_POLICY, jitter: 'none', initialDelayMs: 20, maxDelayMs: 20 }, logger })
    const labels = { component: 'connect', operation: 'createConnector', reason: 'rebalance' }
    const counted = await retryCount(labels)
    sim.rebalance(300)
    await client.createConnector({ name: 'after-storm', config: SOURCE })
    const conflicts = sim.countRequests({ method: 'POST', path: '/connectors', status: 409 })
    assert.ok(conflicts >= 1)
    assert.equal(await retryCount(labels) - counted, conflicts)
    const retryLines = lines.filter((l) => l.operation === 'createConnector' && l.reason === 'rebalance' && l.level === 40)
    assert.equal(retryLines.length, conflicts)
    assert.deepEqual(retryLines.map((l) => l.attempt), Array.from({ length: conflicts }, (_, i) => i + 1))
    assert.ok(retryLines.every((l) => l.component === 'connect'))
    assert.deepEqual(raw.filter((line) => line.split('"component":').length !== 2), [], 'each line names its component once')
    await client.close()
  })

  test('a persistent 409 ends at the deadline with the last 409 as the cause', async () => {
    const client = new ConnectClient({ urls: sim.urls, policy: { ...FAST_POLICY, deadlineMs: 250 }, logger: quiet })
    const storm = sim.storm({ durationMs: 2_000 })
    try {
      await assert.rejects(client.deleteConnector('after-storm'), (e: unknown) => {
        assert.ok(e instanceof DeadlineExceededError)
        assert.ok(e.attempts > 1)
        assert.ok(e.cause instanceof HttpResponseError)
        assert.equal(e.cause.status, 409)
        assert.equal(e.cause.serverMessage, STALE)
        return true
      })
    } finally {
      sim.stopStorm()
      sim.group.finishRebalance()
      await storm
      await client.close()
    }
  })

  test('the 409 "conflicting operation" (a forward beyond two hops) is retried like a rebalance', async () => {
    const answers = [409, 409, 201]
    const seen: string[] = []
    const server = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''}`)
      req.resume()
      const status = answers.shift() ?? 500
      const body = status === 409
        ? { error_code: 409, message: CONNECT_MESSAGES.conflicting }
        : { name: 'hop', config: { ...SOURCE, name: 'hop' }, tasks: [], type: 'source' }
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const client = new ConnectClient({ urls: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, policy: FAST_POLICY, logger: quiet })
    const labels = { component: 'connect', operation: 'createConnector', reason: 'rebalance' }
    const counted = await retryCount(labels)
    try {
      assert.equal((await client.createConnector({ name: 'hop', config: SOURCE })).name, 'hop')
      assert.deepEqual(seen, ['POST /connectors', 'POST /connectors', 'POST /connectors'])
      assert.equal(await retryCount(labels) - counted, 2)
    } finally {
      await client.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('followers forward writes to the leader; with no known leader they answer the 409 that is retried', async () => {
    const follower = sim.urls.find((u) => u !== sim.leaderUrl) ?? ''
    const client = new ConnectClient({ urls: follower, policy: FAST_POLICY, logger: quiet })
    await client.createConnector({ name: 'fwd', config: SOURCE })
    assert.ok(sim.requests.some((r) => r.forwarded && r.method === 'POST' && r.path === '/connectors?forward=false' && r.status === 201))
    await client.getConnector('fwd')
    const oldLeader = await sim.killLeader()
    sim.rebalance(200)
    assert.equal(sim.group.leader, undefined)
    await client.putConnectorConfig('fwd', { ...SOURCE, 'tasks.max': '1' })
    assert.ok(sim.requests.some((r) => r.method === 'PUT' && r.status === 409))
    assert.notEqual(sim.leaderUrl, oldLeader)
    await sim.restartWorker(oldLeader)
    await client.close()
  })
})

describe('ConnectClient transport', () => {
  test('a worker that refuses connections is skipped, for writes too', async () => {
    const sim = await ConnectSimulator.start({ workers: 1, rebalanceMs: 0 })
    const dead = await closedPort()
    const client = new ConnectClient({ urls: [`http://127.0.0.1:${dead}`, sim.urls[0] ?? ''], policy: FAST_POLICY, logger: quiet })
    try {
      const info = await client.createConnector({ name: 'skip', config: SOURCE })
      assert.equal(info.name, 'skip')
      assert.equal(sim.countRequests({ method: 'POST', path: '/connectors' }), 1)
    } finally {
      await client.close()
      await sim.stop()
    }
  })

  test('when no worker answers, the deadline error carries the transport error', async () => {
    const client = new ConnectClient({ urls: `http://127.0.0.1:${await closedPort()}`, policy: { ...FAST_POLICY, deadlineMs: 200 }, logger: quiet })
    await assert.rejects(client.listConnectors(), (e: unknown) =>
      e instanceof DeadlineExceededError && e.cause instanceof TransportError && e.cause.systemCode === 'ECONNREFUSED')
    await client.close()
  })

  test('a reset connection is retried for GET but fatal for POST (the worker may have applied it)', async () => {
    let accepted = 0
    const server = createTcpServer((socket) => { accepted++; socket.destroy() })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const client = new ConnectClient({ urls: url, policy: { ...FAST_POLICY, maxAttempts: 3 }, logger: quiet })
    try {
      await assert.rejects(client.createConnector({ name: 'x', config: SOURCE }), (e: unknown) => e instanceof TransportError && e.action === 'reconnect')
      assert.equal(accepted, 1)
      await assert.rejects(client.listConnectors(), (e: unknown) => e instanceof Error && e.name === 'RetriesExhaustedError' && e.cause instanceof TransportError)
      assert.equal(accepted, 4)
    } finally {
      await client.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  for (const stall of ['headers', 'body'] as const) {
    test(`a worker that stalls before the ${stall} times out and the read is retried`, async () => {
      // The first request is never finished, so only the client's own timeout can end it; the
      // second is answered. Without the timeout the call would hang until the 5 s deadline.
      const closedUnanswered: boolean[] = []
      const server = createServer((req, res) => {
        if (closedUnanswered.length === 0) {
          closedUnanswered.push(false)
          req.socket.on('close', () => { closedUnanswered[0] = true })
          if (stall === 'body') res.writeHead(200, { 'content-type': 'application/json' }).write('[')
          return
        }
        closedUnanswered.push(false)
        res.writeHead(200, { 'content-type': 'application/json' }).end('["answered"]')
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const labels = { component: 'connect', operation: 'listConnectors', reason: stall === 'headers' ? 'und_err_headers_timeout' : 'und_err_body_timeout' }
      const retried = await retryCount(labels)
      const client = new ConnectClient({ urls: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requestTimeoutMs: 50, policy: FAST_POLICY, logger: quiet })
      try {
        assert.deepEqual(await client.listConnectors(), ['answered'])
        assert.equal(closedUnanswered.length, 2, 'one stalled request, one answered retry')
        assert.equal(closedUnanswered[0], true, 'the client gave up the stalled request and closed its connection')
        assert.equal(await retryCount(labels) - retried, 1)
      } finally {
        await client.close()
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    })
  }

  test('basic auth (from options or URL userinfo), custom headers and a base path are sent', async () => {
    const seen: Array<{ url: string, headers: IncomingHttpHeaders }> = []
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers })
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    const a = new ConnectClient({ urls: `http://127.0.0.1:${port}/connect/`, auth: { username: 'ops', password: 's3cret' }, headers: { 'x-team': 'data' }, logger: quiet })
    const b = new ConnectClient({ urls: `http://alice:pw@127.0.0.1:${port}`, logger: quiet })
    try {
      await a.listConnectors()
      await b.listConnectors()
      assert.equal(seen[0]?.url, '/connect/connectors')
      assert.equal(seen[0]?.headers.authorization, `Basic ${Buffer.from('ops:s3cret').toString('base64')}`)
      assert.equal(seen[0]?.headers['x-team'], 'data')
      assert.equal(seen[1]?.headers.authorization, `Basic ${Buffer.from('alice:pw').toString('base64')}`)
    } finally {
      await a.close()
      await b.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

test('an error body that is not a worker\'s { error_code, message } is quoted, trimmed and cut at 500 characters', async () => {
  const page = `<html><body>${'proxy refused '.repeat(50)}</body></html>`
  const bodies = [`\n  ${page}  \n`, '{"error_code":404}', 'null', '']
  const server = createServer((req, res) => {
    req.resume()
    res.writeHead(404, { 'content-type': 'text/html' }).end(bodies.shift() ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const client = new ConnectClient({ urls: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logger: quiet })
  const serverMessage = async (): Promise<string | undefined> => {
    // A connector's resource: a 404 for the /connectors collection itself is a worker not serving yet, retried.
    const error = await client.getConnectorTopics('a').then(() => assert.fail('a 404 must throw'), (e: unknown) => e)
    assert.ok(error instanceof HttpResponseError && error.status === 404)
    return error.serverMessage
  }
  try {
    assert.equal(await serverMessage(), page.slice(0, 500))
    assert.equal(await serverMessage(), '{"error_code":404}', 'no message field: the body itself')
    assert.equal(await serverMessage(), 'null')
    assert.equal(await serverMessage(), undefined, 'an empty body: still the 404, with no message')
  } finally {
    await client.close()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('the retry loop waits on the clock and draws jitter from the random source the client was given', async () => {
  let answers = 0
  const server = createServer((req, res) => {
    req.resume()
    if (answers++ === 0) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code":503,"message":"starting"}')
    else res.writeHead(200, { 'content-type': 'application/json' }).end('[]')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const scheduled: number[] = []
  const clock: Clock = { now: () => systemClock.now(), schedule: (ms, fn) => { scheduled.push(ms); return systemClock.schedule(ms, fn) } }
  // Full jitter over a 1 s base: the given random 0.01 makes the one backoff exactly 10 ms
  // (Math.random would give 10 only one time in a thousand).
  const client = new ConnectClient({
    urls: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    policy: { jitter: 'full', initialDelayMs: 1_000, maxDelayMs: 1_000, maxAttempts: 3, deadlineMs: 10_000 },
    clock,
    random: () => 0.01,
    logger: quiet,
  })
  try {
    assert.deepEqual(await client.listConnectors(), [])
    assert.equal(answers, 2)
    assert.deepEqual(scheduled, [10_000, 10], 'the call\'s deadline, then the one backoff')
  } finally {
    await client.close()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('a client opens at most 4 connections to a worker by default, connectionsPerWorker when given', async () => {
  for (const [given, expected] of [[undefined, 4], [2, 2]] as const) {
    const sockets = new Set<unknown>()
    const held: Array<() => void> = []
    // Answers wait until `expected` requests are in, so the client has every reason to open more.
    const server = createServer((req, res) => {
      sockets.add(req.socket)
      req.resume()
      held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'))
      if (held.length >= expected) for (const answer of held.splice(0)) answer()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const client = new ConnectClient({ urls: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logger: quiet, ...(given === undefined ? {} : { connectionsPerWorker: given }) })
    try {
      const answers = await Promise.all(Array.from({ length: 3 * expected }, () => client.listConnectors()))
      assert.equal(answers.length, 3 * expected)
      assert.equal(sockets.size, expected)
    } finally {
      await client.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
})

async function closedPort (): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}
