/**
 * What one config builds: the clients (Kafka admin, Connect, Cruise Control), the layers' own
 * reconciler and lifecycle over the state database, and one loop per configured part. A config
 * reload stops a runtime and starts the next one; the state database and the HTTP server outlive it.
 */
import { Admin } from '../admin/admin.ts'
import { ConnectClient } from '../connect/client.ts'
import { Reconciler } from '../connect/reconciler.ts'
import { CruiseControlClient } from '../cruise-control/client.ts'
import { RebalanceLifecycle } from '../cruise-control/lifecycle.ts'
import type { Logger } from '../observability/logger.ts'
import type { AgentConfig } from './config.ts'
import type { StateReplica } from './ha/state-topic.ts'
import { kafkaClientOptions, tlsOf } from './kafka-clients.ts'
import { ConnectorsLoop } from './loops/connectors.ts'
import { LagLoop } from './loops/lag.ts'
import { Loop } from './loops/loop.ts'
import { RebalancesLoop } from './loops/rebalances.ts'
import { ManifestSource } from './manifest-source.ts'
import type { StateDatabase } from './state/database.ts'
import type { EventLog } from './state/events.ts'
import type { AnnotationMarks } from './state/marks.ts'
import { SqliteOwnershipStore, rebalanceStore } from './state/records.ts'

/** `replica`: with HA, where the stores send each change first (the state topic). */
export interface RuntimeDeps { db: StateDatabase, events: EventLog, marks: AnnotationMarks, logger: Logger, replica?: StateReplica }

export class Runtime {
  readonly config: AgentConfig
  readonly connectors?: ConnectorsLoop
  readonly rebalances?: RebalancesLoop
  readonly lag?: LagLoop
  readonly loops: Loop[] = []
  readonly #closers: Array<() => Promise<void>> = []

  constructor (config: AgentConfig, deps: RuntimeDeps) {
    this.config = config
    const { events, marks, logger } = deps
    const source = config.manifests === undefined ? undefined : new ManifestSource(config.manifests, events)
    const loop = (name: string, intervalMs: number, run: (signal: AbortSignal) => Promise<void>): void => {
      this.loops.push(new Loop({
        name,
        intervalMs,
        jitter: config.jitter,
        run,
        logger,
        onError: (error) => events.record('warn', 'loop', name, `run failed: ${(error as Error).message.split('\n')[0] ?? ''}`),
      }))
    }
    if (config.connect !== undefined && source !== undefined) {
      const c = config.connect
      const tls = tlsOf(c.tls)
      const client = new ConnectClient({ urls: c.urls, discoverWorkers: c.discoverWorkers, logger, ...(tls === undefined ? {} : { tls }), ...(c.auth === undefined ? {} : { auth: { username: c.auth.username, password: c.auth.password.reveal() } }) })
      this.#closers.push(() => client.close())
      const onDeleting = (name: string): void => { events.record('info', 'connector', name, 'deleting: created by the agent and its manifest was removed') }
      const reconciler = new Reconciler({ client, store: new SqliteOwnershipStore(deps.db, deps.replica), concurrency: c.concurrency, prune: c.prune, rebalanceGraceMs: c.rebalanceGrace, allowEmpty: true, logger, onDeleting })
      const connectors = new ConnectorsLoop({ reconciler, source, events, marks, logger })
      this.connectors = connectors
      loop('connectors', config.intervals.connectors, (signal) => connectors.run(signal))
    }
    if (config.cruiseControl !== undefined && source !== undefined) {
      const cc = config.cruiseControl
      const tls = tlsOf(cc.tls)
      const client = new CruiseControlClient({ url: cc.url, logger, maxActiveUserTasks: cc.maxActiveUserTasks, ...(tls === undefined ? {} : { tls }), ...(cc.auth === undefined ? {} : { auth: { username: cc.auth.username, password: cc.auth.password.reveal() } }) })
      this.#closers.push(() => client.close())
      const lifecycle = new RebalanceLifecycle({ client, store: rebalanceStore(deps.db, deps.replica), logger })
      const rebalances = new RebalancesLoop({ lifecycle, client, source, events, marks, logger })
      this.rebalances = rebalances
      loop('rebalances', config.intervals.rebalances, (signal) => rebalances.run(signal))
    }
    if (config.kafka !== undefined) {
      const admin = new Admin({ ...kafkaClientOptions(config.kafka), logger })
      this.#closers.push(() => admin.close())
      const lag = new LagLoop({ admin, groups: config.groups, window: config.lag.window, events })
      this.lag = lag
      loop('lag', config.intervals.lag, (signal) => lag.run(signal))
    }
  }

  start (): void { for (const l of this.loops) l.start() }

  loop (name: string): Loop | undefined { return this.loops.find((l) => l.name === name) }

  /** Lets in-flight runs finish (within the shutdown timeout), then closes the clients. */
  async stop (): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop(this.config.shutdownTimeout)))
    await Promise.all(this.#closers.map((close) => close()))
  }
}
