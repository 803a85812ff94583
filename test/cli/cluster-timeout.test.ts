/** `cluster info` against brokers that accept connections and never answer: bounded by --timeout, naming the address. */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { test } from 'node:test'
import { runCli } from '../support/run-cli.ts'

test('cluster info --timeout 2s against a silent listener fails by itself, naming what it dialled', async (t) => {
  const sockets: Socket[] = []
  const server = createServer((socket) => { sockets.push(socket) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => { for (const s of sockets) s.destroy(); server.close() })
  const { port } = server.address() as { port: number }
  const { code, stderr } = await runCli(['cluster', 'info', '-b', `127.0.0.1:${port}`, '--timeout', '2s'], { killAfterMs: 60_000 })
  assert.equal(code, 1, 'exits 1 by itself, not killed')
  assert.match(stderr, new RegExp(`^steadfast: cluster info: no answer from 127\\.0\\.0\\.1:${port} within --timeout 2000 ms`))
})
