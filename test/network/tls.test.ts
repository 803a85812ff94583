/** TLS connections: verified against a CA, and a certificate problem is a fatal, named error. */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import { createServer } from 'node:tls'
import { Connection } from '../../src/network/connection.ts'
import { FrameDecoder } from '../../src/network/frame-decoder.ts'
import { TransportError } from '../../src/resilience/errors.ts'
import { classify } from '../../src/resilience/classify.ts'
import { createLogger } from '../../src/observability/logger.ts'

const cert = readFileSync(new URL('../cruise-control/tls/server-cert.pem', import.meta.url))
const key = readFileSync(new URL('../cruise-control/tls/server-key.pem', import.meta.url))
const logger = createLogger({ level: 'silent' })

const server = createServer({ cert, key }, (socket) => {
  const decoder = new FrameDecoder(1 << 16)
  socket.on('data', (chunk) => { for (const f of decoder.push(chunk)) { const out = Buffer.alloc(4 + f.length); out.writeInt32BE(f.length, 0); f.copy(out, 4); socket.write(out) } })
  socket.on('error', () => {})
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const port = (server.address() as { port: number }).port
after(() => { server.close() })

const echo = {
  label: 'Echo',
  encode: (id: number) => { const b = Buffer.alloc(9); b.writeInt32BE(id, 0); b.write('hello', 4); return b },
  decode: (frame: Buffer) => frame.subarray(4).toString(),
}

test('a TLS connection verified against the CA carries requests', async () => {
  const conn = await Connection.connect({ host: '127.0.0.1', port, tls: { ca: cert }, logger })
  assert.equal(await conn.send(echo), 'hello')
  conn.close()
})

test('an untrusted certificate is a fatal TLS error, not a reason to reconnect forever', async () => {
  const error = await Connection.connect({ host: '127.0.0.1', port, tls: true, logger }).catch((e: unknown) => e)
  assert.ok(error instanceof TransportError)
  assert.equal(error.systemCode, 'DEPTH_ZERO_SELF_SIGNED_CERT')
  assert.equal(classify(error).action, 'fatal')
})
