/**
 * One fetch loop per broker read from (each partition's leader, or the replica its leader
 * named, KIP-392): every partition the consumer reads from that broker goes in
 * one Fetch request, on a connection of its own (so metadata and offset requests never queue
 * behind a long poll). A broker that is down or slow stalls only its own partitions.
 *
 * A partition is left out of a request while it is paused, while its buffer holds more than
 * `maxBufferedBytesPerPartition` (backpressure: the loop sleeps until the application takes
 * records), or while it backs off after a transient error. Requests go through a fetch session
 * (KIP-227, fetch-session.ts) where the broker makes one: after the first, each names only what
 * changed. Partition errors are handed to the
 * host (the fetch manager), which moves the partition, resets it or stops it. A request that
 * fails as a whole (broken connection, timeout) goes through the retry loop, whose hooks ask the
 * host to refresh metadata, so partitions whose leader moved leave this loop.
 */
import type { Cluster } from '../cluster/cluster.ts'
import type { Logger } from '../observability/logger.ts'
import { apis } from '../protocol/apis/index.ts'
import { ZERO_UUID } from '../protocol/primitives/uuid.ts'
import type { Element, ResponseBody } from '../protocol/messages.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { retry } from '../resilience/retry.ts'
import { sleep, systemClock } from '../resilience/clock.ts'
import { partitionVerdict, type PartitionVerdict } from './faults.ts'
import { Notifier, waitFor } from './notifier.ts'
import type { ResolvedConsumerOptions } from './options.ts'
import { partitionRecords, type PartitionRecords } from './partition-data.ts'
import type { PartitionState } from './partition-state.ts'
import { FetchSession, type SessionEntry } from './fetch-session.ts'

/**
 * Fetch v13+ names topics by id (from metadata), and v16 adds KIP-951's nodeEndpoints: the new
 * leader's endpoint next to its id in a NOT_LEADER_OR_FOLLOWER answer. A request whose topics'
 * ids metadata does not give (a cluster without topic ids) stays at v12, by name.
 */
const FETCH_MAX_VERSION = 16
const FETCH_MAX_VERSION_BY_NAME = 12

type FetchedPartitionData = Element<Element<ResponseBody<typeof apis.Fetch>['responses']>['partitions']>

export interface FetchHost {
  readonly cluster: Cluster
  readonly options: ResolvedConsumerOptions
  readonly logger: Logger
  /**
   * Records (possibly none) from a Fetch answer for a partition whose version still matches.
   * `end`: where the partition ends for this consumer (the last stable offset under
   * read_committed, else the high watermark); `readReplica`: the replica the leader names to
   * read from instead (KIP-392), -1 for none.
   */
  received: (state: PartitionState, data: PartitionRecords, highWatermark: bigint, bytes: number, end: bigint, readReplica: number) => void
  /** A partition-level error, with the broker's current-leader hint when it gave one. */
  partitionFailed: (state: PartitionState, verdict: PartitionVerdict, error: unknown, hint?: { leaderId: number, leaderEpoch: number }) => void
  /** Requests to this broker fail: metadata may name other leaders now. */
  brokerFailed: (nodeId: number) => Promise<void>
}

export class BrokerFetcher {
  readonly nodeId: number
  readonly partitions = new Set<PartitionState>()
  readonly #host: FetchHost
  readonly #wake = new Notifier()
  readonly #abort = new AbortController()
  readonly #done: Promise<void>
  /** Which partition goes first in the next full request, so each one in turn gets the size limit's slack. */
  #rotation = 0
  readonly #session = new FetchSession()

  constructor (host: FetchHost, nodeId: number) {
    this.#host = host
    this.nodeId = nodeId
    this.#done = this.#run()
  }

  add (state: PartitionState): void {
    state.leader = this.nodeId
    state.status = 'placed'
    state.settlePosition(state.fetchOffset)
    this.partitions.add(state)
    this.wake()
  }

  remove (state: PartitionState): void {
    if (this.partitions.delete(state) && state.leader === this.nodeId) state.leader = -1
    this.wake()
  }

