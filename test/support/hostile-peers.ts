/**
 * Peers that misbehave on purpose, on loopback: a server that accepts and stays silent, one that
 * answers the first bytes it reads with a truncated frame (then hangs up, or stalls mid-frame with
 * the connection open), one that answers with garbage or with bytes of another protocol, and a
 * port where nothing listens. Kafka and HTTP clients alike are pointed at them to show that they
 * fail within their deadline, saying what stalled and where.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'

export type HostileBehaviour =
  /** Accepts the connection, reads everything, never writes. */
  | 'silent'
  /** Answers with a 4-byte size prefix announcing 64 bytes and 6 of them, then closes. */
  | 'truncated-frame'
  /** Answers with a 4-byte size prefix announcing 64 bytes and 6 of them, then keeps the connection open and silent. */
  | 'stall-mid-frame'
  /** Answers with bytes that are no protocol at all, then closes. */
  | 'garbage'
  /** Answers whatever it reads with an HTTP/1.1 response (a Kafka client pointed at a web server). */
  | 'http'
  /** Answers whatever it reads with an SSH greeting (an HTTP client pointed at the wrong port). */
  | 'not-http'

const PARTIAL_FRAME = Buffer.from([0, 0, 0, 64, 0, 0, 0, 1, 0, 0])
const GARBAGE = Buffer.from('\xff\xfe\xfd\x00garbage\x00\x01\x02', 'latin1')
const HTTP_REPLY = 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request'
const NOT_HTTP = 'SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n'

export class HostilePeer {
  readonly behaviour: HostileBehaviour
  /** Connections accepted so far. */
  connections = 0
  /** Bytes read from clients so far. */
  bytesRead = 0
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  port = 0

  private constructor (behaviour: HostileBehaviour) {
    this.behaviour = behaviour
    this.#server = createServer((socket) => this.#serve(socket))
  }

  static async start (behaviour: HostileBehaviour): Promise<HostilePeer> {
    const peer = new HostilePeer(behaviour)
    peer.#server.listen(0, '127.0.0.1')
    await once(peer.#server, 'listening')
    peer.port = (peer.#server.address() as { port: number }).port
    return peer
  }

  /** host:port, for a Kafka bootstrap list. */
  get address (): string {
    return `127.0.0.1:${this.port}`
  }

  get url (): string {
    return `http://127.0.0.1:${this.port}`
  }

  #serve (socket: Socket): void {
    this.connections++
    this.#sockets.add(socket)
    socket.on('close', () => this.#sockets.delete(socket))
    socket.on('error', () => {})
    let answered = false
    socket.on('data', (chunk: Buffer) => {
      this.bytesRead += chunk.length
      if (answered) return
      answered = true
      switch (this.behaviour) {
        case 'silent': return
        case 'truncated-frame': socket.end(PARTIAL_FRAME); return
        case 'stall-mid-frame': socket.write(PARTIAL_FRAME); return
        case 'garbage': socket.end(GARBAGE); return
        case 'http': socket.end(HTTP_REPLY); return
        case 'not-http': socket.end(NOT_HTTP)
      }
    })
  }

  async close (): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}

/** A loopback port where nothing listens (it was bound and released). */
export async function closedPort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
