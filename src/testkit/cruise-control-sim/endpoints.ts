/**
 * The endpoints the simulator serves: method, whether Cruise Control runs them asynchronously, the
 * parameters each accepts (anything else is a 400, as in Cruise Control), the operation name its
 * progress reports use, and its endpoint type (Cruise Control caches completed tasks per type, so a
 * burst of polls cannot push a finished rebalance out of the cache).
 */
export type EndpointType = 'KAFKA_MONITOR' | 'KAFKA_ADMIN' | 'CRUISE_CONTROL_MONITOR' | 'CRUISE_CONTROL_ADMIN'

export interface EndpointSpec {
  method: 'GET' | 'POST'
  type: EndpointType
  async: boolean
  /** Needs enough metric windows (fails with NotEnoughValidWindowsException during warm-up). */
  needsWindows: boolean
  operation: string
  params: string[]
}

const COMMON = ['json', 'doAs', 'get_response_schema', 'reason']
const OPTIMIZE = [
  'dryrun', 'goals', 'skip_hard_goal_check', 'excluded_topics', 'concurrent_partition_movements_per_broker',
  'concurrent_intra_broker_partition_movements', 'concurrent_leader_movements', 'max_partition_movements_in_cluster',
  'replication_throttle', 'replica_movement_strategies', 'verbose', 'allow_capacity_estimation', 'data_from',
  'use_ready_default_goals', 'exclude_recently_demoted_brokers', 'exclude_recently_removed_brokers',
  'stop_ongoing_execution', 'execution_progress_check_interval_ms', 'fast_mode',
]

export const ENDPOINTS: Record<string, EndpointSpec> = {
  state: { method: 'GET', type: 'CRUISE_CONTROL_MONITOR', async: true, needsWindows: false, operation: 'Get state', params: [...COMMON, 'substates', 'verbose', 'super_verbose'] },
  load: { method: 'GET', type: 'KAFKA_MONITOR', async: true, needsWindows: true, operation: 'Get broker stats', params: [...COMMON, 'start', 'end', 'time', 'allow_capacity_estimation', 'populate_disk_info', 'capacity_only', 'brokerid'] },
  partition_load: { method: 'GET', type: 'KAFKA_MONITOR', async: true, needsWindows: true, operation: 'Get partition load', params: [...COMMON, 'resource', 'start', 'end', 'entries', 'topic', 'partition', 'min_valid_partition_ratio', 'allow_capacity_estimation', 'brokerid'] },
  proposals: { method: 'GET', type: 'KAFKA_MONITOR', async: true, needsWindows: true, operation: 'Get customized proposals', params: [...COMMON, 'goals', 'excluded_topics', 'verbose', 'ignore_proposal_cache', 'data_from', 'use_ready_default_goals', 'allow_capacity_estimation', 'kafka_assigner', 'rebalance_disk', 'fast_mode', 'exclude_recently_demoted_brokers', 'exclude_recently_removed_brokers', 'destination_broker_ids'] },
  rebalance: { method: 'POST', type: 'KAFKA_ADMIN', async: true, needsWindows: true, operation: 'Rebalance', params: [...COMMON, ...OPTIMIZE, 'rebalance_disk', 'destination_broker_ids', 'kafka_assigner', 'ignore_proposal_cache'] },
  add_broker: { method: 'POST', type: 'KAFKA_ADMIN', async: true, needsWindows: true, operation: 'Add brokers', params: [...COMMON, ...OPTIMIZE, 'brokerid', 'throttle_added_broker'] },
  remove_broker: { method: 'POST', type: 'KAFKA_ADMIN', async: true, needsWindows: true, operation: 'Remove brokers', params: [...COMMON, ...OPTIMIZE, 'brokerid', 'throttle_removed_broker', 'destination_broker_ids'] },
  demote_broker: { method: 'POST', type: 'KAFKA_ADMIN', async: true, needsWindows: true, operation: 'Demote brokers', params: [...COMMON, 'dryrun', 'brokerid', 'brokerid_and_logdirs', 'concurrent_leader_movements', 'skip_hard_goal_check', 'excluded_topics', 'verbose', 'skip_urp_demotion', 'exclude_follower_demotion', 'stop_ongoing_execution'] },
  remove_disks: { method: 'POST', type: 'KAFKA_ADMIN', async: true, needsWindows: true, operation: 'Remove disks', params: [...COMMON, ...OPTIMIZE, 'brokerid_and_logdirs'] },
  kafka_cluster_state: { method: 'GET', type: 'KAFKA_MONITOR', async: false, needsWindows: false, operation: 'Get cluster state', params: [...COMMON, 'verbose', 'topic'] },
  user_tasks: { method: 'GET', type: 'CRUISE_CONTROL_MONITOR', async: false, needsWindows: false, operation: 'Get user tasks', params: [...COMMON, 'user_task_ids', 'client_ids', 'endpoints', 'types', 'entries', 'fetch_completed_task'] },
  stop_proposal_execution: { method: 'POST', type: 'CRUISE_CONTROL_ADMIN', async: false, needsWindows: false, operation: 'Stop proposal execution', params: [...COMMON, 'force_stop', 'stop_external_agent'] },
  pause_sampling: { method: 'POST', type: 'CRUISE_CONTROL_ADMIN', async: false, needsWindows: false, operation: 'Pause sampling', params: [...COMMON] },
  resume_sampling: { method: 'POST', type: 'CRUISE_CONTROL_ADMIN', async: false, needsWindows: false, operation: 'Resume sampling', params: [...COMMON] },
}
