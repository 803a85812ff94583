/**
 * The agent's one YAML config file, validated the way connector manifests are: every problem at
 * once, each naming the file, the line and the key (`config.yaml:7: kafka.sasl.mechanism: …`).
 * Secrets are never literal in the file: `{ env: NAME }` or `{ file: path }`, resolved at load
 * into `Secret`s that print as `[redacted]`. Relative paths are relative to the config file.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { issueProblems, problem, type ManifestProblem } from '../connect/manifest.ts'
import { DEFAULT_REBALANCE_GRACE_MS } from '../connect/rebalance-grace.ts'
import { parseDuration } from '../cli/options.ts'
import { SteadfastError } from '../resilience/errors.ts'
import { Secret, readSecret, secretRefSchema, type SecretRef } from './secret.ts'

export class ConfigError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_AGENT_CONFIG'
  readonly problems: ManifestProblem[]
  constructor (problems: ManifestProblem[]) {
    const lines = problems.map((p) => `  ${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`)
    super(`invalid agent config:\n${lines.join('\n')}`, { action: 'fatal', reason: 'invalid-config' })
    this.problems = problems
  }
}

/** A duration in whole milliseconds; `0s` only where zero means something (`allowZero`). */
const durationOf = (allowZero: boolean) => z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value)
  try {
    const ms = Math.round(parseDuration(text))
    if (ms > 0 || (allowZero && ms === 0)) return ms
    ctx.addIssue({ code: 'custom', message: allowZero ? 'must be 0 or longer' : 'must be longer than 0' })
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^duration: /, '') })
  }
  return z.NEVER
})
const duration = durationOf(false)

const tlsSchema = z.strictObject({
  ca: secretRefSchema.optional(),
  cert: secretRefSchema.optional(),
  key: secretRefSchema.optional(),
  rejectUnauthorized: z.boolean().optional(),
  servername: z.string().min(1).optional(),
})

const authSchema = z.strictObject({ username: z.string().min(1), password: secretRefSchema })

const listen = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8080')

export const configSchema = z.strictObject({
  kafka: z.strictObject({
    bootstrap: z.string().regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'must be host:port[,host:port…]'),
    clientId: z.string().min(1).default('steadfast-agent'),
    tls: z.union([z.literal(true), tlsSchema]).optional(),
    sasl: z.strictObject({
      mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
      username: z.string().min(1),
      password: secretRefSchema,
    }).optional(),
  }).optional(),
  connect: z.strictObject({
    urls: z.union([z.url(), z.array(z.url()).min(1)]).transform((u) => Array.isArray(u) ? u : [u]),
    tls: tlsSchema.optional(),
    auth: authSchema.optional(),
    concurrency: z.number().int().min(1).default(8),
    prune: z.boolean().default(true),
    rebalanceGrace: durationOf(true).default(DEFAULT_REBALANCE_GRACE_MS),
    discoverWorkers: z.boolean().default(false),
  }).optional(),
  cruiseControl: z.strictObject({
    url: z.url(),
    tls: tlsSchema.optional(),
    auth: authSchema.optional(),
    maxActiveUserTasks: z.number().int().min(1).default(5),
  }).optional(),
  manifests: z.string().min(1).optional(),
  groups: z.array(z.union([
    z.string().min(1),
    z.strictObject({ name: z.string().min(1), topics: z.array(z.string().min(1)).min(1).optional() }),
  ], { error: 'must be a group name or pattern, or { name, topics }' })).default(['*']).transform((list) => list.map((g): WatchedGroup => typeof g === 'string' ? { name: g } : g)),
  http: z.strictObject({
    listen: listen.default('127.0.0.1:8080'),
    token: secretRefSchema.optional(),
  }).default({ listen: '127.0.0.1:8080' }),
  state: z.string().min(1).default('state'),
  intervals: z.strictObject({
    connectors: duration.default(10_000),
    rebalances: duration.default(5_000),
    lag: duration.default(15_000),
  }).default({ connectors: 10_000, rebalances: 5_000, lag: 15_000 }),
  jitter: z.number().min(0).max(1).default(0.2),
  lag: z.strictObject({ window: z.number().int().min(2).max(1000).default(10) }).default({ window: 10 }),
  shutdownTimeout: duration.default(30_000),
  ha: z.strictObject({
    group: z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/, 'must be a consumer group name of letters, digits, ".", "_" and "-"').default('steadfast-agent'),
    topic: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name').optional(),
    sessionTimeout: duration.default(10_000),
  }).optional(),
}).superRefine((c, ctx) => {
  if (c.ha !== undefined && c.kafka === undefined) {
    ctx.addIssue({ code: 'custom', path: ['kafka'], message: 'is required when ha is set (the lease and the state topic live in Kafka)' })
  }
  if ((c.connect !== undefined || c.cruiseControl !== undefined) && c.manifests === undefined) {
    ctx.addIssue({ code: 'custom', path: ['manifests'], message: 'is required when connect or cruiseControl is set (the directory of KafkaConnector and KafkaRebalance documents)' })
  }
})

/** A watched group: a name or a `*` pattern; `topics` limits (and names, for brokers that need it) the topics read. */
export interface WatchedGroup { name: string, topics?: string[] }

export interface TlsConfig { ca?: string, cert?: string, key?: Secret, rejectUnauthorized?: boolean, servername?: string }

