/**
 * A librdkafka mock cluster (a real third-party Kafka-protocol broker) in a helper process, with
 * every control of rdkafka_mock.h as an awaited method. Brokers listen on 127.0.0.1, plaintext.
 *
 *   const cluster = await MockCluster.start({ brokers: 3, topics: [{ name: 'orders', partitions: 3 }] })
 *   await cluster.setPartitionLeader('orders', 0, 2)
 *   await cluster.stop()
 *
 * A rejected control throws MockClusterRequestError with the helper's message, which names the
 * field and value it refused; a missing or dead helper throws MockClusterUnavailableError.
 */
import { rootLogger } from '../../observability/logger.ts'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { ApiKey } from './api-keys.ts'
import { locateBinary } from './binary.ts'
import { JsonLineHelper } from '../process/json-line-helper.ts'
import { MockClusterRequestError, MockClusterUnavailableError } from './errors.ts'
import type { TopicSpec } from './topic-spec.ts'

export interface MockClusterOptions {
  /** Number of brokers, ids 1..N (1 to 64). Default 3. */
  brokers?: number
  /** Topics to create before `start` resolves. */
  topics?: TopicSpec[]
  /** Path of the helper; default $STEADFAST_MOCK_CLUSTER_BIN, then build/steadfast-mock-cluster. */
  binary?: string
  /** How long the helper may take to report ready. Default 10 s. */
  startTimeoutMs?: number
  /** How long one control request may take. Default 10 s. */
  requestTimeoutMs?: number
}

export interface BrokerInfo {
  id: number
  host: string
  port: number
}

/** An error to inject: a Kafka error code, or a code with a delay before the answer (broker-level only). */
export type InjectedError = number | { code: number, rttMs?: number }

export interface TrackedRequest {
  brokerId: number
  apiKey: number
  /** When the broker received it, in microseconds of librdkafka's monotonic clock. */
  timestampUs: number
}

export type CoordinatorType = 'group' | 'transaction'

interface MockReady {
  event: 'ready'
  bootstrap: string
  brokers: Array<{ id: number, host: string, port: number, up: boolean }>
  pid: number
  librdkafka: string
  [field: string]: unknown
}

export class MockCluster {
  readonly #helper: JsonLineHelper<MockReady>
  #brokers: BrokerInfo[]
  #stopping: Promise<void> | undefined

  private constructor (helper: JsonLineHelper<MockReady>) {
    this.#helper = helper
    this.#brokers = helper.ready.brokers.map(({ id, host, port }) => ({ id, host, port }))
  }

  static async start (options: MockClusterOptions = {}): Promise<MockCluster> {
    const brokers = options.brokers ?? 3
    if (!Number.isInteger(brokers) || brokers < 1 || brokers > 64) {
      throw new InvalidArgumentError(`MockCluster.start: brokers must be an integer from 1 to 64, got ${String(brokers)}`)
    }
    const logger = rootLogger().child({ component: 'mock-cluster' })
    const helper = await JsonLineHelper.spawn<MockReady>({
      binary: locateBinary(options.binary),
      args: ['--brokers', String(brokers)],
      label: 'mock-cluster helper',
      unavailable: (message, cause) => new MockClusterUnavailableError(message, { cause }),
      requestFailed: (message, init) => new MockClusterRequestError(message, init),
      startTimeoutMs: options.startTimeoutMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      logger,
    })
    const cluster = new MockCluster(helper)
    try {
      for (const topic of options.topics ?? []) await cluster.createTopic(topic)
    } catch (error) {
      await cluster.stop()
      throw error
    }
    logger.debug({ pid: helper.pid, bootstrap: cluster.bootstrap }, 'mock cluster started')
    return cluster
  }

  /** `host:port,...` of the current brokers, for a client's bootstrap.servers. */
  get bootstrap (): string {
    return this.#brokers.map((b) => `${b.host}:${b.port}`).join(',')
  }

