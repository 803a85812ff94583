/**
 * The bodies the simulator answers with, in the shapes the Cruise Control reference documents:
 * error bodies (JSON with version/stackTrace/errorMessage, or plain text), the 202 progress body,
 * optimization results with summary, goalSummary and loads, and the load endpoints.
 */
import type { ClusterModel, Partition, Plan } from './cluster-model.ts'

export const DEFAULT_GOALS = [
  'RackAwareGoal', 'ReplicaCapacityGoal', 'DiskCapacityGoal', 'ReplicaDistributionGoal',
  'DiskUsageDistributionGoal', 'LeaderReplicaDistributionGoal', 'TopicReplicaDistributionGoal',
]

/** "Error processing GET request '/user_tasks' due to: '<message>'." */
export function processingError (method: string, endpoint: string, exception: Error, json: boolean): { status: number, body: unknown } {
  const thrown = exception.name === 'Error' ? exception.message : `${exception.name}: ${exception.message}`
  const reported = exception.name === 'java.lang.RuntimeException' ? exception.message : thrown
  const errorMessage = `Error processing ${method} request '/${endpoint}' due to: '${reported}'.`
  return errorBody(500, errorMessage, `${thrown}\n\tat com.linkedin.kafka.cruisecontrol.servlet.KafkaCruiseControlServlet.handle(KafkaCruiseControlServlet.java)`, json)
}

/** "Bad POST request '/rebalance' due to '<reason>'" */
export function badRequest (method: string, endpoint: string, reason: string, json: boolean): { status: number, body: unknown } {
  return errorBody(400, `Bad ${method} request '/${endpoint}' due to '${reason}'`, `com.linkedin.kafka.cruisecontrol.servlet.UserRequestException: ${reason}`, json)
}

export function errorBody (status: number, errorMessage: string, stackTrace: string, json: boolean): { status: number, body: unknown } {
  return json ? { status, body: { version: 1, stackTrace, errorMessage } } : { status, body: `${errorMessage}\n${stackTrace}\n` }
}

export function progressBody (operation: string, startMs: number, now: number, computed: boolean): unknown {
  const waited = Math.max(0, now - startMs)
  return {
    version: 1,
    progress: [{
      operation,
      operationProgress: [
        { step: 'PENDING', description: 'Operation enqueued, waiting to be executed.', 'time-in-ms': Math.min(waited, 1), completionPercentage: 100.0 },
        { step: 'WAITING_FOR_CLUSTER_MODEL', description: 'The job requires a cluster model and it is waiting to get the cluster model lock.', 'time-in-ms': 0, completionPercentage: 100.0 },
        { step: 'GENERATING_CLUSTER_MODEL', description: 'Generating cluster model for the cluster.', 'time-in-ms': waited, completionPercentage: computed ? 100.0 : 50.0 },
      ],
    }],
  }
}

function brokerRows (model: ClusterModel, partitions?: readonly Partition[]): Array<Record<string, unknown>> {
  return model.brokerLoad(partitions).map((b) => ({
    Broker: b.id,
    Host: b.host,
    Rack: b.rack,
    BrokerState: 'ALIVE',
    Replicas: b.replicas,
    Leaders: b.leaders,
    DiskMB: b.diskMB,
    DiskPct: round(b.diskMB / 10_000 * 100),
    CpuPct: round(b.leaders * 1.5 + b.replicas * 0.3),
    LeaderNwInRate: round(b.leaders * 12.5),
    FollowerNwInRate: round((b.replicas - b.leaders) * 12.5),
    NwInRate: round(b.replicas * 12.5),
    NwOutRate: round(b.leaders * 25),
    PnwOutRate: round(b.replicas * 25),
  }))
}

/** The body of GET load: brokers and hosts. */
export function loadBody (model: ClusterModel, partitions?: readonly Partition[]): { brokers: unknown[], hosts: unknown[], version: number } {
  const brokers = brokerRows(model, partitions)
  const hosts = brokers.map((b) => ({ Host: b.Host, Rack: b.Rack, Replicas: b.Replicas, Leaders: b.Leaders, DiskMB: b.DiskMB, NumCore: 8, CpuPct: b.CpuPct }))
  return { brokers, hosts, version: 1 }
}

export function partitionLoadBody (model: ClusterModel, options: { entries?: number, topic?: string }): unknown {
  const records = model.partitions
    .filter((p) => options.topic === undefined || new RegExp(`^(?:${options.topic})$`).test(p.topic))
    .map((p) => ({
      topic: p.topic,
      partition: p.partition,
      leader: p.replicas[0],
      followers: p.replicas.slice(1),
      cpu: round(p.sizeMB / 100),
      disk: p.sizeMB,
      networkInbound: round(p.sizeMB / 10),
      networkOutbound: round(p.sizeMB / 5),
      msg_in: round(p.sizeMB * 3),
    }))
    .sort((a, b) => b.disk - a.disk)
  return { records: records.slice(0, options.entries ?? records.length), version: 1 }
}

