/**
 * Connection behaviour at the byte level, against a raw TCP peer on loopback that answers frames
 * the way the test scripts it (split frames, silence, resets): conditions a real broker cannot be
 * made to produce on demand. Kafka-level behaviour is tested against the mock cluster in cluster/.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import { Connection } from '../../src/network/connection.ts'
import type { WireRequest } from '../../src/network/wire-request.ts'
import { FrameDecoder } from '../../src/network/frame-decoder.ts'
import { AbortedError, ProtocolDecodeError, TransportError } from '../../src/resilience/errors.ts'
import { classify } from '../../src/resilience/classify.ts'
import { createLogger } from '../../src/observability/logger.ts'

const logger = createLogger({ level: 'silent' })

/** A request whose payload is its correlation id + a text; the response echoes the text. */
function echo (text: string, expectResponse = true): WireRequest<string> {
  return {
    label: `Echo(${text})`,
    expectResponse,
    encode: (id) => { const b = Buffer.alloc(4 + Buffer.byteLength(text)); b.writeInt32BE(id, 0); b.write(text, 4); return b },
    decode: (frame) => frame.subarray(4).toString(),
  }
}

function frame (payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length)
  b.writeInt32BE(payload.length, 0)
  payload.copy(b, 4)
  return b
}

interface Peer { server: Server, port: number, sockets: Socket[], requests: Buffer[] }

/** A peer that hands each request frame to `onRequest`, which may answer through the socket. */
async function peer (onRequest: (payload: Buffer, socket: Socket, peer: Peer) => void): Promise<Peer> {
  const state: Peer = { server: createServer(), port: 0, sockets: [], requests: [] }
  state.server.on('connection', (socket) => {
    state.sockets.push(socket)
    const decoder = new FrameDecoder(1 << 20)
    socket.on('data', (chunk) => { for (const f of decoder.push(chunk)) { state.requests.push(f); onRequest(f, socket, state) } })
    socket.on('error', () => {})
  })
  state.server.listen(0, '127.0.0.1')
  await once(state.server, 'listening')
  state.port = (state.server.address() as { port: number }).port
  after(() => { for (const s of state.sockets) s.destroy(); state.server.close() })
  return state
}

const answer = (payload: Buffer, socket: Socket): void => { socket.write(frame(payload)) }

