/** Every API steadfast speaks, by name and by key. */
import type { ApiDescriptor } from '../descriptor.ts'
import { AlterPartitionReassignments } from './alter-partition-reassignments.ts'
import { ApiVersions } from './api-versions.ts'
import { ConsumerGroupHeartbeat } from './consumer-group-heartbeat.ts'
import { CreatePartitions } from './create-partitions.ts'
import { CreateTopics } from './create-topics.ts'
import { DeleteGroups } from './delete-groups.ts'
import { DeleteRecords } from './delete-records.ts'
import { DeleteTopics } from './delete-topics.ts'
import { DescribeCluster } from './describe-cluster.ts'
import { DescribeConfigs } from './describe-configs.ts'
import { DescribeGroups } from './describe-groups.ts'
import { ElectLeaders } from './elect-leaders.ts'
import { Fetch } from './fetch.ts'
import { FindCoordinator } from './find-coordinator.ts'
import { Heartbeat } from './heartbeat.ts'
import { IncrementalAlterConfigs } from './incremental-alter-configs.ts'
import { InitProducerId } from './init-producer-id.ts'
import { JoinGroup } from './join-group.ts'
import { LeaveGroup } from './leave-group.ts'
import { ListGroups } from './list-groups.ts'
import { ListOffsets } from './list-offsets.ts'
import { ListPartitionReassignments } from './list-partition-reassignments.ts'
import { Metadata } from './metadata.ts'
import { OffsetCommit } from './offset-commit.ts'
import { OffsetDelete } from './offset-delete.ts'
import { OffsetFetch } from './offset-fetch.ts'
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch.ts'
import { Produce } from './produce.ts'
import { SaslAuthenticate } from './sasl-authenticate.ts'
import { SaslHandshake } from './sasl-handshake.ts'
import { SyncGroup } from './sync-group.ts'

export const apis = {
  AlterPartitionReassignments,
  ApiVersions,
  ConsumerGroupHeartbeat,
  CreatePartitions,
  CreateTopics,
  DeleteGroups,
  DeleteRecords,
  DeleteTopics,
  DescribeCluster,
  DescribeConfigs,
  DescribeGroups,
  ElectLeaders,
  Fetch,
  FindCoordinator,
  Heartbeat,
  IncrementalAlterConfigs,
  InitProducerId,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  ListOffsets,
  ListPartitionReassignments,
  Metadata,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  OffsetForLeaderEpoch,
  Produce,
  SaslAuthenticate,
  SaslHandshake,
  SyncGroup,
} as const satisfies Record<string, ApiDescriptor>

export type ApiName = keyof typeof apis

const byKey = new Map<number, ApiDescriptor>(Object.values(apis).map(descriptor => [descriptor.apiKey, descriptor]))

/** The descriptor for an API key, or undefined when steadfast does not speak that API. */
export function apiByKey (apiKey: number): ApiDescriptor | undefined {
  return byKey.get(apiKey)
}
