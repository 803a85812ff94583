/**
 * The Connect and Cruise Control clients against peers that are not the server they expect. A
 * non-HTTP reply used to reach the user as `Response does not match the HTTP/1.1 protocol…` with
 * no URL and no code from Connect (not retried), and was retried by Cruise Control: both now name
 * the URL and the code, and classify it the same way (fatal: asking again gets the same answer).
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ConnectClient } from '../../src/connect/client.ts'
import { CruiseControlClient } from '../../src/cruise-control/client.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { classifySystemCode } from '../../src/resilience/classify.ts'
import { TransportError } from '../../src/resilience/errors.ts'
import { toTransportError } from '../../src/resilience/transport-error.ts'
import { HostilePeer, type HostileBehaviour } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'

const logger = createLogger({ level: 'silent' })
const peers: HostilePeer[] = []
after(async () => { await Promise.all(peers.map((p) => p.close())) })

async function peer (behaviour: HostileBehaviour): Promise<HostilePeer> {
  const p = await HostilePeer.start(behaviour)
  peers.push(p)
  return p
}

function isNotHttp (url: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof TransportError, String(e))
    assert.equal(e.systemCode, 'HPE_PARSE_ERROR')
    assert.equal(e.action, 'fatal')
    assert.deepEqual(classifySystemCode(e.systemCode), { action: 'fatal', reason: 'not-http' })
    assert.ok(e.message.startsWith(url), e.message)
    assert.match(e.message, /Response does not match the HTTP\/1\.1 protocol.*\(HPE_PARSE_ERROR\); the server there does not speak HTTP\/1\.1/)
    return true
  }
}

describe('REST clients against a peer that does not speak HTTP', () => {
  test('Connect: the error names the URL and the code, and is not retried', async () => {
    const p = await peer('not-http')
    const client = new ConnectClient({ urls: p.url, policy: { deadlineMs: 10_000 }, logger })
    after(async () => { await client.close() })
    await assert.rejects(client.getConnector('orders'), isNotHttp(`Connect GET ${p.url}/connectors/orders`))
    assert.equal(p.connections, 1)
  })

  test('Cruise Control: the same error, classified the same way, not retried either', async () => {
    const p = await peer('not-http')
    const client = new CruiseControlClient({ url: p.url, retry: { deadlineMs: 10_000 }, logger })
    after(async () => { await client.close() })
    await assert.rejects(client.state(), isNotHttp(`cruise-control GET ${p.url}/kafkacruisecontrol/state`))
    assert.equal(p.connections, 1)
  })

  test('one converter: a socket error keeps its code and reconnect action, an unnamed code is reconnect too', () => {
    const refused = toTransportError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'Connect GET http://127.0.0.1:1/')
    assert.deepEqual([refused.message, refused.systemCode, refused.action], ['Connect GET http://127.0.0.1:1/: connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED', 'reconnect'])
    const odd = toTransportError(Object.assign(new Error('socket hang up'), { code: 'ESOMETHING' }), 'x')
    assert.deepEqual([odd.message, odd.action], ['x: socket hang up (ESOMETHING)', 'reconnect'])
  })

  for (const [command, behaviour] of [['connect', 'not-http'], ['cc', 'not-http'], ['connect', 'silent'], ['cc', 'silent']] as const) {
    test(`steadfast ${command} against a ${behaviour} peer fails by itself within --timeout, naming the URL`, async () => {
      const p = await peer(behaviour)
      const args = command === 'connect' ? ['connect', 'get', 'orders'] : ['cc', 'state']
      const { code, stderr } = await runCli([...args, '--url', p.url, '--timeout', '1s'], { killAfterMs: 15_000 })
      assert.equal(code, 1)
      assert.match(stderr, new RegExp(`^steadfast: .*${p.url.replace(/\./g, '\\.')}`))
    })
  }
})
