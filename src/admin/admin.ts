/**
 * The admin client. Every call takes `{ timeoutMs, signal }`, runs through the resilience core's
 * retry loop and fails with an AdminError that names the Kafka error, the action taken and the
 * number of attempts. Coordinator-bound calls survive coordinator moves (the coordinator is found again);
 * controller-bound calls survive controller moves; broken connections are reopened.
 */
import { Cluster, type ClusterOptions } from '../cluster/cluster.ts'
import type { TopicInfo } from '../cluster/metadata.ts'
import { rootLogger, type Logger } from '../observability/logger.ts'
import { Metrics } from '../observability/metrics.ts'
import type { BackoffPolicy } from '../resilience/backoff.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { integer, options, parseOptions, refuse, retryOption, satisfying } from '../resilience/options.ts'
import { clusterOptionFields } from '../cluster/options.ts'
import type { AdminContext, CallOptions } from './context.ts'
import { describeCluster, type ClusterDescription } from './cluster-info.ts'
import { describeConfigs, incrementalAlterConfigs, type ConfigAlteration, type ConfigEntry, type ConfigResource } from './configs.ts'
import {
  alterConsumerGroupOffsets, deleteConsumerGroupOffsets, deleteGroups, describeGroups, listConsumerGroupOffsets, listGroups,
  type CommittedOffset, type GroupDescription, type GroupListing, type TopicPartitions,
} from './groups.ts'
import { consumerGroupLag, listOffsets, type OffsetSpec, type PartitionLag, type PartitionOffset } from './offsets.ts'
import {
  alterPartitionReassignments, cancelPartitionReassignments, deleteRecords, electLeaders, listPartitionReassignments,
  type OngoingReassignment, type Reassignment,
} from './partitions.ts'
import { createPartitions, createTopics, deleteTopics, describeTopics, listTopics, type NewTopic } from './topics.ts'

export interface AdminOptions extends Partial<ClusterOptions> {
  /** An existing cluster client to share (its connections and metadata); else one is made from `bootstrap`. */
  cluster?: Cluster
  /** Deadline of a call when the caller gives none (default 30 s). */
  defaultTimeoutMs?: number
  /**
   * Delays between attempts (default: 100 ms doubling to 2 s, with jitter, as many attempts as fit
   * in the call's deadline, which `timeoutMs` or `defaultTimeoutMs` sets).
   */
  retry?: AdminRetry
  /** @deprecated The older name of `retry`. */
  backoff?: AdminRetry
  logger?: Logger
}

export type AdminRetry = Partial<Omit<BackoffPolicy, 'deadlineMs'>>

const ADMIN_RETRY_FIELDS = ['initialDelayMs', 'maxDelayMs', 'multiplier', 'maxAttempts', 'jitter'] as const

const adminOptionsSchema = options({
  ...clusterOptionFields,
  cluster: satisfying((v) => v instanceof Cluster, 'a Cluster'),
  defaultTimeoutMs: integer(1),
  retry: retryOption(ADMIN_RETRY_FIELDS),
  backoff: retryOption(ADMIN_RETRY_FIELDS),
})

export class Admin {
  readonly cluster: Cluster
  readonly #ctx: AdminContext
  readonly #ownsCluster: boolean

