/**
 * Servers that echo credentials back. A Connect or Cruise Control server that put the
 * Authorization header in its error body got the base64 credentials printed verbatim and saved in
 * the rebalance state file; a broker quoting the SASL password had it in the error. Every error
 * message, log line and state record is now redacted, whatever the server sends.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { REDACTED, redact, registerSecret } from '../../src/observability/redact.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { encodeResponseBody } from '../../src/protocol/framing.ts'
import { runCli } from '../support/run-cli.ts'
import { ScriptedBroker } from '../support/scripted-broker.ts'

const USER = 'alice'
const PASSWORD = 'Tr0ub4dor&3-horse'
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')

/** Every form of the credential a server could echo. */
function assertNoSecret (text: string, where: string): void {
  for (const secret of [PASSWORD, BASIC, `${USER}:${PASSWORD}`]) assert.ok(!text.includes(secret), `${where} holds ${secret}:\n${text}`)
}

describe('redact', () => {
  test('credentials of any origin are replaced; prose is left alone', () => {
    assert.equal(redact('got Authorization: Basic dXNlcjpzZWNyZXQ= back'), `got Authorization: Basic ${REDACTED} back`)
    assert.equal(redact('header Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig'), `header Bearer ${REDACTED}`)
    assert.equal(redact('GET http://bob:pw1@connect:8083/connectors'), `GET http://bob:${REDACTED}@connect:8083/connectors`)
    assert.equal(redact('sasl.jaas.config=… password="hunter2";'), `sasl.jaas.config=… password="${REDACTED}";`)
    assert.equal(redact('{"password":"x1y2"}'), `{"password":"${REDACTED}"}`)
    assert.equal(redact('needs basic authentication and a bearer token'), 'needs basic authentication and a bearer token')
  })

  test('a registered secret is replaced wherever it appears, however it is framed', () => {
    registerSecret('pl41n-s3cret')
    assert.equal(redact('login pl41n-s3cret was refused (pl41n-s3cret)'), `login ${REDACTED} was refused (${REDACTED})`)
  })
})

describe('servers that echo credentials', () => {
  let server: Server
  let url: string
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steadfast-secrets-'))
    // Echoes what it was sent, credentials included, in every error body.
    server = createServer((req, res) => {
      const auth = req.headers.authorization ?? ''
      const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()
      const message = `rejected ${req.method ?? ''} ${req.url ?? ''}: authorization=${auth} (user:password ${decoded}) raw ${auth.replace(/^Basic /, '')}`
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 400, message, errorMessage: message }))
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  after(async () => {
    server.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('connect: neither the error nor the --verbose log lines hold the credentials', async () => {
    const { code, stderr } = await runCli(['connect', 'get', 'orders', '--url', url, '--user', USER, '--timeout', '2s', '--verbose'], { env: { STEADFAST_CONNECT_PASSWORD: PASSWORD, STEADFAST_LOG_LEVEL: undefined } })
    assert.equal(code, 1)
    assert.match(stderr, /answered 400: rejected GET \/connectors\/orders: authorization=Basic \[REDACTED\]/)
    assertNoSecret(stderr, 'stderr')
  })

  test('connect: credentials in the URL are redacted the same way', async () => {
    const withUser = url.replace('http://', `http://${USER}:${encodeURIComponent(PASSWORD)}@`)
    const { code, stderr } = await runCli(['connect', 'get', 'orders', '--url', withUser, '--timeout', '2s'])
    assert.equal(code, 1)
    assert.match(stderr, /\[REDACTED\]/)
    assertNoSecret(stderr, 'stderr')
    assert.ok(!stderr.includes(encodeURIComponent(PASSWORD)), stderr)
  })

  test('rebalance create: the error and the state record hold no credentials', async () => {
    const { stdout, stderr } = await runCli(['rebalance', 'create', '--mode', 'full', '--name', 'echo', '--url', url, '--user', USER, '--timeout', '2s', '--state-dir', dir, '--output', 'json'], { env: { STEADFAST_CRUISE_CONTROL_PASSWORD: PASSWORD } })
    assert.match(stdout + stderr, /authorization=Basic \[REDACTED\]/)
    assertNoSecret(stdout + stderr, 'output')
    const files = await readdir(dir)
    assert.ok(files.includes('echo.json'), files.join(', '))
    for (const file of files) assertNoSecret(await readFile(join(dir, file), 'utf8'), file)
  })

  test('SASL: a broker quoting the password in its refusal does not get it into the error', async () => {
    const broker = await new ScriptedBroker([[apis.SaslHandshake.apiKey, 0, 1], [apis.SaslAuthenticate.apiKey, 0, 2]]).start()
    after(async () => { await broker.stop() })
    broker.respond(apis.SaslHandshake.apiKey, (request) => encodeResponseBody(apis.SaslHandshake, request.apiVersion, { errorCode: 0, mechanisms: ['PLAIN'] }))
    broker.respond(apis.SaslAuthenticate.apiKey, (request) => encodeResponseBody(apis.SaslAuthenticate, request.apiVersion, {
      errorCode: 58, errorMessage: `invalid credentials for ${USER} with password ${PASSWORD}`, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n,
    }))
    const error = await BrokerConnection.open({ nodeId: 1, host: '127.0.0.1', port: broker.port }, { sasl: { mechanism: 'PLAIN', username: USER, password: PASSWORD } }).catch((e: unknown) => e)
    assert.ok(error instanceof Error)
    assert.match(error.message, /invalid credentials for alice with password \[REDACTED\]/)
    assertNoSecret(error.message, 'error')
  })
})
