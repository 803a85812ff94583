/**
 * A TCP pass-through on loopback that counts the connections made through it: a client pointed at
 * it shows exactly how many times it connected (e.g. how many authentication attempts it made).
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'

export class CountingProxy {
  connections = 0
  readonly #server: Server
  readonly #sockets = new Set<Socket>()

  private constructor (server: Server) {
    this.#server = server
  }

  static async start (target: { host: string, port: number }): Promise<CountingProxy> {
    const proxy: CountingProxy = new CountingProxy(createServer((client) => {
      proxy.connections++
      const upstream = connect(target.port, target.host)
      for (const socket of [client, upstream]) {
        proxy.#sockets.add(socket)
        socket.on('close', () => proxy.#sockets.delete(socket))
        socket.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    }))
    proxy.#server.listen(0, '127.0.0.1')
    await once(proxy.#server, 'listening')
    return proxy
  }

  get address (): string {
    return `127.0.0.1:${(this.#server.address() as { port: number }).port}`
  }

  async close (): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    this.#server.close()
    await once(this.#server, 'close')
  }
}
