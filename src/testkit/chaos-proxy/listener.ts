/**
 * The proxy's listener for one upstream broker: a TCP server on 127.0.0.1 (port chosen by the
 * system) whose every connection becomes a Session to wherever that broker listens now.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import type { Address } from './rewrite.ts'
import { Session } from './session.ts'

export type SessionFactory = (client: Socket, listener: BrokerListener) => Session

export class BrokerListener {
  readonly brokerId: number
  /** Where the broker listens upstream; updated when an answer shows it moved. */
  upstream: Address
  /** The address clients reach this broker at, as the proxy advertises it (kept after close). */
  address: Address = { host: '', port: 0 }
  readonly #server: Server
  readonly #sessions = new Set<Session>()

  private constructor (brokerId: number, upstream: Address, server: Server) {
    this.brokerId = brokerId
    this.upstream = upstream
    this.#server = server
  }

  static async open (brokerId: number, upstream: Address, makeSession: SessionFactory): Promise<BrokerListener> {
    const server = createServer()
    const listener = new BrokerListener(brokerId, { ...upstream }, server)
    server.on('connection', (client: Socket) => {
      const session = makeSession(client, listener)
      listener.#sessions.add(session)
      session.closed.then(() => listener.#sessions.delete(session), () => {})
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { address, port } = server.address() as AddressInfo
    listener.address = { host: address, port }
    return listener
  }

  get sessions (): readonly Session[] {
    return [...this.#sessions]
  }

  /** Destroys the current connections (new ones are still accepted); resolves once they are closed. */
  async dropConnections (options: { reset?: boolean } = {}): Promise<void> {
    const sessions = [...this.#sessions]
    for (const session of sessions) session.destroy(options)
    await Promise.all(sessions.map((s) => s.closed))
  }

  /** Stops listening (the port then refuses connections) and closes every connection on it. */
  async close (): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    await this.dropConnections()
    await closed
  }
}
