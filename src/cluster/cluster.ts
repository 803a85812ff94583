/**
 * The client's view of a Kafka cluster: bootstrap list, per-broker connections (each with its own
 * negotiated API versions), a metadata cache refreshed by age and on demand, coordinator lookup
 * with a cache, and endpoint tracking. Each metadata answer is compared with the previous one:
 * brokers that moved (new host or port) or left have their connections closed, and a
 * `brokers-changed` event tells the clients above, so none keeps using endpoints that are gone. When no known broker answers,
 * the bootstrap list is tried again, DNS included, and then the bootstrap source is asked for its
 * newest list (a function or a watched file can name endpoints the brokers moved to); the
 * metadata that broker gives then names every broker's new endpoint. `setBootstrap` replaces
 * the source at any time. A failure to connect carries a wake source (resilience/wake.ts) that
 * fires at the next change of the bootstrap list or of a broker's endpoint, so a caller's retry
 * waiting out its backoff tries the new endpoints at once.
 */
import { EventEmitter } from 'node:events'
import { apis } from '../protocol/apis/index.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { TransportError } from '../resilience/errors.ts'
import { classify } from '../resilience/classify.ts'
import { systemClock, type Clock } from '../resilience/clock.ts'
import { SingleFlight } from '../resilience/single-flight.ts'
import { wakeOn, type WakeSource } from '../resilience/wake.ts'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import type { Registry } from '../observability/metrics.ts'
import { parseOptions } from '../resilience/options.ts'
import { clusterOptionsSchema } from './options.ts'
import { BrokerConnection, type BrokerConnectionOptions, type BrokerEndpoint } from './broker-connection.ts'
import { formatAddress, type BrokerAddress } from './bootstrap.ts'
import { BootstrapResolver, type BootstrapSource } from './bootstrap-source.ts'
import { diffBrokers, hasChanges, parseMetadata, type BrokerChanges, type ClusterMetadata, type TopicInfo } from './metadata.ts'
import { decide, DEFAULT_MIN_REBUILD_INTERVAL_MS, DEFAULT_REBUILD_SHARE, type EndpointCheckOptions, type EndpointCheckResult } from './endpoint-check.ts'

export type CoordinatorType = 'group' | 'transaction'

export interface ClusterOptions extends BrokerConnectionOptions {
  /** A list, a function returning one (asked again when no known broker answers), or `{ file }` (watched). */
  bootstrap: BootstrapSource
  /** The least time between two calls of a bootstrap function (default 1000 ms). */
  bootstrapRefreshIntervalMs?: number
  /** Metadata older than this is refreshed before use (default 5 minutes, as Kafka's metadata.max.age.ms). */
  metadataMaxAgeMs?: number
  logger?: Logger
  clock?: Clock
  /** Where the clients built on this cluster count, unless they are given their own (default: the shared registry). */
  registry?: Registry
  /** The periodic endpoint health check (endpoint-check.ts); off when left out. */
  endpointCheck?: EndpointCheckOptions
}

/** For calls that may open connections: the caller's abort signal (its deadline) stops the wait. */
export interface WaitOptions {
  signal?: AbortSignal
}

export interface ClusterEvents {
  'brokers-changed': [BrokerChanges]
  /** The bootstrap source gave a different list (a function asked again, a watched file changed). */
  'bootstrap-changed': [readonly BrokerAddress[]]
  /** The endpoint health check rebuilt the connections (every one closed; brokers as the bootstrap source's answer names them). */
  'endpoints-rebuilt': [EndpointCheckResult]
}

interface PoolEntry {
  endpoint: BrokerEndpoint
  opening: Promise<BrokerConnection>
  /** Set once the connection is open. */
  ready: BrokerConnection | undefined
}

/** The single-flight key of a refresh of every topic: no list of topic names joins to it. */
const FULL_REFRESH = '\u0000*'

const COORDINATOR_KEY_TYPE: Record<CoordinatorType, number> = { group: 0, transaction: 1 }

