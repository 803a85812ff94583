/**
 * TLS and basic auth on the wire: an HTTPS server with a self-signed certificate (test/cruise-control/tls,
 * CN and SAN 127.0.0.1, valid until 2126) stands in for Cruise Control.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { CruiseControlClient } from '../../src/cruise-control/client.ts'
import { TransportError } from '../../src/resilience/errors.ts'
import { quiet } from './fixtures.ts'

const cert = readFileSync(new URL('./tls/server-cert.pem', import.meta.url), 'utf8')
const key = readFileSync(new URL('./tls/server-key.pem', import.meta.url), 'utf8')

test('the client trusts a given CA, sends basic auth over TLS, and treats an untrusted certificate as fatal', async (t) => {
  const seen: Array<{ url: string | undefined, auth: string | undefined }> = []
  const server = createServer({ key, cert }, (req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization })
    res.writeHead(200, { 'content-type': 'application/json', 'User-Task-ID': 'tls-task' })
    res.end(JSON.stringify({ KafkaBrokerState: { ReplicaCountByBrokerId: { 1: 3 } }, version: 1 }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const trusted = new CruiseControlClient({ url, tls: { ca: cert }, auth: { username: 'ops', password: 'pw' }, logger: quiet })
  const untrusted = new CruiseControlClient({ url: `${url}/kafkacruisecontrol/`, logger: quiet, retry: { initialDelayMs: 10, deadlineMs: 2_000 } })
  t.after(async () => {
    await trusted.close()
    await untrusted.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const state = await trusted.kafkaClusterState()
  assert.deepEqual(state.KafkaBrokerState.ReplicaCountByBrokerId, { 1: 3 })
  assert.equal(seen[0].url, '/kafkacruisecontrol/kafka_cluster_state?json=true')
  assert.equal(seen[0].auth, `Basic ${Buffer.from('ops:pw').toString('base64')}`)

  await assert.rejects(untrusted.kafkaClusterState(), (error: unknown) => {
    assert.ok(error instanceof TransportError, String(error))
    assert.equal(error.action, 'fatal')
    return true
  })
  assert.equal(seen.length, 1, 'the untrusted client never got a request through')
})
