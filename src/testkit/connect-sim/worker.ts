/**
 * One simulated Connect worker: its own HTTP listener on 127.0.0.1. Like a real worker it answers
 * reads itself, holds writes while a rebalance a connector change started runs (restarts and
 * offset changes meet the stale-configuration 409 instead), refuses writes with the exact 409s
 * while a fault rebalances the group or no leader is known, and forwards writes to the leader when it is a follower (marking the hop with
 * `forward=false`, so a second hop answers the "conflicting operation" 409). A leader's answer,
 * 409s included, reaches the caller unchanged.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConnectRestError, MESSAGES, type ConnectGroup } from './group.ts'
import { isForwardedWrite, needsSettledGroup, refusedWhileReconfiguring, route, type Reply, type RouteContext } from './routes.ts'

export type HealthState = 'healthy' | 'starting' | 'unhealthy'

export interface RequestRecord {
  worker: string
  method: string
  /** Path and query as received. */
  path: string
  status: number
  /** True when another worker forwarded it here. */
  forwarded: boolean
  /** The connector a write targets, when it is a write. */
  connector?: string
  /** Fault: the request was applied but its answer never sent (the connection was reset). */
  lost?: boolean
}

/** What a worker needs from the simulator that owns it. */
export interface WorkerHost {
  readonly group: ConnectGroup
  readonly routeContext: RouteContext
  urlOf: (workerId: string) => string | undefined
  record: (entry: RequestRecord) => void
  writeStarted: (connector: string) => void
  writeEnded: (connector: string) => void
  /** True when the answer to this request is to be lost (fault injection). */
  loseResponse: (method: string, path: string) => boolean
}

interface RawReply { status: number, text: string }

export class SimWorker {
  readonly host: string
  #port: number
  #server: Server | undefined
  #owner: WorkerHost
  /** Fault: delay before answering each request, in ms. */
  slowMs = 0
  health: HealthState = 'healthy'

  constructor (owner: WorkerHost, host: string, port: number) {
    this.#owner = owner
    this.host = host
    this.#port = port
  }

  /** The worker id Connect reports in statuses: host:port. */
  get id (): string { return `${this.host}:${this.#port}` }
  get url (): string { return `http://${this.host}:${this.#port}` }
  get port (): number { return this.#port }
  get listening (): boolean { return this.#server !== undefined }

  async listen (): Promise<void> {
    const server = createServer((req, res) => { this.#onRequest(req, res).catch((error: unknown) => this.#fail(res, error)) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#port, this.host, () => { server.off('error', reject); resolve() })
    })
    this.#port = (server.address() as AddressInfo).port
    this.#server = server
  }

  /** Closes the listener and drops open connections: callers then see connection refused. */
  async close (): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
  }

  #fail (res: ServerResponse, error: unknown): void {
    if (res.headersSent) { res.destroy(); return }
    send(res, { status: 500, text: JSON.stringify({ error_code: 500, message: error instanceof Error ? error.message : String(error) }) })
  }

