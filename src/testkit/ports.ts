/**
 * Free loopback ports for the testkit's servers: brokers, Connect workers. These servers are
 * stopped and started again on the same port (a killed broker or worker brought back), so the
 * ports come from below the kernel's ephemeral range: ports the kernel hands out (`listen(0)`)
 * come from that range, which every outgoing connection of every process draws its local port
 * from too, so while a server was down a client's new connection could take its port and the
 * restart failed with EADDRINUSE (seen in CI: a Connect simulator worker brought back). Below the
 * range only another listener choosing the same port by chance can take it. Each port is checked
 * free by listening on it; the ones of one call are distinct.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'

/** Where picks start: above the well-known and the usual registered service ports. */
const LOWEST = 20_000
const ATTEMPTS_PER_PORT = 50

/** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
function ephemeralStart (): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    return low !== undefined && Number.isInteger(low) && low > 0 ? low : 32_768
  } catch {
    return 32_768
  }
}

async function listenOn (port: number, host: string): Promise<Server | undefined> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(undefined))
    server.listen(port, host, () => resolve(server))
  })
}

export async function freePorts (count: number, host = '127.0.0.1'): Promise<number[]> {
  const top = ephemeralStart() - 1
  const held: Server[] = []
  const ports: number[] = []
  try {
    while (ports.length < count) {
      let server: Server | undefined
      // Too narrow a space below the range (an unusual machine): the kernel's pick, as before.
      if (top - LOWEST < 1_000) {
        server = await listenOn(0, host)
      } else {
        for (let attempt = 0; attempt < ATTEMPTS_PER_PORT && server === undefined; attempt++) {
          const port = LOWEST + Math.floor(Math.random() * (top - LOWEST + 1))
          if (!ports.includes(port)) server = await listenOn(port, host)
        }
      }
      if (server === undefined) throw new Error(`no free port on ${host} below ${top + 1} after ${ATTEMPTS_PER_PORT} tries`)
      held.push(server)
      const address = server.address()
      ports.push(typeof address === 'object' && address !== null ? address.port : 0)
    }
    return ports
  } finally {
    await Promise.all(held.map(async (s) => await new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}
