/**
 * The Connect REST endpoints, as pure request → response functions over the group state. The
 * worker listener (worker.ts) decides before calling these whether a write must be refused (409)
 * or forwarded to the leader; everything else is answered here.
 */
import { ConnectRestError, type ConnectGroup, type OffsetChange, type TargetState } from './group.ts'
import { findConnectorPlugin, PLUGINS, validateConfig } from './plugins.ts'

export interface Reply { status: number, body?: unknown }

export interface LoggerLevel { level: string, last_modified: number | null }

export interface RouteContext {
  group: ConnectGroup
  version: string
  commit: string
  clusterId: string
  loggers: Map<string, LoggerLevel>
}

const LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE']

/** True for the requests a follower forwards to the leader (and that can answer 409). */
export function isForwardedWrite (method: string, seg: readonly string[]): boolean {
  if (seg[0] !== 'connectors') return false
  const n = seg.length
  return (method === 'POST' && n === 1) ||
    ((method === 'PUT' || method === 'PATCH') && n === 3 && seg[2] === 'config') ||
    (method === 'DELETE' && n === 2) ||
    (method === 'POST' && n === 3 && seg[2] === 'restart') ||
    (method === 'POST' && n === 5 && seg[2] === 'tasks' && seg[4] === 'restart') ||
    (method === 'PUT' && n === 3 && seg[2] === 'stop') ||
    ((method === 'PATCH' || method === 'DELETE') && n === 3 && seg[2] === 'offsets')
}

/**
 * True for the writes a real worker refuses with the stale-configuration 409 right after a
 * connector change (its herder checks for a pending rebalance before them: restarts and offset
 * changes); other writes wait for that rebalance.
 */
export function refusedWhileReconfiguring (method: string, seg: readonly string[]): boolean {
  if (seg[0] !== 'connectors') return false
  const n = seg.length
  return (method === 'POST' && n === 3 && seg[2] === 'restart') ||
    (method === 'POST' && n === 5 && seg[2] === 'tasks' && seg[4] === 'restart') ||
    ((method === 'PATCH' || method === 'DELETE') && n === 3 && seg[2] === 'offsets')
}

/** True for the reads that answer 500 "a rebalance is expected" while a rebalance is pending (Kafka ≥ 3.5). */
export function needsSettledGroup (method: string, seg: readonly string[]): boolean {
  return method === 'GET' && seg[0] === 'connectors' &&
    (seg.length === 2 || (seg.length === 3 && (seg[2] === 'tasks' || seg[2] === 'tasks-config')))
}

function badRequest (message: string): ConnectRestError {
  return new ConnectRestError(400, message)
}