  async #onRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const raw = await readBody(req)
    let reply: RawReply | undefined
    let seg: string[] = []
    let url = new URL('/', 'http://worker')
    let body: unknown
    try {
      url = new URL(req.url ?? '/', 'http://worker')
      seg = segments(url.pathname)
      body = parseBody(raw)
    } catch (error) {
      reply = restError(error)
    }
    const forwarded = url.searchParams.get('forward') === 'false'
    const write = reply === undefined && isForwardedWrite(method, seg)
    const connector = write ? (seg.length === 1 ? nameOf(body) : seg[1]) : undefined
    // A write is in flight from its arrival to its answer, slow-response delay included: that is
    // the window in which a second write to the same connector would overlap it.
    const counted = connector !== undefined && !forwarded
    if (counted) this.#owner.writeStarted(connector)
    try {
      if (this.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, this.slowMs))
      reply ??= await this.#answer(method, seg, url, forwarded, write, raw, body).catch(restError)
    } finally {
      if (counted) this.#owner.writeEnded(connector)
    }
    const entry: RequestRecord = { worker: this.id, method, path: `${url.pathname}${url.search}`, status: reply.status, forwarded }
    if (connector !== undefined) entry.connector = connector
    const lost = !forwarded && this.#owner.loseResponse(method, url.pathname)
    if (lost) entry.lost = true
    this.#owner.record(entry)
    if (lost) res.destroy()
    else send(res, reply)
  }

  async #answer (method: string, seg: string[], url: URL, forwarded: boolean, write: boolean, raw: string, body: unknown): Promise<RawReply> {
    const group = this.#owner.group
    if (method === 'GET' && seg.length === 1 && seg[0] === 'health') return this.#healthReply()
    if (write) {
      // A rebalance a connector change started holds this write, as the herder's request queue
      // does; once it is over the write runs even if a write queued beside it started the next
      // one (a real worker runs its whole queue in one go, and their changes share a rebalance).
      let queued = false
      if (group.rebalanceCause === 'config' && !refusedWhileReconfiguring(method, seg)) {
        await group.settled()
        queued = true
      }
      const leader = group.leader
      if (leader === undefined) throw new ConnectRestError(409, MESSAGES.noLeader)
      if (group.rebalancing && !(queued && group.rebalanceCause === 'config')) throw new ConnectRestError(409, MESSAGES.stale)
      if (leader !== this.id) {
        if (forwarded) throw new ConnectRestError(409, MESSAGES.conflicting)
        const target = this.#owner.urlOf(leader)
        if (target === undefined) throw new ConnectRestError(409, MESSAGES.noLeader)
        return await forward(target, method, url, raw)
      }
    } else if (needsSettledGroup(method, seg) && group.rebalancing) {
      throw new ConnectRestError(500, MESSAGES.rebalanceExpected)
    }
    return toRaw(route(this.#owner.routeContext, method, seg, url.searchParams, body))
  }

  #healthReply (): RawReply {
    if (this.health === 'starting') return { status: 503, text: JSON.stringify({ status: 'starting', message: 'Worker is still starting up.' }) }
    if (this.health === 'unhealthy') return { status: 500, text: JSON.stringify({ status: 'unhealthy', message: 'Worker was unable to handle this request and may be unable to handle other requests.' }) }
    return { status: 200, text: JSON.stringify({ status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }) }
  }
}

/** A ConnectRestError as the worker answers it; anything else is a bug and propagates (answered 500). */
function restError (error: unknown): RawReply {
  if (!(error instanceof ConnectRestError)) throw error
  return { status: error.status, text: JSON.stringify({ error_code: error.status, message: error.message }) }
}

/** Decoded path segments; a malformed %-escape matches no resource, so it is a 404 as in Connect. */
function segments (pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s)
    } catch {
      throw new ConnectRestError(404, 'HTTP 404 Not Found')
    }
  })
}

function toRaw (reply: Reply): RawReply {
  return { status: reply.status, text: reply.body === undefined ? '' : JSON.stringify(reply.body) }
}

function nameOf (body: unknown): string | undefined {
  const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined
  return typeof name === 'string' ? name : undefined
}

function parseBody (raw: string): unknown {
  if (raw.trim() === '') return undefined
  try {
    return JSON.parse(raw)
  } catch (error) {
    throw new ConnectRestError(400, `Cannot deserialize the request body: ${error instanceof Error ? error.message : String(error)}`)
  }
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send (res: ServerResponse, reply: RawReply): void {
  if (reply.text === '') { res.writeHead(reply.status).end(); return }
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply.text) }).end(reply.text)
}

/** Sends the request on to the leader, marked as forwarded; its status and body come back unchanged. */
function forward (leaderUrl: string, method: string, url: URL, raw: string): Promise<RawReply> {
  const target = new URL(`${url.pathname}${url.search}`, leaderUrl)
  target.searchParams.set('forward', 'false')
  return new Promise<RawReply>((resolve) => {
    const req = request(target, { method, headers: raw === '' ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 500, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', (error) => resolve(ioError(error)))
    })
    req.on('error', (error) => resolve(ioError(error)))
    req.end(raw === '' ? undefined : raw)
  })
}

function ioError (error: Error): RawReply {
  return { status: 500, text: JSON.stringify({ error_code: 500, message: `IO Error trying to forward REST request: ${error.message}` }) }
}