export class Cluster extends EventEmitter<ClusterEvents> {
  readonly #options: ClusterOptions
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #maxAgeMs: number
  #bootstrap: BootstrapResolver
  #metadata: ClusterMetadata | undefined
  /** When the last answer about every topic came (undefined: never). */
  #allTopicsAt: number | undefined
  /** When each topic was last described by an answer. */
  readonly #topicAt = new Map<string, number>()
  /** Refreshes under way, by the topics they ask for (FULL_REFRESH for every topic): concurrent callers share one request. */
  readonly #refreshing = new SingleFlight<string, ClusterMetadata>()
  /** Connections by `${nodeId}` (or `bootstrap:${host}:${port}`) and purpose. */
  readonly #pool = new Map<string, PoolEntry>()
  readonly #coordinators = new Map<string, BrokerEndpoint>()
  /** The ApiVersions version each address accepted last, to ask it first next time. */
  readonly #apiVersionsVersions = new Map<string, number>()
  /** Changes of the bootstrap list or of the brokers' endpoints so far, and who waits for the next. */
  #endpointChanges = 0
  readonly #awaitingChange = new Set<() => void>()
  #closed = false
  /** Aborts connection set-ups still under way when the client closes, so closing does not wait for them. */
  readonly #closing = new AbortController()
  #endpointCheckTimer: NodeJS.Timeout | undefined
  #lastRebuildAt: number | undefined
  /** Rebuilds so far: a metadata answer that started before the latest one is not applied. */
  #rebuilds = 0

  constructor (options: ClusterOptions) {
    super()
    parseOptions('cluster', clusterOptionsSchema, options)
    this.#options = options
    this.#logger = options.logger ?? rootLogger()
    this.#bootstrap = this.#resolver(options.bootstrap)
    this.#clock = options.clock ?? systemClock
    this.#maxAgeMs = options.metadataMaxAgeMs ?? 300_000
    if (options.endpointCheck !== undefined) this.#scheduleEndpointCheck(options.endpointCheck.intervalMs)
  }

  #scheduleEndpointCheck (intervalMs: number): void {
    this.#endpointCheckTimer = setTimeout(() => {
      this.checkEndpoints().catch((error: unknown) => {
        this.#logger.debug({ err: (error as Error).message }, 'endpoint check: the bootstrap source did not answer')
      }).finally(() => { if (!this.#closed) this.#scheduleEndpointCheck(intervalMs) })
    }, intervalMs)
    this.#endpointCheckTimer.unref()
  }

  /**
   * One look of the endpoint health check (endpoint-check.ts), also run every
   * `endpointCheck.intervalMs` when that option is set: the bootstrap source's newest list is
   * asked, on a connection of its own, which brokers the cluster has; past the rebuild share (and
   * the rebuild interval) every connection is closed and those brokers are used. Undefined before
   * the first metadata (nothing in use to compare).
   */
  async checkEndpoints (options: WaitOptions = {}): Promise<EndpointCheckResult | undefined> {
    const cached = this.#metadata
    if (cached === undefined) return undefined
    const list = this.#bootstrap.dynamic ? await this.#bootstrap.refresh() : this.#bootstrap.current
    const fresh = await this.#askBootstrap(list, options)
    const check = this.#options.endpointCheck
    const now = this.#clock.now()
    const result = decide({
      inUse: cached.brokers,
      fresh: fresh.brokers,
      clusterId: cached.clusterId,
      freshClusterId: fresh.clusterId,
      now,
      lastRebuildAt: this.#lastRebuildAt,
      rebuildShare: check?.rebuildShare ?? DEFAULT_REBUILD_SHARE,
      minRebuildIntervalMs: check?.minRebuildIntervalMs ?? DEFAULT_MIN_REBUILD_INTERVAL_MS,
    })
    const details = { changed: result.changed, share: Math.round(result.share * 100) / 100, bootstrap: list.map(formatAddress) }
    switch (result.outcome) {
      case 'unchanged':
        this.#logger.debug(details, 'endpoint check: the brokers are where the client uses them')
        break
      case 'below-share':
        this.#logger.info(details, 'endpoint check: some brokers moved, below the rebuild share (metadata refreshes follow them one by one)')
        break
      case 'rate-limited':
        this.#logger.warn({ ...details, lastRebuildAt: this.#lastRebuildAt }, 'endpoint check: brokers moved, but the last rebuild was too recent')
        break
      case 'other-cluster':
        this.#logger.error({ ...details, clusterId: cached.clusterId, bootstrapClusterId: fresh.clusterId }, 'endpoint check: the bootstrap source names another cluster; nothing changed')
        break
      case 'rebuilt':
        this.#lastRebuildAt = now
        this.#logger.warn(details, 'endpoint check: brokers moved; every connection closed, the brokers as the bootstrap source names them')
        // Topics as they are now: a refresh may have landed while the bootstrap source was asked.
        this.#rebuild({ ...this.#metadata ?? cached, clusterId: fresh.clusterId ?? cached.clusterId, controllerId: fresh.controllerId, brokers: fresh.brokers })
        this.emit('endpoints-rebuilt', result)
    }
    return result
  }

