/**
 * One fetch loop per leader broker: every partition the consumer reads from that broker goes in
 * one Fetch request, on a connection of its own (so metadata and offset requests never queue
 * behind a long poll). A broker that is down or slow stalls only its own partitions.
 *
 * A partition is left out of a request while it is paused, while its buffer holds more than
 * `maxBufferedBytesPerPartition` (backpressure: the loop sleeps until the application takes
 * records), or while it backs off after a transient error. Partition errors are handed to the
 * host (the fetch manager), which moves the partition, resets it or stops it. A request that
 * fails as a whole (broken connection, timeout) goes through the retry loop, whose hooks ask the
 * host to refresh metadata, so partitions whose leader moved leave this loop.
 */
import type { Cluster } from '../cluster/cluster.ts'
import type { Logger } from '../observability/logger.ts'
import { apis } from '../protocol/apis/index.ts'
import type { Element, ResponseBody } from '../protocol/messages.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { retry } from '../resilience/retry.ts'
import { sleep, systemClock } from '../resilience/clock.ts'
import { partitionVerdict, type PartitionVerdict } from './faults.ts'
import { Notifier, waitFor } from './notifier.ts'
import type { ResolvedConsumerOptions } from './options.ts'
import { partitionRecords, type PartitionRecords } from './partition-data.ts'
import type { PartitionState } from './partition-state.ts'

/** Fetch v13+ names topics by id; this consumer knows names, so it stays at v12 (see docs/protocol.md). */
const FETCH_MAX_VERSION = 12

type FetchedPartitionData = Element<Element<ResponseBody<typeof apis.Fetch>['responses']>['partitions']>

export interface FetchHost {
  readonly cluster: Cluster
  readonly options: ResolvedConsumerOptions
  readonly logger: Logger
  /** Records (possibly none) from a Fetch answer for a partition whose version still matches. */
  /** `end`: where the partition ends for this consumer (the last stable offset under read_committed, else the high watermark). */
  received: (state: PartitionState, data: PartitionRecords, highWatermark: bigint, bytes: number, end: bigint) => void
  /** A partition-level error, with the broker's current-leader hint when it gave one. */
  partitionFailed: (state: PartitionState, verdict: PartitionVerdict, error: unknown, hint?: { leaderId: number, leaderEpoch: number }) => void
  /** Requests to this broker fail: metadata may name other leaders now. */
  brokerFailed: (nodeId: number) => Promise<void>
}

interface Sent {
  state: PartitionState
  offset: bigint
  version: number
}

export class BrokerFetcher {
  readonly nodeId: number
  readonly partitions = new Set<PartitionState>()
  readonly #host: FetchHost
  readonly #wake = new Notifier()
  readonly #abort = new AbortController()
  readonly #done: Promise<void>
  /** Which partition goes first in the next request, so each one in turn gets the size limit's slack. */
  #rotation = 0

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
        await retry(async (context) => { await this.#fetch(context.signal) }, {
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
    const sent: Sent[] = [...ready.slice(first), ...ready.slice(0, first)].map((state) => ({ state, offset: state.fetchOffset, version: state.version }))
    const { options, cluster } = this.#host
    const connection = await cluster.connection(this.nodeId, 'fetch')
    const topics = new Map<string, Sent[]>()
    for (const s of sent) topics.set(s.state.topic, [...(topics.get(s.state.topic) ?? []), s])
    const response = await connection.request(apis.Fetch, {
      replicaId: -1,
      maxWaitMs: options.fetchMaxWaitMs,
      minBytes: options.fetchMinBytes,
      maxBytes: options.fetchMaxBytes,
      isolationLevel: options.isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...topics].map(([topic, list]) => ({
        topic,
        partitions: list.map((s) => ({ partition: s.state.partition, currentLeaderEpoch: s.state.leaderEpoch, fetchOffset: s.offset, partitionMaxBytes: options.maxPartitionFetchBytes })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    }, { maxVersion: FETCH_MAX_VERSION, signal, timeoutMs: options.requestTimeoutMs + options.fetchMaxWaitMs })
    const topLevel = response.body.errorCode
    if (topLevel !== undefined && topLevel !== KafkaErrorCode.NONE) throw kafkaError(topLevel, `Fetch from ${connection.label}`)
    for (const t of response.body.responses) {
      // Up to FETCH_MAX_VERSION answers name their topics (v13+ would give ids instead).
      const asked = t.topic === undefined ? undefined : topics.get(t.topic)
      for (const data of t.partitions) {
        const s = asked?.find((x) => x.state.partition === data.partitionIndex)
        if (s !== undefined) await this.#apply(s, data, connection.label)
      }
    }
    // The broker asked us to slow down (KIP-219: it answers first and throttles after).
    const throttleMs = response.throttleTimeMs ?? 0
    if (throttleMs > 0) await sleep(systemClock, throttleMs, signal)
  }

  /** One partition of an answer; dropped when the partition was sought, reset or moved meanwhile. */
  async #apply (s: Sent, data: FetchedPartitionData, broker: string): Promise<void> {
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
    if (current()) this.#host.received(s.state, records, data.highWatermark, data.records?.length ?? 0, end)
  }
}