function asObject (value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`)
  return value as Record<string, unknown>
}

/** Connect's configs are string maps; JSON numbers and booleans are taken as their text, as Jackson does. */
function asConfig (value: unknown, what: string, allowNull = false): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(asObject(value, what))) {
    if (v === null && allowNull) { (out as Record<string, string | null>)[k] = null; continue }
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw badRequest(`${what}: value of "${k}" must be a string`)
    out[k] = String(v)
  }
  return out
}

function taskId (text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new ConnectRestError(404, `Task id ${text ?? ''} is not a number`)
  return Number(text)
}

function flag (query: URLSearchParams, name: string): boolean {
  return query.get(name) === 'true'
}

export function route (ctx: RouteContext, method: string, seg: readonly string[], query: URLSearchParams, body: unknown): Reply {
  const g = ctx.group
  const [top, name, sub, subId, subSub] = seg
  if (seg.length === 0 && method === 'GET') return { status: 200, body: { version: ctx.version, commit: ctx.commit, kafka_cluster_id: ctx.clusterId } }
  if (top === 'connectors') {
    if (name === undefined) {
      if (method === 'GET') return listConnectors(g, query)
      if (method === 'POST') return createConnector(g, body)
    } else if (sub === undefined) {
      if (method === 'GET') return { status: 200, body: g.info(g.get(name)) }
      if (method === 'DELETE') { g.delete(name); return { status: 204 } }
    } else {
      const reply = connectorSub(g, method, name, seg.slice(2), query, body)
      if (reply !== undefined) return reply
    }
  }
  if (top === 'connector-plugins') {
    if (name === undefined && method === 'GET') return listPlugins(query)
    if (name !== undefined && sub === 'config' && subId === undefined && method === 'GET') return pluginConfig(name)
    if (name !== undefined && sub === 'config' && subId === 'validate' && subSub === undefined && method === 'PUT') return validate(name, body)
  }
  if (top === 'admin' && name === 'loggers') return loggers(ctx, method, sub, query, body)
  throw new ConnectRestError(seg.length > 0 && knownPath(seg) ? 405 : 404, seg.length > 0 && knownPath(seg) ? 'HTTP 405 Method Not Allowed' : 'HTTP 404 Not Found')
}

function knownPath (seg: readonly string[]): boolean {
  return seg[0] === 'connectors' || seg[0] === 'connector-plugins' || seg[0] === 'admin'
}

function listConnectors (g: ConnectGroup, query: URLSearchParams): Reply {
  const expand = query.getAll('expand')
  const names = [...g.connectors.keys()]
  if (expand.length === 0) return { status: 200, body: names }
  const out: Record<string, Record<string, unknown>> = {}
  for (const c of g.connectors.values()) {
    const entry: Record<string, unknown> = {}
    if (expand.includes('status')) entry.status = g.status(c)
    if (expand.includes('info')) entry.info = g.info(c)
    out[c.name] = entry
  }
  return { status: 200, body: out }
}

function createConnector (g: ConnectGroup, body: unknown): Reply {
  const request = asObject(body, 'request body')
  const name = request.name
  if (typeof name !== 'string' || name.trim() === '') throw badRequest('Connector name must not be empty')
  if (name.includes('/') || [...name].some((ch) => ch.charCodeAt(0) < 0x20)) throw badRequest(`Connector name ${name} must not contain '/' or control characters`)
  const config = asConfig(request.config ?? {}, 'config')
  if (config.name !== undefined && config.name !== name) {
    throw badRequest(`Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`)
  }
  const initial = request.initial_state ?? 'RUNNING'
  if (initial !== 'RUNNING' && initial !== 'PAUSED' && initial !== 'STOPPED') {
    throw badRequest(`Invalid initial state ${String(initial)}: must be one of RUNNING, PAUSED, STOPPED`)
  }
  return { status: 201, body: g.info(g.create(name, config, initial as TargetState)) }
}

function connectorSub (g: ConnectGroup, method: string, name: string, rest: readonly string[], query: URLSearchParams, body: unknown): Reply | undefined {
  const [what, id, action] = rest
  const n = rest.length
  if (what === 'config' && n === 1) {
    if (method === 'GET') return { status: 200, body: { ...g.get(name).config } }
    if (method === 'PUT') {
      const created = g.putConfig(name, asConfig(body, 'config'))
      return { status: created ? 201 : 200, body: g.info(g.get(name)) }
    }
    if (method === 'PATCH') return { status: 200, body: g.info(g.patchConfig(name, asConfig(body, 'config', true))) }
  }
  if (what === 'status' && n === 1 && method === 'GET') return { status: 200, body: g.status(g.get(name)) }
  if (what === 'tasks' && n === 1 && method === 'GET') {
    const c = g.get(name)
    return { status: 200, body: c.tasks.map((t) => ({ id: { connector: name, task: t.id }, config: { ...c.config, 'task.class': `${c.plugin.class.replace(/Connector$/, '')}Task` } })) }
  }
  if (what === 'tasks-config' && n === 1 && method === 'GET') {
    const c = g.get(name)
    return { status: 200, body: Object.fromEntries(c.tasks.map((t) => [`${name}-${t.id}`, { ...c.config }])) }
  }
  if (what === 'tasks' && n === 3 && action === 'status' && method === 'GET') {
    const status = g.status(g.get(name))
    const task = status.tasks.find((t) => t.id === taskId(id))
    if (task === undefined) throw new ConnectRestError(404, `No status found for task ${name}-${id ?? ''}`)
    return { status: 200, body: task }
  }
  if (what === 'tasks' && n === 3 && action === 'restart' && method === 'POST') { g.restartTask(name, taskId(id)); return { status: 204 } }
  if (what === 'pause' && n === 1 && method === 'PUT') { g.setTarget(name, 'PAUSED'); return { status: 202 } }
  if (what === 'resume' && n === 1 && method === 'PUT') { g.setTarget(name, 'RUNNING'); return { status: 202 } }
  if (what === 'stop' && n === 1 && method === 'PUT') { g.stop(name); return { status: 204 } }
  if (what === 'restart' && n === 1 && method === 'POST') {
    const plain = g.restart(name, flag(query, 'includeTasks'), flag(query, 'onlyFailed'))
    return plain ? { status: 204 } : { status: 202, body: g.status(g.get(name)) }
  }
  if (what === 'topics' && n === 1 && method === 'GET') {
    const c = g.get(name)
    const topics = (c.config.topic ?? c.config.topics ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '')
    return { status: 200, body: { [name]: { topics: c.connector.state === 'RUNNING' ? topics : [] } } }
  }
  if (what === 'topics' && n === 2 && id === 'reset' && method === 'PUT') { g.get(name); return { status: 202 } }
  if (what === 'offsets' && n === 1) {
    if (method === 'GET') return { status: 200, body: { offsets: g.get(name).offsets } }
    if (method === 'PATCH') { g.alterOffsets(name, offsetEntries(body)); return { status: 200, body: { message: 'The offsets for this connector have been altered successfully' } } }
    if (method === 'DELETE') { g.resetOffsets(name); return { status: 200, body: { message: 'The offsets for this connector have been reset successfully' } } }
  }
  return undefined
}

function offsetEntries (body: unknown): OffsetChange[] {
  const offsets = asObject(body, 'request body').offsets
  if (!Array.isArray(offsets) || offsets.length === 0) throw badRequest('Partitions / offsets need to be provided for an alter offsets request')
  return offsets.map((o, i) => {
    const entry = asObject(o, `offsets[${i}]`)
    return { partition: asObject(entry.partition, `offsets[${i}].partition`), offset: entry.offset === null ? null : asObject(entry.offset, `offsets[${i}].offset`) }
  })
}

function listPlugins (query: URLSearchParams): Reply {
  const connectorsOnly = query.get('connectorsOnly') !== 'false'
  const plugins = PLUGINS.filter((p) => !connectorsOnly || p.type === 'source' || p.type === 'sink')
  return { status: 200, body: plugins.map((p) => ({ class: p.class, type: p.type, version: p.version })) }
}

function pluginConfig (name: string): Reply {
  const plugin = findConnectorPlugin(name)
  if (plugin === undefined) throw new ConnectRestError(404, `Unknown plugin ${name}.`)
  return { status: 200, body: plugin.keys.map((k, order) => definition(k, order)) }
}

function definition (k: { name: string, type: string, required: boolean, defaultValue: string | null, documentation: string, group: string }, order: number): Record<string, unknown> {
  return {
    name: k.name,
    type: k.type,
    required: k.required,
    default_value: k.defaultValue,
    importance: k.required ? 'HIGH' : 'MEDIUM',
    documentation: k.documentation,
    group: k.group,
    width: 'MEDIUM',
    display_name: k.name,
    dependents: [],
    order,
  }
}

function validate (name: string, body: unknown): Reply {
  const config = asConfig(body, 'config')
  const plugin = findConnectorPlugin(name)
  if (plugin === undefined) throw new ConnectRestError(400, `Failed to find any class that implements Connector and which name matches ${name}`)
  if (config['connector.class'] !== undefined && findConnectorPlugin(config['connector.class']) !== plugin) {
    throw new ConnectRestError(400, `Connector class in the URL (${name}) does not match the connector.class in the configuration (${config['connector.class']})`)
  }
  const errors = validateConfig(plugin, { 'connector.class': plugin.class, ...config })
  const configs = plugin.keys.map((k, order) => ({
    definition: definition(k, order),
    value: { name: k.name, value: config[k.name] ?? k.defaultValue, recommended_values: [], errors: errors.get(k.name) ?? [], visible: true },
  }))
  const errorCount = [...errors.values()].reduce((n, e) => n + e.length, 0)
  return { status: 200, body: { name: plugin.class, error_count: errorCount, groups: [...new Set(plugin.keys.map((k) => k.group))], configs } }
}

function loggers (ctx: RouteContext, method: string, logger: string | undefined, query: URLSearchParams, body: unknown): Reply {
  if (logger === undefined && method === 'GET') return { status: 200, body: Object.fromEntries(ctx.loggers) }
  if (logger !== undefined && method === 'GET') {
    const level = ctx.loggers.get(logger)
    if (level === undefined) throw new ConnectRestError(404, `Logger ${logger} not found.`)
    return { status: 200, body: level }
  }
  if (logger !== undefined && method === 'PUT') {
    const level = asObject(body, 'request body').level
    if (typeof level !== 'string' || !LEVELS.includes(level.toUpperCase())) throw badRequest(`Invalid log level '${String(level)}'.`)
    const scope = query.get('scope') ?? 'worker'
    if (scope !== 'worker' && scope !== 'cluster') throw badRequest(`Invalid scope '${scope}'; must be one of 'worker', 'cluster'`)
    const affected = [...ctx.loggers.keys()].filter((l) => l === logger || l.startsWith(`${logger}.`))
    if (!affected.includes(logger)) affected.push(logger)
    for (const l of affected) ctx.loggers.set(l, { level: level.toUpperCase(), last_modified: Date.now() })
    return scope === 'cluster' ? { status: 204 } : { status: 200, body: affected }
  }
  throw new ConnectRestError(405, 'HTTP 405 Method Not Allowed')
}
