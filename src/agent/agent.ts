/**
 * `steadfast agent`: the state database, the HTTP server and a runtime (clients and loops) built
 * from the config. The manifests directory and the config file are watched: a manifest change
 * runs the connectors and rebalances loops at once; a valid config change replaces the runtime
 * (in-flight runs finish first); an invalid one is reported and the running config stays.
 * `http.listen` and `state` are read at start only (a change is reported as needing a restart).
 */
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { rootLogger, type Logger } from '../observability/logger.ts'
import { KeyedSerial } from '../resilience/keyed-serial.ts'
import { loadConfig, type AgentConfig } from './config.ts'
import { HighAvailability, type AgentRole } from './ha/high-availability.ts'
import { AgentServer } from './http/server.ts'
import { agentActive } from './metrics.ts'
import { Runtime, type RuntimeDeps } from './runtime.ts'
import { openStateDatabase, type StateDatabase } from './state/database.ts'
import { EventLog } from './state/events.ts'
import { RecentRetries } from './recent-retries.ts'
import { AnnotationMarks } from './state/marks.ts'

export interface AgentOptions {
  logger?: Logger
  env?: NodeJS.ProcessEnv
}

const DEBOUNCE_MS = 200

export class Agent {
  readonly events: EventLog
  readonly url: string
  readonly #db: StateDatabase
  readonly #marks: AnnotationMarks
  readonly #server: AgentServer
  readonly #retries: RecentRetries
  readonly #logger: Logger
  readonly #env: NodeJS.ProcessEnv
  readonly #watchers: FSWatcher[] = []
  readonly #startedAt = new Date().toISOString()
  readonly #ha: HighAvailability | undefined
  #runtime: Runtime
  readonly #runtimeChanges = new KeyedSerial<'runtime'>()
  #timers = new Map<string, ReturnType<typeof setTimeout>>()
  #stopped: Promise<void> | undefined

  private constructor (config: AgentConfig, db: StateDatabase, server: AgentServer, url: string, options: AgentOptions, events: EventLog, marks: AnnotationMarks, ha: HighAvailability | undefined, retries: RecentRetries) {
    this.#retries = retries
    this.#db = db
    this.events = events
    this.#marks = marks
    this.#server = server
    this.url = url
    this.#logger = options.logger ?? rootLogger()
    this.#env = options.env ?? process.env
    this.#ha = ha
    this.#runtime = new Runtime(config, this.#deps())
  }

