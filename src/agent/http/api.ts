/**
 * The JSON API over what the loops last saw, and the actions: approve/refresh/stop a rebalance
 * (through the lifecycle, which checks the state accepts it) and restart a connector or a task
 * (through the reconciler, which serialises writes per connector). Actions need the bearer token
 * when one is configured. Errors are JSON `{ error, code }` with a fitting status.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { InvalidArgumentError, SteadfastError } from '../../resilience/errors.ts'
import type { Runtime } from '../runtime.ts'
import type { RecentRetries } from '../recent-retries.ts'
import type { EventLog } from '../state/events.ts'
import type { Secret } from '../secret.ts'

export interface ApiResponse { status: number, body: unknown }

export interface ApiContext {
  runtime: Runtime
  events: EventLog
  retries: RecentRetries
  token: Secret | undefined
  startedAt: string
  /** `single` without HA; with HA `active` (holds the lease) or `standby`. */
  role: 'single' | 'active' | 'standby'
  ha?: { group: string, since: string | undefined }
}

export function status (ctx: ApiContext): Record<string, unknown> {
  const { runtime } = ctx
  return {
    startedAt: ctx.startedAt,
    role: ctx.role,
    ...(ctx.ha === undefined ? {} : { ha: ctx.ha }),
    configured: { connect: runtime.connectors !== undefined, cruiseControl: runtime.rebalances !== undefined, kafka: runtime.lag !== undefined },
    loops: runtime.loops.map((l) => l.status),
    connectors: runtime.connectors?.snapshot ?? null,
    rebalances: runtime.rebalances?.snapshot ?? null,
    groups: runtime.lag?.snapshot ?? null,
    events: ctx.events.recent(50),
    retries: ctx.retries.recent(20),
  }
}

function authorised (req: IncomingMessage, token: Secret | undefined): boolean {
  if (token === undefined) return true
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''))
  const wanted = Buffer.from(token.reveal())
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}

const notFound = (what: string): ApiResponse => ({ status: 404, body: { error: `${what} not found` } })
const notConfigured = (part: string): ApiResponse => ({ status: 409, body: { error: `${part} is not configured in this agent` } })

export async function handleApi (ctx: ApiContext, req: IncomingMessage, url: URL): Promise<ApiResponse> {
  const parts = url.pathname.split('/').filter((p) => p !== '').slice(1).map(decodeURIComponent)
  const { runtime } = ctx
  if (req.method === 'GET') {
    switch (parts.join('/')) {
      case 'status': return { status: 200, body: status(ctx) }
      case 'connectors': return { status: 200, body: runtime.connectors?.snapshot ?? notConfigured('connect').body }
      case 'rebalances': return { status: 200, body: runtime.rebalances?.snapshot ?? notConfigured('cruiseControl').body }
      case 'groups': return { status: 200, body: runtime.lag?.snapshot ?? notConfigured('kafka').body }
      case 'retries': return { status: 200, body: ctx.retries.recent(Number(url.searchParams.get('limit') ?? 100)) }
      // The running config; a secret shows as [redacted] (Secret's toJSON), never its value.
      case 'config': return { status: 200, body: runtime.config }
      case 'events': return { status: 200, body: ctx.events.recent(Number(url.searchParams.get('limit') ?? 100), Number(url.searchParams.get('after') ?? 0)) }
      default: return notFound(url.pathname)
    }
  }
  if (req.method !== 'POST') return { status: 405, body: { error: `${req.method ?? ''} is not allowed on ${url.pathname}` } }
  if (!authorised(req, ctx.token)) return { status: 401, body: { error: 'actions need the bearer token (Authorization: Bearer <http.token>)' } }
  if (ctx.role === 'standby') return { status: 503, body: { error: `this agent is an HA standby of group ${ctx.ha?.group ?? ''}; send actions to the active agent` } }
  try {
    return await action(ctx, parts, url)
  } catch (error) {
    const refused = error instanceof InvalidArgumentError
    return { status: refused ? 409 : 502, body: { error: (error as Error).message, ...(error instanceof SteadfastError ? { code: error.code } : {}) } }
  }
}

async function action (ctx: ApiContext, parts: string[], url: URL): Promise<ApiResponse> {
  const { runtime, events } = ctx
  const [kind, name, verb, id, verb2] = parts
  if (kind === 'rebalances' && name !== undefined && (verb === 'approve' || verb === 'refresh' || verb === 'stop') && id === undefined) {
    const loop = runtime.rebalances
    if (loop === undefined) return notConfigured('cruiseControl')
    const record = await loop.lifecycle[verb](name)
    events.record('info', 'rebalance', name, `${verb} requested through the API (now ${record.state})`)
    runtime.loop('rebalances')?.trigger()
    return { status: 202, body: record }
  }
  if (kind === 'connectors' && name !== undefined) {
    const loop = runtime.connectors
    if (loop === undefined) return notConfigured('connect')
    if (!loop.snapshot.connectors.some((c) => c.name === name)) return notFound(`connector ${name}`)
    if (verb === 'restart' && id === undefined) {
      const flags = { includeTasks: url.searchParams.get('includeTasks') === 'true', onlyFailed: url.searchParams.get('onlyFailed') === 'true' }
      const result = await loop.reconciler.restartConnector(name, flags)
      events.record('info', 'connector', name, `restart requested through the API (${result.outcome})`)
      return { status: 202, body: result }
    }
    if (verb === 'tasks' && id !== undefined && /^\d+$/.test(id) && verb2 === 'restart') {
      const result = await loop.reconciler.restartTask(name, Number(id))
      events.record('info', 'connector', name, `task ${id} restart requested through the API (${result.outcome})`)
      return { status: 202, body: result }
    }
  }
  return notFound(`/api/${parts.join('/')}`)
}