/** The validated config, paths absolute, secrets resolved. */
export interface AgentConfig {
  file: string
  kafka?: {
    bootstrap: string
    clientId: string
    tls?: TlsConfig
    sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: string, password: Secret }
  }
  /**
   * `rebalanceGrace`: ms a Ready connector being moved by a worker rebalance stays Ready (Reassigning).
   * `discoverWorkers`: also try the workers named in statuses when the configured URLs fail.
   */
  connect?: { urls: string[], tls?: TlsConfig, auth?: { username: string, password: Secret }, concurrency: number, prune: boolean, rebalanceGrace: number, discoverWorkers: boolean }
  cruiseControl?: { url: string, tls?: TlsConfig, auth?: { username: string, password: Secret }, maxActiveUserTasks: number }
  manifests?: string
  groups: WatchedGroup[]
  http: { host: string, port: number, token?: Secret }
  state: string
  intervals: { connectors: number, rebalances: number, lag: number }
  jitter: number
  lag: { window: number }
  shutdownTimeout: number
  /** High availability: one active agent per group, its state in a compacted topic. */
  ha?: { group: string, topic: string, sessionTimeout: number }
}

/** Reads, validates and resolves a config file; throws ConfigError listing every problem. */
export async function loadConfig (file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  const path = resolve(file)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ConfigError([{ file: path, document: 1, path: '', message: `cannot read it: ${(error as Error).message}` }])
  }
  return await parseConfig(text, path, env)
}

export async function parseConfig (text: string, file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ file, document: 1, path: '', line: lineCounter.linePos(e.pos[0]).line, message: `YAML syntax: ${e.message.split('\n')[0] ?? e.code}` })))
  }
  const result = configSchema.safeParse(doc.toJS() ?? {})
  if (!result.success) throw new ConfigError(issueProblems(doc, lineCounter, file, 1, result.error.issues))
  const base = dirname(file)
  const problems: ManifestProblem[] = []
  const secret = async (ref: SecretRef, path: string[]): Promise<Secret> => {
    try {
      return await readSecret(ref, base, env)
    } catch (error) {
      problems.push(problem(doc, lineCounter, file, 1, path, (error as Error).message))
      return new Secret('')
    }
  }
  const tls = async (t: z.infer<typeof tlsSchema> | true | undefined, at: string[]): Promise<TlsConfig | undefined> => {
    if (t === undefined) return undefined
    if (t === true) return {}
    return {
      ...(t.ca === undefined ? {} : { ca: (await secret(t.ca, [...at, 'ca'])).reveal() }),
      ...(t.cert === undefined ? {} : { cert: (await secret(t.cert, [...at, 'cert'])).reveal() }),
      ...(t.key === undefined ? {} : { key: await secret(t.key, [...at, 'key']) }),
      ...(t.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: t.rejectUnauthorized }),
      ...(t.servername === undefined ? {} : { servername: t.servername }),
    }
  }
  const auth = async (a: z.infer<typeof authSchema> | undefined, at: string[]): Promise<{ username: string, password: Secret } | undefined> =>
    a === undefined ? undefined : { username: a.username, password: await secret(a.password, [...at, 'password']) }
  const c = result.data
  const [host, port] = splitListen(c.http.listen)
  const config: AgentConfig = {
    file,
    groups: c.groups,
    http: { host, port, ...(c.http.token === undefined ? {} : { token: await secret(c.http.token, ['http', 'token']) }) },
    state: resolve(base, c.state),
    intervals: c.intervals,
    jitter: c.jitter,
    lag: c.lag,
    shutdownTimeout: c.shutdownTimeout,
    ...(c.manifests === undefined ? {} : { manifests: resolve(base, c.manifests) }),
    ...(c.ha === undefined ? {} : { ha: { group: c.ha.group, topic: c.ha.topic ?? `${c.ha.group}-state`, sessionTimeout: c.ha.sessionTimeout } }),
  }
  if (c.kafka !== undefined) {
    const kafkaTls = await tls(c.kafka.tls, ['kafka', 'tls'])
    config.kafka = {
      bootstrap: c.kafka.bootstrap,
      clientId: c.kafka.clientId,
      ...(kafkaTls === undefined ? {} : { tls: kafkaTls }),
      ...(c.kafka.sasl === undefined ? {} : { sasl: { mechanism: c.kafka.sasl.mechanism, username: c.kafka.sasl.username, password: await secret(c.kafka.sasl.password, ['kafka', 'sasl', 'password']) } }),
    }
  }
  if (c.connect !== undefined) {
    const connectTls = await tls(c.connect.tls, ['connect', 'tls'])
    const connectAuth = await auth(c.connect.auth, ['connect', 'auth'])
    config.connect = { urls: c.connect.urls, concurrency: c.connect.concurrency, prune: c.connect.prune, rebalanceGrace: c.connect.rebalanceGrace, discoverWorkers: c.connect.discoverWorkers, ...(connectTls === undefined ? {} : { tls: connectTls }), ...(connectAuth === undefined ? {} : { auth: connectAuth }) }
  }
  if (c.cruiseControl !== undefined) {
    const ccTls = await tls(c.cruiseControl.tls, ['cruiseControl', 'tls'])
    const ccAuth = await auth(c.cruiseControl.auth, ['cruiseControl', 'auth'])
    config.cruiseControl = { url: c.cruiseControl.url, maxActiveUserTasks: c.cruiseControl.maxActiveUserTasks, ...(ccTls === undefined ? {} : { tls: ccTls }), ...(ccAuth === undefined ? {} : { auth: ccAuth }) }
  }
  if (problems.length > 0) throw new ConfigError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)))
  return config
}

function splitListen (text: string): [string, number] {
  const at = text.lastIndexOf(':')
  return [text.slice(0, at), Number(text.slice(at + 1))]
}