  get brokers (): BrokerInfo[] {
    return this.#brokers.map((b) => ({ ...b }))
  }

  /** Process id of the helper. */
  get pid (): number {
    return this.#helper.pid
  }

  /** The librdkafka version serving the cluster. */
  get librdkafkaVersion (): string {
    return this.#helper.ready.librdkafka
  }

  get running (): boolean {
    return this.#helper.running && this.#stopping === undefined
  }

  async ping (): Promise<void> {
    await this.#helper.request('ping')
  }

  /** Creates a topic; partitions default to 1, the replication factor to min(3, brokers). */
  async createTopic (spec: TopicSpec): Promise<void> {
    const partitions = spec.partitions ?? 1
    const replicationFactor = spec.replicationFactor ?? Math.min(3, this.#brokers.length)
    await this.#helper.request('createTopic', { topic: spec.name, partitions, replicationFactor })
  }

  async deleteTopic (topic: string): Promise<void> {
    await this.#helper.request('deleteTopic', { topic })
  }

  /** Moves a partition's leadership; -1 leaves it without a leader. Unknown topics are auto-created by the mock. */
  async setPartitionLeader (topic: string, partition: number, broker: number): Promise<void> {
    await this.#helper.request('setPartitionLeader', { topic, partition, broker })
  }

  /** Sets the preferred replica a consumer is told to fetch from (KIP-392); -1 clears it. */
  async setPartitionFollower (topic: string, partition: number, broker: number): Promise<void> {
    await this.#helper.request('setPartitionFollower', { topic, partition, broker })
  }

  /** Sets the low/high watermarks a follower reports; -1 follows the leader's. */
  async setFollowerWatermarks (topic: string, partition: number, low: number, high: number): Promise<void> {
    await this.#helper.request('setFollowerWatermarks', { topic, partition, low, high })
  }

  /** Drops the broker's connections and refuses new ones (-1: every broker). Leaders do not move. */
  async brokerDown (broker: number): Promise<void> {
    await this.#helper.request('brokerDown', { broker })
  }

  /** Accepts connections again on the same port (-1: every broker). */
  async brokerUp (broker: number): Promise<void> {
    await this.#helper.request('brokerUp', { broker })
  }

  /** Delays every response from the broker by rttMs (-1: every broker; 0 removes the delay). */
  async setBrokerRtt (broker: number, rttMs: number): Promise<void> {
    await this.#helper.request('setBrokerRtt', { broker, rttMs })
  }

  /** Sets the rack the broker reports in Metadata (-1: every broker). */
  async setBrokerRack (broker: number, rack: string): Promise<void> {
    await this.#helper.request('setBrokerRack', { broker, rack })
  }

  /** Changes the host and port Metadata advertises for the broker; it keeps listening where it was. */
  async setBrokerAdvertisedListener (broker: number, host: string, port: number): Promise<void> {
    await this.#helper.request('setBrokerAdvertisedListener', { broker, host, port })
  }

  /** Pins the coordinator of a group or transactional id to a broker (which need not exist). */
  async setCoordinator (type: CoordinatorType, key: string, broker: number): Promise<void> {
    await this.#helper.request('setCoordinator', { type, key, broker })
  }

  /** The next requests of this API key, on any broker, fail with these codes in order (-195 drops the connection). */
  async pushRequestErrors (apiKey: number, errors: InjectedError[]): Promise<void> {
    await this.#helper.request('pushRequestErrors', { apiKey, errors })
  }

  /** Like pushRequestErrors for one broker, with an optional delay per answer; takes precedence over cluster errors. */
  async pushBrokerRequestErrors (broker: number, apiKey: number, errors: InjectedError[]): Promise<void> {
    await this.#helper.request('pushBrokerRequestErrors', { broker, apiKey, errors })
  }

  /** Partition-level error codes for the next requests of this API key that reference the partition. */
  async pushPartitionRequestErrors (topic: string, partition: number, apiKey: number, errors: number[]): Promise<void> {
    await this.#helper.request('pushPartitionRequestErrors', { topic, partition, apiKey, errors })
  }

  /** Forgets the cluster-wide errors still queued for this API key (broker-level queues are not cleared). */
  async clearRequestErrors (apiKey: number): Promise<void> {
    await this.#helper.request('clearRequestErrors', { apiKey })
  }

  /** Makes Metadata report this error for the topic (0 clears it). Unknown topics are auto-created by the mock. */
  async setTopicError (topic: string, code: number): Promise<void> {
    await this.#helper.request('setTopicError', { topic, code })
  }

  /** Restricts the versions the brokers accept and advertise for an API; (-1, -1) removes the API. */
  async setApiVersion (apiKey: number, min: number, max: number): Promise<void> {
    await this.#helper.request('setApiVersion', { apiKey, min, max })
  }

  /**
   * Caps JoinGroup, SyncGroup and LeaveGroup at the versions the mock parses as Kafka lays them out
   * (v5, v3, v2; docs/testkit.md, quirks): a client that negotiates the highest version it
   * advertises has its connection dropped on every JoinGroup, so no consumer group forms.
   */
  async capGroupApis (): Promise<void> {
    await this.setApiVersion(ApiKey.JoinGroup, 0, 5)
    await this.setApiVersion(ApiKey.SyncGroup, 0, 3)
    await this.setApiVersion(ApiKey.LeaveGroup, 0, 2)
  }

  /** Sets the controller id Metadata reports (-1: no controller). */
  async setControllerId (broker: number): Promise<void> {
    await this.#helper.request('setControllerId', { broker })
  }

  /** Adds a broker (partitions are reassigned over all brokers) and returns where it listens. */
  async addBroker (broker: number): Promise<BrokerInfo> {
    const reply = await this.#helper.request('addBroker', { broker })
    const info = reply.broker as BrokerInfo
    this.#brokers.push({ id: info.id, host: info.host, port: info.port })
    return { ...info }
  }

  /** Removes a broker: its connections close and its partitions move to the others. */
  async decommissionBroker (broker: number): Promise<void> {
    await this.#helper.request('decommissionBroker', { broker })
    this.#brokers = this.#brokers.filter((b) => b.id !== broker)
  }

  /** group.initial.rebalance.delay.ms for new groups (the mock's default is 3000). */
  async setGroupInitialRebalanceDelay (delayMs: number): Promise<void> {
    await this.#helper.request('setGroupInitialRebalanceDelay', { delayMs })
  }

  /** Deletes a partition's records before an offset, advancing its log start offset. */
  async deleteRecords (topic: string, partition: number, beforeOffset: number): Promise<void> {
    await this.#helper.request('deleteRecords', { topic, partition, beforeOffset })
  }

  /** Starts recording every request the brokers receive (clears what was recorded). */
  async startRequestTracking (): Promise<void> {
    await this.#helper.request('startRequestTracking')
  }

  /** Stops recording and clears the record. */
  async stopRequestTracking (): Promise<void> {
    await this.#helper.request('stopRequestTracking')
  }

  /** The requests recorded since tracking started, in arrival order. */
  async getRequests (): Promise<TrackedRequest[]> {
    const reply = await this.#helper.request('getRequests')
    return reply.requests as TrackedRequest[]
  }

  async clearRequests (): Promise<void> {
    await this.#helper.request('clearRequests')
  }

  /**
   * Resolves when the helper exits for any reason (stop, signal, crash) with the reason; lets a
   * long-running owner such as the CLI notice a helper that died under it.
   */
  async exited (): Promise<string> {
    await this.#helper.exited()
    return this.#helper.exitReason ?? 'exited'
  }

  /** Stops the cluster and waits for the helper to exit. Safe to call more than once. */
  async stop (): Promise<void> {
    this.#stopping ??= this.#helper.close()
    await this.#stopping
  }
}
