/**
 * A Kafka-aware TCP proxy in front of any cluster (MockCluster, RealCluster, a broker elsewhere):
 * one listener on 127.0.0.1 per upstream broker, and broker addresses in Metadata,
 * FindCoordinator and DescribeCluster answers rewritten to those listeners, so clients only ever
 * see the proxy. Faults are then injected between the clients and the brokers:
 *
 *   const proxy = await ChaosProxy.start({ upstream: cluster.bootstrap })
 *   const admin = new Admin({ bootstrap: proxy.bootstrap })
 *   await proxy.moveEndpoints()                        // every broker on a new port, old ports closed
 *   await proxy.blackhole({ brokerId: 2, apiKey: ApiKey.Produce })
 *   await proxy.dropNextAnswer({ apiKey: ApiKey.Produce })
 *   await proxy.close()
 *
 * The proxy learns the brokers from a Metadata request at start and then from every answer it
 * relays (a broker added upstream gets a listener; one that moved upstream is followed).
 */
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { rootLogger, type Logger } from '../../observability/logger.ts'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { discoverBrokers } from './discover.ts'
import { ChaosProxyUnavailableError } from './errors.ts'
import { Faults } from './faults.ts'
import { BrokerListener } from './listener.ts'
import type { Address, AdvertisedBroker } from './rewrite.ts'
import { Session, type RequestEvent } from './session.ts'
import { StatsRecorder, type ChaosProxyStats } from './stats.ts'
import { parseUpstream } from './upstream.ts'

export interface ChaosProxyOptions {
  /** The cluster's bootstrap list, `host:port[,…]`, e.g. `MockCluster#bootstrap` or `RealCluster#bootstrap`. */
  upstream: string | readonly string[]
  /** How long connecting to and asking one upstream address may take at start. Default 10 s. */
  timeoutMs?: number
  logger?: Logger
}

export interface ProxiedBroker {
  id: number
  /** Where clients reach the broker through the proxy. */
  host: string
  port: number
  /** Where the broker itself listens, `host:port`. */
  upstream: string
}

export interface ChaosProxyEvents {
  /** A request was swallowed by a black hole. */
  'request-blackholed': [RequestEvent]
  /** A request was forwarded and its answer swallowed (`dropNextAnswer`); the connection is closing. */
  'answer-dropped': [RequestEvent]
}

export type { RequestEvent } from './session.ts'

function checkApiKey (apiKey: unknown, what: string): void {
  if (!Number.isInteger(apiKey) || (apiKey as number) < 0 || (apiKey as number) > 32767) {
    throw new InvalidArgumentError(`${what}: apiKey must be an integer from 0 to 32767, got ${String(apiKey)}`)
  }
}

export class ChaosProxy extends EventEmitter<ChaosProxyEvents> {
  readonly #logger: Logger
  readonly #faults = new Faults()
  readonly #stats = new StatsRecorder()
  readonly #listeners = new Map<number, BrokerListener>()
  /** Listeners being opened for brokers first seen in an answer, so concurrent answers share one. */
  readonly #opening = new Map<number, Promise<BrokerListener>>()
  #closing: Promise<void> | undefined

  private constructor (logger: Logger) {
    super()
    this.#logger = logger
  }

  static async start (options: ChaosProxyOptions): Promise<ChaosProxy> {
    const upstream = parseUpstream(options.upstream)
    const logger = (options.logger ?? rootLogger()).child({ component: 'chaos-proxy' })
    const brokers = await discoverBrokers(upstream, options.timeoutMs ?? 10_000)
    const proxy = new ChaosProxy(logger)
    try {
      for (const broker of brokers) await proxy.#listenerFor(broker)
    } catch (error) {
      await proxy.close()
      throw error
    }
    logger.debug({ bootstrap: proxy.bootstrap, upstream: upstream.map((a) => `${a.host}:${a.port}`) }, 'chaos proxy started')
    return proxy
  }

  /** `host:port,...` of the proxy's listeners, one per broker, for a client's bootstrap.servers. */
  get bootstrap (): string {
    return this.brokers.map((b) => `${b.host}:${b.port}`).join(',')
  }