  /** Something changed (space freed, resumed, partitions added): look again. */
  wake (): void {
    this.#wake.notify()
  }

  async stop (): Promise<void> {
    this.#abort.abort()
    await this.#done
  }

  #ready (now: number): PartitionState[] {
    const max = this.#host.options.maxBufferedBytesPerPartition
    return [...this.partitions].filter((p) => p.status === 'placed' && !p.paused && p.bufferedBytes < max && p.retryAt <= now)
  }

  async #run (): Promise<void> {
    const signal = this.#abort.signal
    while (!signal.aborted) {
      const wakeup = this.#wake.next()
      const now = Date.now()
      if (this.#ready(now).length === 0) {
        const backingOff = [...this.partitions].filter((p) => p.retryAt > now).map((p) => p.retryAt - now)
        await waitFor(wakeup, backingOff.length === 0 ? undefined : Math.min(...backingOff), signal)
        continue
      }
      try {
        await retry(async (context) => {
          try {
            await this.#fetch(context.signal)
          } catch (error) {
            // Whatever failed, the broker's view of the session is unknown now: start a new one.
            this.#session.reset()
            throw error
          }
        }, {
          component: 'consumer',
          operation: 'fetch',
          logger: this.#host.logger,
          metrics: this.#host.options.metrics,
          signal,
          policy: { initialDelayMs: this.#host.options.retryBackoffMs, maxDelayMs: this.#host.options.retryBackoffMaxMs, maxAttempts: Number.MAX_SAFE_INTEGER, deadlineMs: undefined },
          hooks: {
            'refresh-metadata': async () => { await this.#host.brokerFailed(this.nodeId) },
            reconnect: async () => { await this.#host.brokerFailed(this.nodeId) },
          },
        })
      } catch (error) {
        if (signal.aborted) return
        // A failure retrying cannot fix (no Fetch version in common, an answer that cannot be
        // read): every partition it carried stops, visibly.
        for (const state of this.#ready(Date.now())) this.#host.partitionFailed(state, 'stop', error)
      }
    }
  }

  async #fetch (signal: AbortSignal): Promise<void> {
    const ready = this.#ready(Date.now())
    if (ready.length === 0) return
    const first = this.#rotation++ % ready.length
    const request = this.#session.next([...ready.slice(first), ...ready.slice(0, first)])
    const { options, cluster } = this.#host
    const connection = await cluster.connection(this.nodeId, 'fetch')
    const byTopic = <T extends { topic: string }>(list: T[]): Map<string, T[]> => {
      const topics = new Map<string, T[]>()
      for (const item of list) topics.set(item.topic, [...(topics.get(item.topic) ?? []), item])
      return topics
    }
    const sending = byTopic(request.send.map((e) => ({ topic: e.state.topic, entry: e })))
    const forgetting = byTopic(request.forget)
    // Both the name and the id go in each topic: the version negotiated picks which is sent.
    const ids = topicIds(cluster, [...sending.keys(), ...forgetting.keys(), ...[...this.partitions].map((p) => p.topic)])
    const response = await connection.request(apis.Fetch, {
      replicaId: -1,
      maxWaitMs: options.fetchMaxWaitMs,
      minBytes: options.fetchMinBytes,
      maxBytes: options.fetchMaxBytes,
      isolationLevel: options.isolationLevel,
      sessionId: request.sessionId,
      sessionEpoch: request.sessionEpoch,
      topics: [...sending].map(([topic, list]) => ({
        topic,
        topicId: ids?.get(topic) ?? ZERO_UUID,
        partitions: list.map(({ entry }) => ({ partition: entry.state.partition, currentLeaderEpoch: entry.leaderEpoch, fetchOffset: entry.offset, partitionMaxBytes: options.maxPartitionFetchBytes })),
      })),
      forgottenTopicsData: [...forgetting].map(([topic, list]) => ({ topic, topicId: ids?.get(topic) ?? ZERO_UUID, partitions: list.map((state) => state.partition) })),
      rackId: options.clientRack,
    }, { maxVersion: ids === undefined ? FETCH_MAX_VERSION_BY_NAME : FETCH_MAX_VERSION, signal, timeoutMs: options.requestTimeoutMs + options.fetchMaxWaitMs })
    const topLevel = response.body.errorCode
    if (topLevel !== undefined && topLevel !== KafkaErrorCode.NONE) throw kafkaError(topLevel, `Fetch from ${connection.label}`)
    // Which partition each answer is about: one this request named, else one the session holds.
    const states = new Map([...this.partitions].map((state) => [`${state.topic}\u0000${state.partition}`, state]))
    for (const e of request.send) states.set(`${e.state.topic}\u0000${e.state.partition}`, e.state)
    const names = new Map([...ids ?? []].map(([name, id]) => [id, name]))
    const answers: Array<{ entry: SessionEntry, data: FetchedPartitionData }> = []
    for (const t of response.body.responses) {
      // Up to v12 answers name their topics; from v13 they give the ids the request sent.
      const topic = t.topic ?? (t.topicId === undefined ? undefined : names.get(t.topicId))
      for (const data of t.partitions) {
        const state = topic === undefined ? undefined : states.get(`${topic}\u0000${data.partitionIndex}`)
        const entry = state === undefined ? undefined : this.#session.entryOf(state)
        if (entry !== undefined) answers.push({ entry, data })
      }
    }
    // New leaders' endpoints (v16+), for brokers metadata does not know yet: a hint naming one can be followed at once.
    const endpoints = response.body.nodeEndpoints ?? []
    if (endpoints.length > 0) {
      const learned = cluster.learnBrokers(endpoints)
      if (learned.length > 0) this.#host.logger.info({ broker: connection.label, brokers: learned }, 'new brokers learned from a Fetch answer (KIP-951)')
    }
    this.#session.answered(response.body.sessionId ?? 0)
    if (request.sessionId === 0 && this.#session.id !== 0) this.#host.logger.debug({ broker: connection.label, sessionId: this.#session.id }, 'fetch session opened')
    for (const { entry, data } of answers) await this.#apply(entry, data, connection.label)
    // The broker asked us to slow down (KIP-219: it answers first and throttles after).
    const throttleMs = response.throttleTimeMs ?? 0
    if (throttleMs > 0) await sleep(systemClock, throttleMs, signal)
  }

  /** One partition of an answer; dropped when the partition was sought, reset or moved meanwhile. */
  async #apply (s: SessionEntry, data: FetchedPartitionData, broker: string): Promise<void> {
    const current = (): boolean => s.state.version === s.version && s.state.leader === this.nodeId && s.state.status === 'placed'
    if (!current()) return
    const errorCode = data.errorCode
    if (errorCode !== KafkaErrorCode.NONE) {
      const error = kafkaError(errorCode, `Fetch ${s.state.label} at offset ${s.offset} from ${broker}`)
      const leader = data.currentLeader
      const hint = leader !== undefined && leader.leaderId >= 0 ? { leaderId: leader.leaderId, leaderEpoch: leader.leaderEpoch } : undefined
      this.#host.partitionFailed(s.state, partitionVerdict(errorCode), error, hint)
      return
    }
    let records: PartitionRecords
    try {
      records = await partitionRecords(data, s.offset, this.#host.options.isolationLevel === 1)
    } catch (error) {
      if (current()) this.#host.partitionFailed(s.state, 'stop', error)
      return
    }
    const lastStable = data.lastStableOffset ?? -1n
    const end = this.#host.options.isolationLevel === 1 && lastStable >= 0n ? lastStable : data.highWatermark
    if (current()) this.#host.received(s.state, records, data.highWatermark, data.records?.length ?? 0, end, data.preferredReadReplica ?? -1)
  }
}

/** Each topic's id from the cached metadata, or undefined when one of them has none (then the request names topics). */
function topicIds (cluster: Cluster, topics: string[]): Map<string, string> | undefined {
  const metadata = cluster.cachedMetadata
  const ids = new Map<string, string>()
  for (const topic of topics) {
    const id = metadata?.topics.get(topic)?.topicId
    if (id === undefined || id === ZERO_UUID) return undefined
    ids.set(topic, id)
  }
  return ids
}
