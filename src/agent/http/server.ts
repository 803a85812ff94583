/**
 * The agent's HTTP listener (node:http): `/metrics` (the shared Prometheus registry), `/healthz`
 * (the process serves), `/readyz` (every loop has completed a run), `/api/…` (api.ts) and the
 * status page at `/`. It reads the current runtime at each request, so a config reload is seen
 * at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { registry } from '../../observability/metrics.ts'
import { toJson } from '../../cli/options.ts'
import { handleApi, type ApiContext } from './api.ts'
import { STATUS_PAGE } from './page.ts'

export class AgentServer {
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  readonly #context: () => ApiContext
  #stopping = false

  constructor (context: () => ApiContext) {
    this.#context = context
    this.#server = createServer((req, res) => { this.#handle(req, res).catch((error: unknown) => send(res, 500, { error: (error as Error).message })) })
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  async listen (host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => { this.#server.off('error', reject); resolve() })
    })
    const address = this.#server.address() as AddressInfo
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  }

  /** Answers 503 on /healthz from now on (the agent is shutting down). */
  draining (): void { this.#stopping = true }

  async close (): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      for (const s of this.#sockets) s.destroy()
    })
  }

  async #handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent')
    const ctx = this.#context()
    if (url.pathname === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': registry.contentType })
      res.end(await registry.metrics())
      return
    }
    if (url.pathname === '/healthz') { send(res, this.#stopping ? 503 : 200, { status: this.#stopping ? 'stopping' : 'ok' }); return }
    if (url.pathname === '/readyz') {
      // An HA standby is not ready: a load balancer in front of the agents then sends the page,
      // the API and its actions to the active one.
      const waiting = ctx.runtime.loops.filter((l) => l.status.lastSuccessAt === undefined).map((l) => l.name)
      const ready = !this.#stopping && waiting.length === 0 && ctx.role !== 'standby'
      send(res, ready ? 200 : 503, { ready, role: ctx.role, ...(waiting.length === 0 || ctx.role === 'standby' ? {} : { waitingFor: waiting }) })
      return
    }
    if (url.pathname.startsWith('/api/')) {
      const answer = await handleApi(ctx, req, url)
      send(res, answer.status, answer.body)
      return
    }
    if (url.pathname === '/' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(STATUS_PAGE)
      return
    }
    send(res, 404, { error: `${url.pathname} not found` })
  }
}

function send (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(toJson(body) + '\n')
}