  /** Every broker the proxy knows, by id, with its proxy and upstream addresses. */
  get brokers (): ProxiedBroker[] {
    return [...this.#listeners.values()].sort((a, b) => a.brokerId - b.brokerId).map((listener) => ({
      id: listener.brokerId,
      ...listener.address,
      upstream: `${listener.upstream.host}:${listener.upstream.port}`,
    }))
  }

  /** Connections and requests so far, in total and per broker. */
  get stats (): ChaosProxyStats {
    return this.#stats.snapshot()
  }

  /**
   * Moves one broker to a new proxy port: opens a new listener, advertises it in every answer
   * from now on, then closes the old listener (its port refuses connections) and its connections.
   */
  async moveBroker (brokerId: number): Promise<ProxiedBroker> {
    const old = this.#known(brokerId, 'moveBroker')
    const fresh = await BrokerListener.open(brokerId, old.upstream, (client, listener) => this.#session(client, listener))
    this.#listeners.set(brokerId, fresh)
    await old.close()
    this.#logger.info({ brokerId, from: old.address.port, to: fresh.address.port }, 'broker moved to a new proxy endpoint')
    return this.brokers.find((b) => b.id === brokerId) as ProxiedBroker
  }

  /** Moves every broker at once (see moveBroker): no old endpoint stays reachable. */
  async moveEndpoints (): Promise<ProxiedBroker[]> {
    for (const id of [...this.#listeners.keys()]) await this.moveBroker(id)
    return this.brokers
  }

  /** Resets the current connections (the clients get ECONNRESET) of one broker or all; listeners stay open. */
  async reset (brokerId?: number): Promise<void> {
    const listeners = brokerId === undefined ? [...this.#listeners.values()] : [this.#known(brokerId, 'reset')]
    await Promise.all(listeners.map((l) => l.dropConnections({ reset: true })))
  }

  /**
   * From now on, requests to one broker (or all), optionally only of one API key, are accepted and
   * never forwarded nor answered; connections stay open. Rules add up until `heal()`.
   */
  async blackhole (options: { brokerId?: number, apiKey?: number } = {}): Promise<void> {
    if (options.brokerId !== undefined) this.#known(options.brokerId, 'blackhole')
    if (options.apiKey !== undefined) checkApiKey(options.apiKey, 'blackhole')
    this.#faults.blackhole(options)
  }

  /** Removes every black hole, latency and armed lost answer: the proxy is transparent again. */
  async heal (): Promise<void> {
    this.#faults.heal()
  }

  /**
   * Holds each request to one broker (or, without brokerId, to every broker) for `ms` before
   * forwarding it, in order; 0 removes it. Setting it for every broker replaces per-broker values.
   */
  async setLatency (ms: number, options: { brokerId?: number } = {}): Promise<void> {
    if (!Number.isInteger(ms) || ms < 0) throw new InvalidArgumentError(`setLatency: ms must be an integer >= 0, got ${String(ms)}`)
    if (options.brokerId !== undefined) this.#known(options.brokerId, 'setLatency')
    this.#faults.setLatency(ms, options.brokerId)
  }

  /**
   * The next request of `apiKey` (to `brokerId`, or any broker) is forwarded, its answer is
   * swallowed and the connection closed, like a reply lost after the broker processed the request.
   * Emits `answer-dropped` when it happens. Calls add up: each drops one answer.
   */
  async dropNextAnswer (options: { brokerId?: number, apiKey: number }): Promise<void> {
    checkApiKey(options.apiKey, 'dropNextAnswer')
    if (options.brokerId !== undefined) this.#known(options.brokerId, 'dropNextAnswer')
    this.#faults.armDrop(options)
  }

  /** Closes every listener and connection. Safe to call more than once. */
  async close (): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#opening.values()])
      await Promise.all([...this.#listeners.values()].map((l) => l.close()))
    })()
    await this.#closing
  }

  #known (brokerId: number, what: string): BrokerListener {
    const listener = this.#listeners.get(brokerId)
    if (listener === undefined) {
      throw new InvalidArgumentError(`${what}: broker ${String(brokerId)} is not known to the proxy (known: ${[...this.#listeners.keys()].join(', ')})`)
    }
    return listener
  }

  #session (client: Socket, listener: BrokerListener): Session {
    return new Session(client, {
      brokerId: listener.brokerId,
      upstream: listener.upstream,
      faults: this.#faults,
      stats: this.#stats,
      listenerFor: (broker) => this.#listenerFor(broker),
      logger: this.#logger,
      onBlackholed: (request) => this.emit('request-blackholed', request),
      onAnswerDropped: (request) => this.emit('answer-dropped', request),
    })
  }

  /** The proxy address for a broker seen upstream; follows a broker that moved, opens one for a new broker. */
  async #listenerFor (broker: AdvertisedBroker): Promise<Address> {
    if (this.#closing !== undefined) throw new ChaosProxyUnavailableError('the chaos proxy is closed')
    const existing = this.#listeners.get(broker.nodeId)
    if (existing !== undefined) {
      if (existing.upstream.host !== broker.host || existing.upstream.port !== broker.port) {
        this.#logger.info({ brokerId: broker.nodeId, from: existing.upstream, to: { host: broker.host, port: broker.port } }, 'upstream broker moved; following it')
        existing.upstream = { host: broker.host, port: broker.port }
      }
      return existing.address
    }
    let opening = this.#opening.get(broker.nodeId)
    if (opening === undefined) {
      opening = BrokerListener.open(broker.nodeId, broker, (client, listener) => this.#session(client, listener)).then((listener) => {
        this.#listeners.set(broker.nodeId, listener)
        this.#opening.delete(broker.nodeId)
        return listener
      })
      this.#opening.set(broker.nodeId, opening)
    }
    return (await opening).address
  }
}
