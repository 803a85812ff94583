/**
 * TLS on the wire: an HTTPS server with a self-signed certificate (test/connect/tls, CN and SAN
 * 127.0.0.1, valid for 100 years) stands in for a Connect worker.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { ConnectClient } from '../../src/connect/client.ts'
import { TransportError } from '../../src/resilience/errors.ts'
import { FAST_POLICY, quiet } from './helpers.ts'

const cert = readFileSync(new URL('./tls/worker-cert.pem', import.meta.url), 'utf8')
const key = readFileSync(new URL('./tls/worker-key.pem', import.meta.url), 'utf8')

test('the client trusts a given CA and sends basic auth over TLS; an untrusted certificate is fatal at once', async (t) => {
  const seen: Array<string | undefined> = []
  const server = createServer({ key, cert }, (req, res) => {
    seen.push(req.headers.authorization)
    res.writeHead(200, { 'content-type': 'application/json' }).end('["secure"]')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const trusted = new ConnectClient({ urls: url, tls: { ca: cert }, auth: { username: 'ops', password: 'pw' }, policy: FAST_POLICY, logger: quiet })
  const untrusted = new ConnectClient({ urls: url, policy: FAST_POLICY, logger: quiet })
  t.after(async () => {
    await trusted.close()
    await untrusted.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  assert.deepEqual(await trusted.listConnectors(), ['secure'])
  assert.equal(seen[0], `Basic ${Buffer.from('ops:pw').toString('base64')}`)
  await assert.rejects(untrusted.listConnectors(), (e: unknown) => e instanceof TransportError && e.action === 'fatal' && e.reason === e.systemCode.toLowerCase())
  assert.equal(seen.length, 1)
})
