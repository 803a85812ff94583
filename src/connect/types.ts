/** The shapes of Kafka Connect's REST API (see docs/connect.md and the Connect reference). */

export type ConnectorStateName = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED'
export type TargetState = 'RUNNING' | 'PAUSED' | 'STOPPED'

export interface ServerInfo { version: string, commit: string, kafka_cluster_id: string }

export interface WorkerHealth {
  status: 'healthy' | 'starting' | 'unhealthy' | string
  message?: string
  /** The HTTP status the worker answered (200, 503 while starting, 500 when unhealthy). */
  httpStatus: number
}

export interface ConnectorInfo {
  name: string
  config: Record<string, string>
  tasks: Array<{ connector: string, task: number }>
  type: 'source' | 'sink' | 'unknown'
}

export interface InstanceStatus { state: ConnectorStateName, worker_id: string, trace?: string }
export interface TaskStatus extends InstanceStatus { id: number }

export interface ConnectorStatus {
  name: string
  connector: InstanceStatus
  tasks: TaskStatus[]
  type: 'source' | 'sink' | 'unknown'
}

export interface ExpandedConnector { status?: ConnectorStatus, info?: ConnectorInfo }

export interface TaskInfo { id: { connector: string, task: number }, config: Record<string, string> }

export interface ConnectorOffset { partition: Record<string, unknown>, offset: Record<string, unknown> }
/** For alterOffsets: a null offset removes the partition's offset. */
export interface ConnectorOffsetChange { partition: Record<string, unknown>, offset: Record<string, unknown> | null }

export interface PluginInfo { class: string, type: string, version?: string }

export interface ConfigDefinition {
  name: string
  type: string
  required: boolean
  default_value: string | null
  importance: string
  documentation: string
  group: string | null
  [key: string]: unknown
}

export interface ConfigValidation {
  name: string
  error_count: number
  groups: string[]
  configs: Array<{ definition: ConfigDefinition, value: { name: string, value: string | null, recommended_values: string[], errors: string[], visible: boolean } }>
}

export interface LoggerLevel { level: string, last_modified: number | null }

/**
 * What a restart came to: `restarted` (204), `restarting` (202, with the status showing the
 * instances being restarted), or `superseded`: the worker group was rebalancing, which restarts
 * every connector anyway, so the request was not retried and is not an error.
 */
export type RestartResult =
  | { outcome: 'restarted' }
  | { outcome: 'restarting', status: ConnectorStatus }
  | { outcome: 'superseded', message: string }
