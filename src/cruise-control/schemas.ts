/**
 * The response shapes of the Cruise Control endpoints (see the Cruise Control reference). Every
 * object is loose (fields we do not know are kept) and every field that Cruise Control leaves out
 * in some configuration is optional, so a newer or older server still parses.
 */
import { z } from 'zod'
import { SteadfastError } from '../resilience/errors.ts'

/** A response body that does not have the shape its endpoint documents. */
export class CruiseControlResponseError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_CRUISE_CONTROL_RESPONSE'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { action: 'fatal', reason: 'bad-response', cause: options.cause })
  }
}

const num = z.number()
const str = z.string()

export const operationStepSchema = z.looseObject({
  step: str,
  description: str.optional(),
  'time-in-ms': num.optional(),
  completionPercentage: num.optional(),
})

/** The 202 body of an async request that is still running. */
export const progressSchema = z.looseObject({
  version: num.optional(),
  progress: z.array(z.looseObject({
    operation: str,
    operationProgress: z.array(operationStepSchema),
  })),
})

export const executorStateSchema = z.looseObject({
  state: str,
  numTotalPartitionMovements: num.optional(),
  numPendingPartitionMovements: num.optional(),
  numInProgressPartitionMovements: num.optional(),
  numFinishedPartitionMovements: num.optional(),
  numCancelledPartitionMovements: num.optional(),
  numTotalLeadershipMovements: num.optional(),
  numFinishedLeadershipMovements: num.optional(),
  finishedDataMovement: num.optional(),
  totalDataToMove: num.optional(),
  triggeredUserTaskId: str.optional(),
  triggeredTaskReason: str.optional(),
})

export const stateSchema = z.looseObject({
  AnalyzerState: z.looseObject({ isProposalReady: z.boolean(), readyGoals: z.array(str).optional() }).optional(),
  MonitorState: z.looseObject({ state: str }).optional(),
  ExecutorState: executorStateSchema.optional(),
  AnomalyDetectorState: z.looseObject({}).optional(),
  version: num.optional(),
})

const brokerLoadSchema = z.looseObject({
  Broker: num,
  Host: str.optional(),
  BrokerState: str.optional(),
  Replicas: num.optional(),
  Leaders: num.optional(),
  DiskMB: num.optional(),
  DiskPct: num.optional(),
  CpuPct: num.optional(),
  NwInRate: num.optional(),
  NwOutRate: num.optional(),
})

const hostLoadSchema = z.looseObject({
  Host: str,
  Replicas: num.optional(),
  Leaders: num.optional(),
  DiskMB: num.optional(),
})

export const loadSchema = z.looseObject({
  brokers: z.array(brokerLoadSchema),
  hosts: z.array(hostLoadSchema).optional(),
  version: num.optional(),
})

export const partitionLoadSchema = z.looseObject({
  records: z.array(z.looseObject({
    topic: str,
    partition: num,
    leader: num.optional(),
    followers: z.array(num).optional(),
    cpu: num.optional(),
    disk: num.optional(),
    networkInbound: num.optional(),
    networkOutbound: num.optional(),
  })),
  version: num.optional(),
})

const countByBroker = z.record(str, num)

export const clusterStateSchema = z.looseObject({
  KafkaBrokerState: z.looseObject({
    ReplicaCountByBrokerId: countByBroker.optional(),
    LeaderCountByBrokerId: countByBroker.optional(),
    OutOfSyncCountByBrokerId: countByBroker.optional(),
    OfflineReplicaCountByBrokerId: countByBroker.optional(),
    IsController: z.record(str, z.boolean()).optional(),
    OnlineLogDirsByBrokerId: z.record(str, z.array(str)).optional(),
    OfflineLogDirsByBrokerId: z.record(str, z.array(str)).optional(),
  }),
  KafkaPartitionState: z.looseObject({
    offline: z.array(z.unknown()).optional(),
    urp: z.array(z.unknown()).optional(),
    'with-offline-replicas': z.array(z.unknown()).optional(),
    'under-min-isr': z.array(z.unknown()).optional(),
  }).optional(),
  version: num.optional(),
})

export const summarySchema = z.looseObject({
  numReplicaMovements: num,
  dataToMoveMB: num,
  numIntraBrokerReplicaMovements: num.optional(),
  intraBrokerDataToMoveMB: num.optional(),
  numLeaderMovements: num,
  recentWindows: num.optional(),
  monitoredPartitionsPercentage: num.optional(),
  excludedTopics: z.array(str).optional(),
  excludedBrokersForLeadership: z.array(num).optional(),
  excludedBrokersForReplicaMove: z.array(num).optional(),
  onDemandBalancednessScoreBefore: num.optional(),
  onDemandBalancednessScoreAfter: num.optional(),
  provisionStatus: str.optional(),
  provisionRecommendation: str.optional(),
})

export const proposalSchema = z.looseObject({
  topicPartition: z.looseObject({ topic: str, partition: num }),
  oldLeader: num.optional(),
  oldReplicas: z.array(num),
  newReplicas: z.array(num),
})

/** The result of rebalance, add_broker, remove_broker, demote_broker, remove_disks and proposals. */
export const optimizationResultSchema = z.looseObject({
  summary: summarySchema,
  goalSummary: z.array(z.looseObject({
    goal: str,
    status: str,
    clusterModelStats: z.looseObject({}).optional(),
    optimizationTimeMs: num.optional(),
  })).optional(),
  loadAfterOptimization: loadSchema.partial().optional(),
  loadBeforeOptimization: loadSchema.partial().optional(),
  proposals: z.array(proposalSchema).optional(),
  version: num.optional(),
})

export const userTaskStatusSchema = z.enum(['Active', 'InExecution', 'Completed', 'CompletedWithError'])

export const userTaskSchema = z.looseObject({
  UserTaskId: str,
  RequestURL: str,
  ClientIdentity: str.optional(),
  StartMs: z.union([str, num]).transform(Number),
  Status: userTaskStatusSchema,
  originalResponse: str.optional(),
})

export const userTasksSchema = z.looseObject({
  userTasks: z.array(userTaskSchema),
  version: num.optional(),
})

/** stop_proposal_execution, pause_sampling, resume_sampling. */
export const messageSchema = z.looseObject({
  message: str,
  version: num.optional(),
})

export type OperationProgress = z.infer<typeof progressSchema>
export type ExecutorState = z.infer<typeof executorStateSchema>
export type CruiseControlState = z.infer<typeof stateSchema>
export type ClusterLoad = z.infer<typeof loadSchema>
export type PartitionLoad = z.infer<typeof partitionLoadSchema>
export type KafkaClusterState = z.infer<typeof clusterStateSchema>
export type OptimizationSummary = z.infer<typeof summarySchema>
export type OptimizationResult = z.infer<typeof optimizationResultSchema>
export type UserTaskStatus = z.infer<typeof userTaskStatusSchema>
export type UserTask = z.infer<typeof userTaskSchema>
export type UserTasks = z.infer<typeof userTasksSchema>
export type MessageResponse = z.infer<typeof messageSchema>

/** Parses `body` with `schema`, or throws CruiseControlResponseError naming the endpoint and the bad field. */
export function parseResponse<S extends z.ZodType> (schema: S, body: unknown, endpoint: string): z.infer<S> {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.')
  throw new CruiseControlResponseError(
    `cruise-control ${endpoint}: unexpected response, ${where}: ${issue?.message ?? 'invalid'}`, { cause: result.error })
}