export function clusterStateBody (model: ClusterModel): unknown {
  const load = model.brokerLoad()
  const byId = <T>(f: (b: typeof load[number]) => T): Record<string, T> => Object.fromEntries(load.map((b) => [String(b.id), f(b)]))
  return {
    KafkaBrokerState: {
      ReplicaCountByBrokerId: byId((b) => b.replicas),
      LeaderCountByBrokerId: byId((b) => b.leaders),
      OutOfSyncCountByBrokerId: byId(() => 0),
      OfflineReplicaCountByBrokerId: byId(() => 0),
      IsController: byId((b) => b.id === model.brokers[0].id),
      OnlineLogDirsByBrokerId: Object.fromEntries(model.brokers.map((b) => [String(b.id), b.logDirs])),
      OfflineLogDirsByBrokerId: Object.fromEntries(model.brokers.map((b) => [String(b.id), []])),
      Summary: { Brokers: model.brokers.length, Topics: new Set(model.partitions.map((p) => p.topic)).size, Replicas: model.partitions.reduce((n, p) => n + p.replicas.length, 0), Leaders: model.partitions.length },
    },
    KafkaPartitionState: { offline: [], urp: [], 'with-offline-replicas': [], 'under-min-isr': [] },
    version: 1,
  }
}

/** The optimization result of rebalance, proposals, add/remove/demote broker and remove_disks. */
export function optimizationBody (model: ClusterModel, plan: Plan, options: { goals?: string[], verbose: boolean, excludedBrokers?: number[], optimizationTimeMs: number }): unknown {
  const goals = options.goals ?? DEFAULT_GOALS
  const numReplicaMovements = plan.moves.reduce((n, m) => n + m.interBrokerMoves, 0)
  const numIntra = plan.moves.reduce((n, m) => n + m.intraBrokerMoves, 0)
  const stats = (partitions: readonly Partition[]): Record<string, unknown> => {
    const load = model.brokerLoad(partitions)
    const replicas = load.map((b) => b.replicas)
    const leaders = load.map((b) => b.leaders)
    const disk = load.map((b) => b.diskMB)
    const avg = (xs: number[]): number => round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length))
    const std = (xs: number[]): number => { const m = avg(xs); return round(Math.sqrt(avg(xs.map((x) => (x - m) ** 2)))) }
    return {
      metadata: { brokers: load.length, replicas: replicas.reduce((a, b) => a + b, 0), topics: new Set(partitions.map((p) => p.topic)).size },
      statistics: {
        AVG: { replicas: avg(replicas), leaderReplicas: avg(leaders), disk: avg(disk) },
        MAX: { replicas: Math.max(...replicas), leaderReplicas: Math.max(...leaders), disk: Math.max(...disk) },
        MIN: { replicas: Math.min(...replicas), leaderReplicas: Math.min(...leaders), disk: Math.min(...disk) },
        STD: { replicas: std(replicas), leaderReplicas: std(leaders), disk: std(disk) },
      },
    }
  }
  const body: Record<string, unknown> = {
    summary: {
      numReplicaMovements,
      dataToMoveMB: plan.moves.reduce((n, m) => n + m.sizeMB * m.interBrokerMoves, 0),
      numIntraBrokerReplicaMovements: numIntra,
      intraBrokerDataToMoveMB: plan.moves.reduce((n, m) => n + m.sizeMB * m.intraBrokerMoves, 0),
      numLeaderMovements: plan.moves.filter((m) => m.leaderChanged && m.interBrokerMoves === 0).length,
      recentWindows: 5,
      monitoredPartitionsPercentage: 100.0,
      excludedTopics: plan.excludedTopics,
      excludedBrokersForLeadership: options.excludedBrokers ?? [],
      excludedBrokersForReplicaMove: options.excludedBrokers ?? [],
      onDemandBalancednessScoreBefore: plan.scoreBefore,
      onDemandBalancednessScoreAfter: plan.scoreAfter,
      provisionStatus: 'RIGHT_SIZED',
      provisionRecommendation: '',
    },
    goalSummary: goals.map((goal) => ({
      goal,
      status: plan.moves.length === 0 ? 'NO-ACTION' : 'FIXED',
      clusterModelStats: stats(plan.after),
      optimizationTimeMs: options.optimizationTimeMs,
    })),
    loadAfterOptimization: loadBody(model, plan.after),
    version: 1,
  }
  if (options.verbose) {
    body.proposals = plan.moves.map((m) => ({
      topicPartition: { topic: m.topic, partition: m.partition },
      oldLeader: m.oldReplicas[0],
      oldReplicas: m.oldReplicas,
      newReplicas: m.newReplicas,
    }))
    body.loadBeforeOptimization = loadBody(model)
  }
  return body
}

function round (x: number): number {
  return Math.round(x * 1000) / 1000
}