  /** Metadata (brokers only) from the first address of `list` that answers, on a connection not pooled. */
  async #askBootstrap (list: readonly BrokerAddress[], options: WaitOptions): Promise<ClusterMetadata> {
    const failures: string[] = []
    const signal = options.signal === undefined ? this.#closing.signal : AbortSignal.any([options.signal, this.#closing.signal])
    for (const address of list) {
      let connection: BrokerConnection | undefined
      try {
        connection = await BrokerConnection.open({ nodeId: undefined, host: address.host, port: address.port }, { ...this.#options, signal })
        // Only the brokers are read (v0 would describe every topic too).
        const response = await connection.request(apis.Metadata, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, { signal })
        return parseMetadata(response.body, this.#clock.now())
      } catch (error) {
        if (signal.aborted) throw error
        failures.push(`${formatAddress(address)} (${(error as Error).message})`)
      } finally {
        connection?.close()
      }
    }
    throw new TransportError(`endpoint check: no bootstrap address answered; tried ${failures.join('; ')}`, 'ENOBROKER')
  }

  /** Every connection closed and the coordinators forgotten; `next` names the brokers from now on. */
  #rebuild (next: ClusterMetadata): void {
    this.#rebuilds++
    const entries = [...this.#pool.values()]
    this.#pool.clear()
    for (const entry of entries) entry.opening.then((c) => c.close(), () => {})
    this.#coordinators.clear()
    this.#apply(next)
  }

  /** The registry the options gave, for the clients built on this cluster. */
  get registry (): Registry | undefined {
    return this.#options.registry
  }

  /** The bootstrap list as last resolved (empty for a function source not asked yet). */
  get bootstrap (): readonly BrokerAddress[] {
    return this.#bootstrap.current
  }

  /** Replaces the bootstrap source (a list, a function or `{ file }`); used when no known broker answers. */
  setBootstrap (source: BootstrapSource): void {
    const next = this.#resolver(source)
    this.#bootstrap.close()
    this.#bootstrap = next
    this.#logger.info({ bootstrap: next.current.map(formatAddress) }, 'bootstrap list replaced')
  }

  #resolver (source: BootstrapSource): BootstrapResolver {
    return new BootstrapResolver(source, {
      logger: this.#logger,
      minRefreshIntervalMs: this.#options.bootstrapRefreshIntervalMs,
      onChange: (list) => {
        this.#endpointsChanged()
        this.emit('bootstrap-changed', list)
      },
    })
  }

  /** The last metadata seen, without any I/O. */
  get cachedMetadata (): ClusterMetadata | undefined {
    return this.#metadata
  }

  /**
   * Metadata that is no older than the max age and knows every topic in `topics`; refreshes when
   * needed. Topics the cluster does not know are reported with their error code, not thrown.
   */
  async metadata (topics?: readonly string[], options: WaitOptions = {}): Promise<ClusterMetadata> {
    const cached = this.#metadata
    if (cached !== undefined) {
      // "Every topic" is only answered from an answer about every topic, never from a merge of
      // partial ones; a topic is fresh when an answer described it within the max age.
      if (topics === undefined && this.#fresh(this.#allTopicsAt)) return cached
      if (topics !== undefined && topics.every((t) => cached.topics.get(t)?.errorCode === KafkaErrorCode.NONE && this.#fresh(this.#topicAt.get(t)))) return cached
    }
    return await this.refreshMetadata(topics, options)
  }

  /**
   * The cached metadata of `topic`, without I/O, when an answer described it within the max age
   * and it has partitions; undefined when it has to be asked for (`metadata([topic])`).
   */
  freshTopic (topic: string): TopicInfo | undefined {
    const info = this.#metadata?.topics.get(topic)
    if (info === undefined || info.errorCode !== 0 || info.partitions.length === 0) return undefined
    return this.#fresh(this.#topicAt.get(topic)) ? info : undefined
  }

  #fresh (at: number | undefined): boolean {
    return at !== undefined && this.#clock.now() - at < this.#maxAgeMs
  }

  /**
   * Asks a broker for metadata now. Without `topics`, asks for every topic; with them, merges the
   * answer into the cache. Concurrent callers share one request when they ask for the same topics
   * (the request runs under the signal of the caller that started it).
   */
  async refreshMetadata (topics?: readonly string[], options: WaitOptions = {}): Promise<ClusterMetadata> {
    const key = topics === undefined ? FULL_REFRESH : [...new Set(topics)].sort().join('\u0000')
    return await this.#refreshing.run(key, async () => await this.#fetchMetadata(topics, options))
  }

  async #fetchMetadata (topics: readonly string[] | undefined, options: WaitOptions): Promise<ClusterMetadata> {
    const rebuilds = this.#rebuilds
    const connection = await this.anyConnection(options)
    const response = await connection.request(apis.Metadata, (version) => ({
      // v0 asks for every topic with an empty list; later versions with null.
      topics: topics === undefined ? (version === 0 ? [] : null) : topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    }), options)
    // An answer from a connection the endpoint check has since closed may name the endpoints it
    // moved away from: ask again, on the connections opened since.
    if (this.#rebuilds !== rebuilds) return await this.#fetchMetadata(topics, options)
    const now = this.#clock.now()
    const next = parseMetadata(response.body, now)
    for (const name of next.topics.keys()) this.#topicAt.set(name, now)
    if (topics === undefined) {
      // A full answer replaces the topic list: deleted topics leave the cache here.
      this.#allTopicsAt = now
      for (const name of this.#topicAt.keys()) if (!next.topics.has(name)) this.#topicAt.delete(name)
    } else if (this.#metadata !== undefined) {
      // A partial answer: keep the other topics we knew, with the age they had.
      for (const [name, topic] of this.#metadata.topics) if (!next.topics.has(name)) next.topics.set(name, topic)
    }
    this.#apply(next)
    return next
  }

  /**
   * Brokers a Fetch or Produce answer named (KIP-951 `nodeEndpoints`: the endpoint of a new
   * leader) that the cached metadata does not know yet, so a partition can follow its leader hint
   * without a metadata round trip. A broker metadata already knows keeps its metadata endpoint:
   * only a Metadata answer moves a known broker. Returns the node ids added.
   */
  learnBrokers (endpoints: ReadonlyArray<{ nodeId: number, host: string, port: number, rack?: string | null }>): number[] {
    const cached = this.#metadata
    if (cached === undefined) return []
    const added = endpoints.filter((e) => !cached.brokers.has(e.nodeId) && e.nodeId >= 0 && e.host !== '' && e.port > 0)
    if (added.length === 0) return []
    const brokers = new Map(cached.brokers)
    for (const e of added) brokers.set(e.nodeId, { nodeId: e.nodeId, host: e.host, port: e.port, rack: e.rack ?? null })
    this.#apply({ ...cached, brokers })
    return added.map((e) => e.nodeId)
  }

  #apply (next: ClusterMetadata): void {
    const previous = this.#metadata
    this.#metadata = next
    if (previous === undefined) return
    const changes = diffBrokers(previous.brokers, next.brokers)
    if (!hasChanges(changes)) return
    // Connections to brokers that left or moved are useless; a rack change alone keeps them.
    const moved = changes.changed.filter((c) => c.before.host !== c.after.host || c.before.port !== c.after.port).map((c) => c.before)
    for (const broker of [...changes.removed, ...moved]) this.#dropBroker(broker.nodeId)
    this.#endpointsChanged()
    this.#logger.warn({
      added: changes.added.map((b) => b.nodeId),
      removed: changes.removed.map((b) => b.nodeId),
      changed: changes.changed.map((c) => ({ id: c.after.nodeId, from: `${c.before.host}:${c.before.port}`, to: `${c.after.host}:${c.after.port}` })),
    }, 'broker endpoints changed')
    this.emit('brokers-changed', changes)
  }

  #endpointsChanged (): void {
    this.#endpointChanges++
    const waiting = [...this.#awaitingChange]
    this.#awaitingChange.clear()
    for (const wake of waiting) wake()
  }

  /**
   * Fires at the first endpoint change after the count `seen` (taken when the failing attempt
   * began): in a microtask when one came in the meantime, since the attempt may not have used it.
   */
  #nextEndpointChange (seen: number): WakeSource {
    return {
      subscribe: (listener) => {
        let listening = true
        const wake = (): void => { if (listening) { listening = false; listener() } }
        if (this.#endpointChanges !== seen) queueMicrotask(wake)
        else this.#awaitingChange.add(wake)
        return () => { listening = false; this.#awaitingChange.delete(wake) }
      },
    }
  }

  #dropBroker (nodeId: number): void {
    for (const [key, entry] of this.#pool) {
      if (entry.endpoint.nodeId === nodeId) {
        this.#pool.delete(key)
        entry.opening.then((c) => c.close(), () => {})
      }
    }
    for (const [key, endpoint] of this.#coordinators) if (endpoint.nodeId === nodeId) this.#coordinators.delete(key)
  }

  /**
   * A connection to `endpoint`, shared per broker and purpose; reopened when it died or moved.
   * Concurrent callers share one open: whoever finds the entry stale replaces it, the others wait
   * for that replacement. The set-up runs under the signal of the caller that started it.
   */
  async connectionTo (endpoint: BrokerEndpoint, purpose = 'default', options: WaitOptions = {}): Promise<BrokerConnection> {
    const key = `${endpoint.nodeId ?? `bootstrap:${endpoint.host}:${endpoint.port}`}/${purpose}`
    for (;;) {
      if (this.#closed) throw new TransportError('the cluster client is closed', 'ECONNCLOSED', { action: 'fatal' })
      const existing = this.#pool.get(key)
      if (existing === undefined) return await this.#open(key, endpoint, options)
      const moved = existing.endpoint.host !== endpoint.host || existing.endpoint.port !== endpoint.port
      if (!moved) {
        const connection = await existing.opening.catch(() => undefined)
        if (connection !== undefined && !connection.closed) return connection
      }
      // Stale (dead, failed or moved). Only one caller replaces it; the others see the new entry.
      if (this.#pool.get(key) !== existing) continue
      this.#pool.delete(key)
      existing.opening.then((c) => c.close(), () => {})
    }
  }

  async #open (key: string, endpoint: BrokerEndpoint, options: WaitOptions): Promise<BrokerConnection> {
    const seen = this.#endpointChanges
    const address = `${endpoint.host}:${endpoint.port}`
    const known = this.#apiVersionsVersions.get(address)
    const signal = options.signal === undefined ? this.#closing.signal : AbortSignal.any([options.signal, this.#closing.signal])
    const opening = BrokerConnection.open(endpoint, { ...this.#options, signal, ...(known === undefined ? {} : { apiVersionsVersion: known }) })
    const entry: PoolEntry = { endpoint, opening, ready: undefined }
    this.#pool.set(key, entry)
    try {
      const connection = await opening
      entry.ready = connection
      this.#apiVersionsVersions.set(address, connection.apiVersionsVersion)
      connection.onClose(() => { if (this.#pool.get(key) === entry) this.#pool.delete(key) })
      if (this.#closed) connection.close()
      return connection
    } catch (error) {
      if (this.#pool.get(key) === entry) this.#pool.delete(key)
      throw wakeOn(error, this.#nextEndpointChange(seen))
    }
  }

  /** A connection to broker `nodeId`, by the address the latest metadata gives. */
  async connection (nodeId: number, purpose = 'default', options: WaitOptions = {}): Promise<BrokerConnection> {
    let broker = this.#metadata?.brokers.get(nodeId)
    if (broker === undefined) broker = (await this.refreshMetadata(undefined, options)).brokers.get(nodeId)
    if (broker === undefined) {
      throw new TransportError(`broker ${nodeId} is not in the cluster's metadata`, 'EBROKERGONE', { action: 'refresh-metadata' })
    }
    return await this.connectionTo({ nodeId, host: broker.host, port: broker.port }, purpose, options)
  }

  /**
   * A live connection to any broker: pooled ones first, then every broker the metadata names,
   * then the bootstrap list. Fails with one error listing every address tried and why; once the
   * caller's signal aborts, with the failure of the address it was trying.
   */
  async anyConnection (options: WaitOptions = {}): Promise<BrokerConnection> {
    const seen = this.#endpointChanges
    // An open general-purpose connection first; never one still opening (it may be stalled) nor
    // one for another purpose (metadata must not queue behind Produce requests).
    for (const [key, entry] of this.#pool) {
      if (key.endsWith('/default') && entry.ready !== undefined && !entry.ready.closed) return entry.ready
    }
    const bootstrap = (list: readonly BrokerAddress[]): BrokerEndpoint[] => list.map((a) => ({ nodeId: undefined, host: a.host, port: a.port }))
    const candidates: BrokerEndpoint[] = [
      ...shuffle([...(this.#metadata?.brokers.values() ?? [])]).map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
      ...bootstrap(this.#bootstrap.current),
    ]
    const failures: string[] = []
    const tried = new Set<string>()
    let last: unknown
    const attempt = async (endpoints: BrokerEndpoint[]): Promise<BrokerConnection | undefined> => {
      for (const endpoint of endpoints) {
        const address = formatAddress(endpoint)
        if (tried.has(address)) continue
        tried.add(address)
        try {
          return await this.connectionTo(endpoint, 'default', options)
        } catch (error) {
          if (classify(error).action === 'fatal' || options.signal?.aborted === true) throw error
          last = error
          failures.push(`${address} (${(error as Error).message})`)
        }
      }
      return undefined
    }
    const known = await attempt(candidates)
    if (known !== undefined) return known
    // Every endpoint we knew failed: the brokers may have moved; the source may know where.
    if (this.#bootstrap.dynamic) {
      const fresh = await attempt(bootstrap(await this.#bootstrap.refresh()))
      if (fresh !== undefined) return fresh
    }
    throw wakeOn(new TransportError(`no broker reachable; tried ${failures.join('; ')}`, 'ENOBROKER', { cause: last }), this.#nextEndpointChange(seen))
  }

  /**
   * A connection to the leader of `topic`/`partition`, per the current metadata. A fresh answer
   * that reports an error for the topic is thrown as it is, not asked again: the caller's retry
   * loop refreshes (refresh-metadata) and comes back, so each attempt costs at most one request.
   */
  async leaderConnection (topic: string, partition: number, purpose = 'default', options: WaitOptions = {}): Promise<BrokerConnection> {
    const cached = this.#metadata?.topics.get(topic)
    const info = cached !== undefined && this.#fresh(this.#topicAt.get(topic)) ? cached : (await this.metadata([topic], options)).topics.get(topic)
    if (info === undefined || info.errorCode !== KafkaErrorCode.NONE) throw kafkaError(info?.errorCode ?? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `metadata for topic ${topic}`)
    const p = info.partitions.find((x) => x.partition === partition)
    if (p === undefined) throw kafkaError(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `metadata for ${topic}-${partition} (topic has ${info.partitions.length} partitions)`)
    if (p.leader < 0) throw kafkaError(KafkaErrorCode.LEADER_NOT_AVAILABLE, `${topic}-${partition}`)
    return await this.connection(p.leader, purpose, options)
  }

  /** The controller broker (for topic and partition administration). */
  async controllerConnection (options: WaitOptions = {}): Promise<BrokerConnection> {
    const metadata = await this.metadata(undefined, options)
    if (metadata.controllerId < 0 || !metadata.brokers.has(metadata.controllerId)) {
      // Brokers answer a random broker as controller in KRaft mode; any broker forwards.
      return await this.anyConnection(options)
    }
    return await this.connection(metadata.controllerId, 'default', options)
  }

  /**
   * The coordinator of a group or transactional id, from the cache or FindCoordinator. A caller
   * whose requests wait long on the broker (JoinGroup waits for the whole group) passes its own
   * `purpose`, so other requests to that broker do not queue behind them.
   */
  async coordinator (type: CoordinatorType, key: string, options: WaitOptions & { purpose?: string } = {}): Promise<BrokerConnection> {
    const cacheKey = `${type}:${key}`
    let endpoint = this.#coordinators.get(cacheKey)
    if (endpoint === undefined) {
      endpoint = await this.#findCoordinator(type, key, options)
      this.#coordinators.set(cacheKey, endpoint)
    }
    return await this.connectionTo(endpoint, options.purpose ?? 'default', options)
  }

  /** Forgets the cached coordinator, so the next call asks FindCoordinator again. */
  invalidateCoordinator (type: CoordinatorType, key: string): void {
    this.#coordinators.delete(`${type}:${key}`)
  }

  async #findCoordinator (type: CoordinatorType, key: string, options: WaitOptions): Promise<BrokerEndpoint> {
    const connection = await this.anyConnection(options)
    const keyType = COORDINATOR_KEY_TYPE[type]
    const response = await connection.request(apis.FindCoordinator, (version) => version >= 4
      ? { keyType, coordinatorKeys: [key] }
      : { key, keyType }, options)
    // v4+ answer per key, earlier versions at the top level; no entry for the key is "not available".
    const answer = response.version >= 4 ? response.body.coordinators?.[0] : response.body
    const errorCode = answer?.errorCode ?? KafkaErrorCode.COORDINATOR_NOT_AVAILABLE
    if (errorCode !== KafkaErrorCode.NONE) {
      throw kafkaError(errorCode, `FindCoordinator for ${type} "${key}" via ${connection.label}`, { serverMessage: answer?.errorMessage })
    }
    // An answer without an error carries the coordinator's address at every version.
    return { nodeId: answer?.nodeId ?? -1, host: answer?.host ?? '', port: answer?.port ?? -1 }
  }

  /** Closes every connection. */
  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#endpointCheckTimer)
    this.#bootstrap.close()
    this.#closing.abort(new Error('the cluster client is closing'))
    const entries = [...this.#pool.values()]
    this.#pool.clear()
    await Promise.all(entries.map(async (e) => { (await e.opening.catch(() => undefined))?.close() }))
  }
}

function shuffle<T> (items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const tmp = items[i] as T
    items[i] = items[j] as T
    items[j] = tmp
  }
  return items
}
