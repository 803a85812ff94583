/**
 * The agent's own instruments, in the shared registry (so `/metrics` also carries the clients'
 * retries, Cruise Control requests and bulkhead queues). Gauges describing "what is now" are
 * reset before each refresh, so a deleted connector or an unwatched group disappears.
 */
import { counter, gauge } from '../observability/metrics.ts'

export const connectorReady = gauge({
  name: 'steadfast_agent_connector_ready',
  help: 'Whether a declared connector is Ready (1) or NotReady (0).',
  labelNames: ['connector'] as const,
})

export const connectorState = gauge({
  name: 'steadfast_agent_connector_state',
  help: 'The state Connect reports for a connector: 1 on the current state.',
  labelNames: ['connector', 'state'] as const,
})

export const taskState = gauge({
  name: 'steadfast_agent_connector_task_state',
  help: 'The state Connect reports for a task: 1 on the current state.',
  labelNames: ['connector', 'task', 'state'] as const,
})

export const reconcileOutcomes = counter({
  name: 'steadfast_agent_reconcile_outcomes_total',
  help: 'Per-object outcomes of reconcile passes: ready, not-ready (with its reason) or error.',
  labelNames: ['kind', 'outcome', 'reason'] as const,
})

export const rebalanceState = gauge({
  name: 'steadfast_agent_rebalance_state',
  help: 'The lifecycle state of each rebalance: 1 on the current state.',
  labelNames: ['rebalance', 'state'] as const,
})

export const rebalanceProgress = gauge({
  name: 'steadfast_agent_rebalance_partitions_moved_ratio',
  help: 'Partitions moved over partitions to move, for rebalances being executed.',
  labelNames: ['rebalance'] as const,
})

export const cruiseControlUserTasks = gauge({
  name: 'steadfast_agent_cruise_control_user_tasks',
  help: 'User tasks Cruise Control holds, by status (Active and InExecution take a max.active.user.tasks slot).',
  labelNames: ['status'] as const,
})

export const groupLag = gauge({
  name: 'steadfast_agent_group_lag',
  help: 'Consumer-group lag per partition: log end offset minus committed offset.',
  labelNames: ['group', 'topic', 'partition'] as const,
})

export const groupStatus = gauge({
  name: 'steadfast_agent_group_status',
  help: 'Burrow-style status of a watched group: 1 on the current status (OK, WARN, ERR).',
  labelNames: ['group', 'status'] as const,
})

export const annotationsTotal = counter({
  name: 'steadfast_agent_annotations_total',
  help: 'Strimzi annotations carried out or refused, by annotation and outcome.',
  labelNames: ['annotation', 'outcome'] as const,
})

export const agentActive = gauge({
  name: 'steadfast_agent_active',
  help: 'Whether this agent acts (1: single agent, or the HA lease holder) or is an HA standby (0).',
})
