/**
 * The requests for Cruise Control's goal-based operations, as plain data. A request is kept (and
 * stored durably by the lifecycle) so that polling re-sends exactly the same method, endpoint and
 * parameters with the User-Task-ID header, as Cruise Control requires.
 */
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { Params } from './http.ts'

export interface OperationRequest {
  method: 'GET' | 'POST'
  endpoint: string
  params: Params
}

/** Options every goal-based operation accepts (Cruise Control parameter names in the comments). */
export interface OptimizationOptions {
  /** dryrun: Cruise Control's default is true; set false to execute. */
  dryRun?: boolean
  /** goals */
  goals?: string[]
  /** skip_hard_goal_check */
  skipHardGoalCheck?: boolean
  /** excluded_topics (a regular expression) */
  excludedTopics?: string
  /** concurrent_partition_movements_per_broker */
  concurrentPartitionMovementsPerBroker?: number
  /** concurrent_intra_broker_partition_movements */
  concurrentIntraBrokerPartitionMovements?: number
  /** concurrent_leader_movements */
  concurrentLeaderMovements?: number
  /** max_partition_movements_in_cluster */
  maxPartitionMovementsInCluster?: number
  /** replication_throttle (bytes/s) */
  replicationThrottle?: number
  /** replica_movement_strategies */
  replicaMovementStrategies?: string[]
  /** verbose: adds proposals and loadBeforeOptimization to the result */
  verbose?: boolean
  /** reason: recorded by Cruise Control with the task */
  reason?: string
}

function common (options: OptimizationOptions): Params {
  return {
    dryrun: options.dryRun ?? true,
    goals: options.goals?.join(','),
    skip_hard_goal_check: options.skipHardGoalCheck,
    excluded_topics: options.excludedTopics,
    concurrent_partition_movements_per_broker: options.concurrentPartitionMovementsPerBroker,
    concurrent_intra_broker_partition_movements: options.concurrentIntraBrokerPartitionMovements,
    concurrent_leader_movements: options.concurrentLeaderMovements,
    max_partition_movements_in_cluster: options.maxPartitionMovementsInCluster,
    replication_throttle: options.replicationThrottle,
    replica_movement_strategies: options.replicaMovementStrategies?.join(','),
    verbose: options.verbose,
    reason: options.reason,
  }
}

function brokerList (brokers: number[], endpoint: string): string {
  if (brokers.length === 0) throw new InvalidArgumentError(`cruise-control ${endpoint}: at least one broker id is required`)
  for (const id of brokers) {
    if (!Number.isInteger(id) || id < 0) throw new InvalidArgumentError(`cruise-control ${endpoint}: broker id ${id} is not an integer >= 0`)
  }
  return brokers.join(',')
}

export function rebalanceRequest (options: OptimizationOptions & { rebalanceDisk?: boolean } = {}): OperationRequest {
  return { method: 'POST', endpoint: 'rebalance', params: { ...common(options), rebalance_disk: options.rebalanceDisk } }
}

export function addBrokerRequest (brokers: number[], options: OptimizationOptions = {}): OperationRequest {
  return { method: 'POST', endpoint: 'add_broker', params: { ...common(options), brokerid: brokerList(brokers, 'add_broker') } }
}

export function removeBrokerRequest (brokers: number[], options: OptimizationOptions = {}): OperationRequest {
  return { method: 'POST', endpoint: 'remove_broker', params: { ...common(options), brokerid: brokerList(brokers, 'remove_broker') } }
}

export function demoteBrokerRequest (brokers: number[], options: Pick<OptimizationOptions, 'dryRun' | 'concurrentLeaderMovements' | 'skipHardGoalCheck' | 'excludedTopics' | 'verbose' | 'reason'> = {}): OperationRequest {
  return {
    method: 'POST',
    endpoint: 'demote_broker',
    params: {
      dryrun: options.dryRun ?? true,
      brokerid: brokerList(brokers, 'demote_broker'),
      concurrent_leader_movements: options.concurrentLeaderMovements,
      skip_hard_goal_check: options.skipHardGoalCheck,
      excluded_topics: options.excludedTopics,
      verbose: options.verbose,
      reason: options.reason,
    },
  }
}

/** Log directories to empty, per broker: { 1: ['/var/lib/kafka/data-1'] } → brokerid_and_logdirs=1-/var/lib/kafka/data-1 */
export function removeDisksRequest (logDirsByBroker: Record<number, string[]>, options: OptimizationOptions = {}): OperationRequest {
  const pairs: string[] = []
  for (const [broker, dirs] of Object.entries(logDirsByBroker)) {
    brokerList([Number(broker)], 'remove_disks')
    for (const dir of dirs) pairs.push(`${broker}-${dir}`)
  }
  if (pairs.length === 0) throw new InvalidArgumentError('cruise-control remove_disks: at least one log directory is required')
  return { method: 'POST', endpoint: 'remove_disks', params: { ...common(options), brokerid_and_logdirs: pairs.join(',') } }
}

/** GET proposals: always a dry run; ignore_proposal_cache forces a fresh computation. */
export function proposalsRequest (options: Pick<OptimizationOptions, 'goals' | 'excludedTopics' | 'verbose'> & { ignoreProposalCache?: boolean } = {}): OperationRequest {
  return {
    method: 'GET',
    endpoint: 'proposals',
    params: {
      goals: options.goals?.join(','),
      excluded_topics: options.excludedTopics,
      verbose: options.verbose,
      ignore_proposal_cache: options.ignoreProposalCache,
    },
  }
}

/** The same request with dryrun switched, for executing an approved proposal. */
export function withDryRun (request: OperationRequest, dryRun: boolean): OperationRequest {
  return { ...request, params: { ...request.params, dryrun: dryRun } }
}