describe('Connection', { timeout: 20_000 }, () => {
  test('pipelines requests and matches responses by correlation id, across split frames', async () => {
    const p = await peer((payload, socket) => {
      // Answer byte by byte to exercise reassembly.
      for (const byte of frame(payload)) socket.write(Buffer.from([byte]))
    })
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, logger })
    const texts = Array.from({ length: 20 }, (_, i) => `message-${i}`)
    assert.deepEqual(await Promise.all(texts.map((t) => conn.send(echo(t)))), texts)
    conn.close()
  })

  test('a request encoded as pieces goes out as one frame: the size prefix counts them all, in order', async () => {
    const p = await peer((payload, socket) => { answer(payload, socket) })
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, logger })
    const tail = [Buffer.from('first-'), Buffer.alloc(0), Buffer.alloc(70_000, 0x62), Buffer.from('-last')]
    const pieces: WireRequest<Buffer> = {
      label: 'Pieces',
      encode: (id) => { const head = Buffer.alloc(4); head.writeInt32BE(id, 0); return [head, ...tail] },
      decode: (frame) => frame.subarray(4),
    }
    const [answered, after] = await Promise.all([conn.send(pieces), conn.send(echo('next'))])
    assert.deepEqual(answered, Buffer.concat(tail))
    assert.equal(after, 'next', 'the stream stays in step after a frame of pieces')
    assert.equal(p.requests[0]?.length, 4 + 6 + 70_000 + 5)
    conn.close()
  })

  test('never has more than maxInFlight requests unanswered on the wire, and does fill it', { timeout: 10_000 }, async () => {
    // Counted by the peer as each frame arrives; answers are released only once as many requests
    // as the limit allows have arrived, so a client that pipelines less would stall here.
    let held: Array<() => void> = []
    let unanswered = 0
    let most = 0
    let arrived = (): void => {}
    const p = await peer((payload, socket) => {
      most = Math.max(most, ++unanswered)
      held.push(() => { unanswered--; answer(payload, socket) })
      arrived()
    })
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, maxInFlight: 3, logger })
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => conn.send(echo(`m${i}`))))
    let answered = 0
    while (answered < 10) {
      while (held.length < Math.min(3, 10 - answered)) await new Promise<void>((resolve) => { arrived = resolve })
      const batch = held
      held = []
      for (const reply of batch) { reply(); answered++ }
    }
    assert.deepEqual(await all, Array.from({ length: 10 }, (_, i) => `m${i}`))
    assert.equal(most, 3, 'at most maxInFlight requests unanswered at once, and that many when there is work')
    conn.close()
  })

  test('when the socket dies, every request in flight and queued fails with a reconnect-class error', async () => {
    const p = await peer((_payload, socket, state) => { if (state.requests.length === 3) socket.destroy() })
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, maxInFlight: 3, logger })
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => conn.send(echo(`m${i}`))))
    assert.equal(results.length, 6)
    for (const r of results) {
      assert.equal(r.status, 'rejected')
      assert.ok(r.reason instanceof TransportError)
      assert.equal(classify(r.reason).action, 'reconnect')
    }
    assert.ok(conn.closed)
    await assert.rejects(conn.send(echo('late')), TransportError)
  })

  test('a request without a response within its timeout fails, and the connection is dropped', async () => {
    const p = await peer(() => {})
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, requestTimeoutMs: 100, logger })
    const error = await conn.send(echo('silence')).catch((e: unknown) => e)
    assert.ok(error instanceof TransportError)
    assert.equal(error.systemCode, 'ETIMEDOUT')
    assert.match(error.message, /Echo\(silence\) to 127\.0\.0\.1:\d+ got no response within 100 ms/)
    assert.ok(conn.closed)
  })

  test('a peer that stops reading fails the connection after the request timeout, queued requests included', async () => {
    const p = await peer(() => {})
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, requestTimeoutMs: 200, logger })
    if (p.sockets.length === 0) await once(p.server, 'connection')
    for (const s of p.sockets) s.pause()
    const big = echo('x'.repeat(4 << 20), false)
    const sends = Array.from({ length: 8 }, () => conn.send(big).then(() => 'written', (e: unknown) => e))
    const results = await Promise.all(sends)
    const failed = results.filter((r) => r instanceof TransportError)
    assert.ok(failed.length > 0, 'some sends could not be written and failed')
    assert.match((failed[0] as TransportError).message, /has not read what was sent for 200 ms/)
    assert.ok(conn.closed)
  })

  test('acks=0 style requests resolve once written, without waiting for a response', async () => {
    const p = await peer(() => {})
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, logger })
    assert.equal(await conn.send(echo('fire-and-forget', false)), undefined)
    assert.equal(conn.inFlight, 0)
    conn.close()
  })

  test('an aborted request is rejected at once; the stream stays in step for the next one', async () => {
    const p = await peer((payload, socket) => { setTimeout(() => answer(payload, socket), 50) })
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, logger })
    const controller = new AbortController()
    const first = conn.send(echo('slow'), { signal: controller.signal })
    controller.abort()
    await assert.rejects(first, AbortedError)
    assert.equal(await conn.send(echo('next')), 'next')
    conn.close()
  })

  test('an oversized or garbled response frame closes the connection with a clear error', async () => {
    const p = await peer((_payload, socket) => { const b = Buffer.alloc(4); b.writeInt32BE(0x7ffffff0, 0); socket.write(b) })
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, maxFrameBytes: 1024, logger })
    const error = await conn.send(echo('x')).catch((e: unknown) => e)
    assert.ok(error instanceof TransportError)
    assert.match(error.message, /outside \[0, 1024\]/)
  })

  test('a response with an unknown correlation id fails the connection', async () => {
    const p = await peer((_payload, socket) => { const b = Buffer.alloc(4); b.writeInt32BE(999_999, 0); answer(b, socket) })
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, logger })
    await assert.rejects(conn.send(echo('x')), /unknown correlation id 999999/)
  })

  test('a decode failure rejects that request only, as a protocol error', async () => {
    const p = await peer((payload, socket) => answer(payload, socket))
    const conn = await Connection.connect({ host: '127.0.0.1', port: p.port, logger })
    const bad: WireRequest<string> = { ...echo('x'), decode: () => { throw new RangeError('offset out of range') } }
    await assert.rejects(conn.send(bad), ProtocolDecodeError)
    assert.equal(await conn.send(echo('still fine')), 'still fine')
    conn.close()
  })

  test('refused and invalid targets fail with precise errors', async () => {
    const p = await peer(() => {})
    const port = p.port
    p.server.close()
    await once(p.server, 'close')
    const refused = await Connection.connect({ host: '127.0.0.1', port, logger }).catch((e: unknown) => e)
    assert.ok(refused instanceof TransportError)
    assert.equal(refused.systemCode, 'ECONNREFUSED')
    await assert.rejects(Connection.connect({ host: '127.0.0.1', port: 70000, logger }), /port must be an integer in 1\.\.65535, got 70000/)
  })
})