  static async start (configFile: string, options: AgentOptions = {}): Promise<Agent> {
    const config = await loadConfig(configFile, options.env)
    const logger = options.logger ?? rootLogger()
    // With HA, Kafka must answer before anything else starts: the state topic is where state goes.
    const ha = config.ha === undefined ? undefined : await HighAvailability.open(config, logger)
    const retries = new RecentRetries()
    // The server is listening before the agent exists (a port in use fails before anything runs).
    const started: { agent?: Agent } = {}
    let database: StateDatabase | undefined
    let opened: { db: StateDatabase, events: EventLog, marks: AnnotationMarks, server: AgentServer, url: string }
    try {
      const db = openStateDatabase(config.state)
      database = db
      const events = new EventLog(db)
      const marks = new AnnotationMarks(db, ha?.replica)
      const server = new AgentServer(() => {
        const agent = started.agent
        if (agent === undefined) throw new Error('the agent is starting')
        return { runtime: agent.#runtime, events, retries, token: agent.#runtime.config.http.token, startedAt: agent.#startedAt, role: agent.role, ...(ha === undefined ? {} : { ha: { group: ha.group, since: ha.since } }) }
      })
      opened = { db, events, marks, server, url: await server.listen(config.http.host, config.http.port) }
    } catch (error) {
      // Whatever failed (a state database that does not open, a port in use), nothing opened so
      // far may outlive it: the lease group's connections would keep the process from exiting.
      retries.close()
      database?.close()
      await ha?.close()
      throw error
    }
    const { db, events, marks, server, url } = opened
    const agent = new Agent(config, db, server, url, options, events, marks, ha, retries)
    started.agent = agent
    events.record('info', 'agent', 'agent', `started (${config.file}); serving ${url}`)
    if (ha === undefined) {
      agent.#runtime.start()
    } else {
      events.record('info', 'ha', ha.group, 'standby: waiting for the lease')
      ha.start(async () => { await agent.#becomeActive() }, async () => { await agent.#becomeStandby() })
    }
    agentActive.set(ha === undefined ? 1 : 0)
    agent.#watch(config)
    return agent
  }

  /** `single` without HA; with HA, `active` while this agent holds the lease, else `standby`. */
  get role (): AgentRole { return this.#ha?.role ?? 'single' }

  #deps (): RuntimeDeps {
    return { db: this.#db, events: this.events, marks: this.#marks, logger: this.#logger, ...(this.#ha === undefined ? {} : { replica: this.#ha.replica }) }
  }

  /** Replacing the runtime (reload, lease changes) runs one at a time. */
  #serially<T> (step: () => Promise<T>): Promise<T> {
    return this.#runtimeChanges.run('runtime', step)
  }

  /** The lease was acquired: rebuild the state from the topic, then a fresh runtime starts acting. */
  #becomeActive (): Promise<void> {
    return this.#serially(async () => {
      if (this.#stopped !== undefined || this.#ha === undefined) return
      const rows = await this.#ha.replica.restore(this.#db)
      await this.#runtime.stop()
      this.#runtime = new Runtime(this.#runtime.config, this.#deps())
      this.#runtime.start()
      agentActive.set(1)
      this.events.record('info', 'ha', this.#ha.group, `active: holding the lease; ${rows} state rows restored from ${this.#ha.replica.topic}`)
    })
  }

  /** The lease is going: the loops stop (in-flight runs finish) before it goes. */
  #becomeStandby (): Promise<void> {
    return this.#serially(async () => {
      if (this.#ha === undefined) return
      agentActive.set(0)
      await this.#runtime.stop()
      this.#runtime = new Runtime(this.#runtime.config, this.#deps())
      this.events.record('warn', 'ha', this.#ha.group, 'standby: the lease was released or lost; another agent acts')
    })
  }

  get runtime (): Runtime { return this.#runtime }
  get config (): AgentConfig { return this.#runtime.config }

  #watch (config: AgentConfig): void {
    if (config.manifests !== undefined) {
      try {
        this.#watchers.push(watch(config.manifests, () => this.#debounce('manifests', () => {
          // A run's failure is counted and reported by the loop itself; trigger never rejects.
          this.#runtime.loop('connectors')?.trigger()
          this.#runtime.loop('rebalances')?.trigger()
        })))
      } catch (error) {
        this.events.record('warn', 'manifests', config.manifests, `cannot watch the directory (${(error as Error).message}); changes apply at the next interval`)
      }
    }
    // The directory, not the file: editors replace files by renaming, which ends a watch on the file.
    this.#watchers.push(watch(dirname(config.file), (_event, name) => {
      if (name === basename(config.file)) this.#debounce('config', () => { this.reload().catch((error: unknown) => this.events.record('error', 'config', config.file, `reload failed: ${(error as Error).message}`)) })
    }))
    for (const w of this.#watchers) w.on('error', (error) => this.events.record('warn', 'agent', 'watch', `file watch failed: ${error.message}`))
  }

  #debounce (key: string, fn: () => void): void {
    clearTimeout(this.#timers.get(key))
    this.#timers.set(key, setTimeout(() => { this.#timers.delete(key); fn() }, DEBOUNCE_MS))
  }

  /** Re-reads the config file and, when it is valid and changed, replaces the runtime; reloads run one at a time. */
  reload (): Promise<boolean> {
    return this.#serially(async () => await this.#reload())
  }

  async #reload (): Promise<boolean> {
    if (this.#stopped !== undefined) return false
    const current = this.#runtime.config
    let next: AgentConfig
    try {
      next = await loadConfig(current.file, this.#env)
    } catch (error) {
      this.events.record('error', 'config', current.file, `${(error as Error).message}\nthe running config stays in effect`)
      return false
    }
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(next)), JSON.parse(JSON.stringify(current))) && secretsEqual(next, current)) return false
    for (const key of ['http', 'state', 'ha'] as const) {
      const [a, b] = key === 'http'
        ? [`${next.http.host}:${next.http.port}`, `${current.http.host}:${current.http.port}`]
        : key === 'state' ? [next.state, current.state] : [JSON.stringify(next.ha ?? null), JSON.stringify(current.ha ?? null)]
      if (a !== b) this.events.record('warn', 'config', current.file, `${key} changed (${b} → ${a}); it takes effect when the agent restarts`)
    }
    const { ha: _nextHa, ...rest } = next
    const applied: AgentConfig = { ...rest, http: { ...next.http, host: current.http.host, port: current.http.port }, state: current.state, ...(current.ha === undefined ? {} : { ha: current.ha }) }
    await this.#runtime.stop()
    this.#runtime = new Runtime(applied, this.#deps())
    // A standby keeps its runtime idle until it holds the lease.
    if (this.role !== 'standby') this.#runtime.start()
    this.events.record('info', 'config', current.file, 'config reloaded')
    return true
  }

  /** Graceful stop: no new runs, in-flight ones finish (within shutdownTimeout), state closed. */
  stop (): Promise<void> {
    this.#stopped ??= (async () => {
      this.#server.draining()
      for (const w of this.#watchers) w.close()
      for (const t of this.#timers.values()) clearTimeout(t)
      await this.#runtimeChanges.idle()
      await this.#ha?.close()
      await this.#runtimeChanges.idle()
      await this.#runtime.stop()
      this.events.record('info', 'agent', 'agent', 'stopped')
      await this.#server.close()
      this.#retries.close()
      this.#db.close()
    })()
    return this.#stopped
  }
}

/** Secrets print as [redacted], so a changed password is compared by value. */
function secretsEqual (a: AgentConfig, b: AgentConfig): boolean {
  const values = (c: AgentConfig): Array<string | undefined> => [c.kafka?.sasl?.password.reveal(), c.connect?.auth?.password.reveal(), c.cruiseControl?.auth?.password.reveal(), c.http.token?.reveal(), c.kafka?.tls?.key?.reveal()]
  return isDeepStrictEqual(values(a), values(b))
}