  constructor (options: AdminOptions) {
    parseOptions('admin', adminOptionsSchema, options)
    const { cluster, defaultTimeoutMs, retry, backoff, ...clusterOptions } = options
    if (retry !== undefined && backoff !== undefined) refuse('admin', 'backoff', backoff, 'left out when retry is given (it is the older name of retry)')
    const logger = options.logger ?? rootLogger()
    if (cluster === undefined && clusterOptions.bootstrap === undefined) {
      throw new InvalidArgumentError('Admin: give `bootstrap` (host:port[,…]) or an existing `cluster`')
    }
    this.cluster = cluster ?? new Cluster({ ...clusterOptions, bootstrap: clusterOptions.bootstrap ?? '', logger })
    this.#ownsCluster = cluster === undefined
    this.#ctx = {
      cluster: this.cluster,
      logger,
      defaultTimeoutMs: defaultTimeoutMs ?? 30_000,
      retry: { initialDelayMs: 100, maxDelayMs: 2_000, ...(retry ?? backoff) },
      metrics: new Metrics({ registry: options.registry ?? cluster?.registry, clientId: options.clientId ?? 'steadfast' }),
    }
  }

  // Topics
  listTopics (options?: CallOptions & { includeInternal?: boolean }): Promise<string[]> { return listTopics(this.#ctx, options) }
  describeTopics (names: string[], options?: CallOptions): Promise<TopicInfo[]> { return describeTopics(this.#ctx, names, options) }
  createTopics (topics: NewTopic[], options?: CallOptions & { validateOnly?: boolean }): Promise<void> { return createTopics(this.#ctx, topics, options) }
  deleteTopics (names: string[], options?: CallOptions): Promise<void> { return deleteTopics(this.#ctx, names, options) }
  createPartitions (topics: Array<{ topic: string, count: number, assignments?: number[][] }>, options?: CallOptions & { validateOnly?: boolean }): Promise<void> { return createPartitions(this.#ctx, topics, options) }

  // Configs
  describeConfigs (resources: ConfigResource[], options?: CallOptions): Promise<Map<string, ConfigEntry[]>> { return describeConfigs(this.#ctx, resources, options) }
  incrementalAlterConfigs (alterations: ConfigAlteration[], options?: CallOptions & { validateOnly?: boolean }): Promise<void> { return incrementalAlterConfigs(this.#ctx, alterations, options) }

  // Cluster
  describeCluster (options?: CallOptions): Promise<ClusterDescription> { return describeCluster(this.#ctx, options) }

  // Groups
  listGroups (options?: CallOptions & { states?: string[] }): Promise<GroupListing[]> { return listGroups(this.#ctx, options) }
  describeGroups (groups: string[], options?: CallOptions): Promise<GroupDescription[]> { return describeGroups(this.#ctx, groups, options) }
  deleteGroups (groups: string[], options?: CallOptions): Promise<void> { return deleteGroups(this.#ctx, groups, options) }
  listConsumerGroupOffsets (groups: string | string[], options?: CallOptions & { topics?: TopicPartitions[] }): Promise<Map<string, CommittedOffset[]>> { return listConsumerGroupOffsets(this.#ctx, groups, options) }
  alterConsumerGroupOffsets (group: string, offsets: Array<{ topic: string, partition: number, offset: bigint | number, metadata?: string | null }>, options?: CallOptions): Promise<void> { return alterConsumerGroupOffsets(this.#ctx, group, offsets, options) }
  deleteConsumerGroupOffsets (group: string, partitions: TopicPartitions[], options?: CallOptions): Promise<void> { return deleteConsumerGroupOffsets(this.#ctx, group, partitions, options) }
  /** Forgets the cached coordinator of `group`: the next call looks it up again. */
  refreshCoordinator (group: string): void { this.cluster.invalidateCoordinator('group', group) }

  // Offsets and lag
  listOffsets (topics: TopicPartitions[], spec: OffsetSpec, options?: CallOptions): Promise<PartitionOffset[]> { return listOffsets(this.#ctx, topics, spec, options) }
  consumerGroupLag (group: string, options?: CallOptions & { topics?: TopicPartitions[] }): Promise<PartitionLag[]> { return consumerGroupLag(this.#ctx, group, options) }

  // Partitions
  alterPartitionReassignments (reassignments: Reassignment[], options?: CallOptions): Promise<void> { return alterPartitionReassignments(this.#ctx, reassignments, options) }
  cancelPartitionReassignments (partitions: Array<{ topic: string, partition: number }>, options?: CallOptions): Promise<void> { return cancelPartitionReassignments(this.#ctx, partitions, options) }
  listPartitionReassignments (options?: CallOptions & { partitions?: Array<{ topic: string, partition: number }> }): Promise<OngoingReassignment[]> { return listPartitionReassignments(this.#ctx, options) }
  electLeaders (type: 'preferred' | 'unclean', partitions: Array<{ topic: string, partition: number }> | null, options?: CallOptions): Promise<void> { return electLeaders(this.#ctx, type, partitions, options) }
  deleteRecords (partitions: Array<{ topic: string, partition: number, offset: bigint | number }>, options?: CallOptions): Promise<Array<{ topic: string, partition: number, lowWatermark: bigint }>> { return deleteRecords(this.#ctx, partitions, options) }

  /** Closes the connections, unless the cluster client was given by the caller. */
  async close (): Promise<void> {
    if (this.#ownsCluster) await this.cluster.close()
  }
}
