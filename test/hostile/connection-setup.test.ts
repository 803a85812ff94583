/**
 * Connection set-up against brokers that accept TCP and then misbehave. `topics list --timeout 1s`
 * used to take 31 s against a broker that never answered ApiVersions and fail naming no cause:
 * set-up (connect, ApiVersions, SASL) ignored the caller's deadline. Each case must fail within the
 * caller's bound (the test kills a command that runs past 15 s) with an error naming the broker
 * and the step that stalled.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '../../src/admin/admin.ts'
import { BrokerConnection } from '../../src/cluster/broker-connection.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { TransportError } from '../../src/resilience/errors.ts'
import { closedPort, HostilePeer, type HostileBehaviour } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'
import { NO_ANSWER, ScriptedBroker } from '../support/scripted-broker.ts'

const KILL_AFTER_MS = 15_000
const silent = createLogger({ level: 'silent' })
const peers: HostilePeer[] = []
after(async () => { await Promise.all(peers.map((p) => p.close())) })

async function peer (behaviour: HostileBehaviour): Promise<HostilePeer> {
  const p = await HostilePeer.start(behaviour)
  peers.push(p)
  return p
}

describe('connection set-up against a broker that accepts and then misbehaves', () => {
  test('a silent broker fails the set-up within connectTimeoutMs, naming ApiVersions', async () => {
    const p = await peer('silent')
    await assert.rejects(BrokerConnection.open({ nodeId: undefined, host: '127.0.0.1', port: p.port }, { connectTimeoutMs: 300, requestTimeoutMs: 60_000 }), (e: unknown) => {
      assert.ok(e instanceof TransportError)
      assert.equal(e.action, 'reconnect')
      assert.match(e.message, new RegExp(`^bootstrap 127\\.0\\.0\\.1:${p.port} accepted the connection but did not answer ApiVersions within \\d+ ms$`))
      return true
    })
  })

  test('the caller\'s abort signal stops a stalled set-up, with the same error', async () => {
    const p = await peer('stall-mid-frame')
    const controller = new AbortController()
    const opening = BrokerConnection.open({ nodeId: 7, host: '127.0.0.1', port: p.port }, { connectTimeoutMs: 60_000, requestTimeoutMs: 60_000, signal: controller.signal })
    while (p.bytesRead === 0) await new Promise((resolve) => setImmediate(resolve))
    controller.abort(new Error('caller gave up'))
    await assert.rejects(opening, new RegExp(`^TransportError: broker 7 \\(127\\.0\\.0\\.1:${p.port}\\) accepted the connection but did not answer ApiVersions within \\d+ ms$`))
  })

  test('a broker that answers ApiVersions and stalls in SASL fails the set-up naming SASL', async () => {
    const broker = await new ScriptedBroker([[apis.SaslHandshake.apiKey, 0, 1], [apis.SaslAuthenticate.apiKey, 0, 2]]).start()
    after(async () => { await broker.stop() })
    broker.respond(apis.SaslHandshake.apiKey, () => NO_ANSWER)
    await assert.rejects(BrokerConnection.open({ nodeId: undefined, host: '127.0.0.1', port: broker.port }, { connectTimeoutMs: 300, requestTimeoutMs: 60_000, sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } }),
      /accepted the connection but did not answer SASL PLAIN authentication within \d+ ms$/)
  })

  test('Admin: the call fails at its deadline naming the stall, and close() does not wait for the set-up', { timeout: 10_000 }, async () => {
    const p = await peer('silent')
    const admin = new Admin({ bootstrap: p.address, connectTimeoutMs: 60_000, requestTimeoutMs: 60_000, logger: silent })
    await assert.rejects(admin.listTopics({ timeoutMs: 300 }), /did not succeed within 300 ms \(1 attempt\(s\)\): bootstrap 127\.0\.0\.1:\d+ accepted the connection but did not answer ApiVersions within \d+ ms/)
    await admin.close()
  })

  const cases: Array<[HostileBehaviour, RegExp]> = [
    ['silent', /accepted the connection but did not answer ApiVersions within \d+ ms/],
    ['stall-mid-frame', /accepted the connection but did not answer ApiVersions within \d+ ms/],
    ['truncated-frame', /accepted the connection but ApiVersions failed: connection to bootstrap 127\.0\.0\.1:\d+ closed by the broker \(EOF\)/],
    ['garbage', /accepted the connection but ApiVersions failed: bad frame from bootstrap 127\.0\.0\.1:\d+/],
    ['http', /accepted the connection but ApiVersions failed: bad frame from bootstrap 127\.0\.0\.1:\d+: .* \(the peer answered in HTTP: a web server's port, not a Kafka listener\?\)/],
  ]
  for (const [behaviour, expected] of cases) {
    test(`topics list --timeout 1s against a ${behaviour} broker fails in time, naming what stalled`, async () => {
      const p = await peer(behaviour)
      const { code, stderr } = await runCli(['topics', 'list', '--bootstrap', p.address, '--timeout', '1s'], { killAfterMs: KILL_AFTER_MS })
      assert.equal(code, 1, 'exits 1 by itself, not killed')
      assert.match(stderr, expected)
      assert.equal(stderr.split('\n').length, 2, 'one line')
    })
  }

  test('produce --timeout bounds the set-up: against a closed port or a silent broker it fails naming the cause', async () => {
    const port = await closedPort()
    const refused = await runCli(['produce', '--topic', 't', '--bootstrap', `127.0.0.1:${port}`, '--timeout', '2s'], { stdin: 'a\n', killAfterMs: KILL_AFTER_MS })
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, new RegExp(`^steadfast: produce: no answer about topic t from 127\\.0\\.0\\.1:${port} within --timeout 2000 ms: .*ECONNREFUSED`))
    const p = await peer('silent')
    const stalled = await runCli(['produce', '--topic', 't', '--bootstrap', p.address, '--timeout', '2s'], { stdin: 'a\n', killAfterMs: KILL_AFTER_MS })
    assert.equal(stalled.code, 1)
    assert.match(stalled.stderr, /within --timeout 2000 ms: bootstrap 127\.0\.0\.1:\d+ accepted the connection but did not answer ApiVersions within \d+ ms/)
  })
})
