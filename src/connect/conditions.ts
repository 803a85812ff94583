/**
 * Per-connector conditions in the manner of Strimzi's KafkaConnector status: Ready, or NotReady
 * with a reason, a message and the ids of failed tasks.
 */
import type { DeclaredState } from './manifest.ts'
import type { ConnectorStatus } from './types.ts'

export interface Condition {
  type: 'Ready' | 'NotReady'
  /**
   * Short and stable. NotReady: Reconciling, ConnectorFailed, TasksFailed, Pending, Missing, Error.
   * Ready: none, or Reassigning (a worker-group rebalance is moving it, within the grace of rebalance-grace.ts).
   */
  reason?: string
  message?: string
  failedTasks?: number[]
}

export const READY: Condition = Object.freeze({ type: 'Ready' })

function firstLine (trace: string | undefined): string {
  return (trace ?? '').split('\n')[0]?.trim() ?? ''
}

/** The condition a connector's status shows against its declared state. */
export function assess (declared: DeclaredState, status: ConnectorStatus | undefined): Condition {
  if (status === undefined) return { type: 'NotReady', reason: 'Missing', message: 'the connector does not exist in Connect' }
  const failed = status.tasks.filter((t) => t.state === 'FAILED')
  const failedTasks = failed.map((t) => t.id)
  if (status.connector.state === 'FAILED') {
    return { type: 'NotReady', reason: 'ConnectorFailed', message: firstLine(status.connector.trace) || 'the connector failed', failedTasks }
  }
  if (failed.length > 0) {
    return { type: 'NotReady', reason: 'TasksFailed', message: `task(s) ${failedTasks.join(', ')} failed: ${firstLine(failed[0]?.trace) || 'no trace'}`, failedTasks }
  }
  const want = declared.toUpperCase()
  if (status.connector.state !== want) {
    return { type: 'NotReady', reason: 'Pending', message: `connector is ${status.connector.state}, declared ${declared}` }
  }
  if (declared === 'stopped') return READY
  if (status.tasks.length === 0) return { type: 'NotReady', reason: 'Pending', message: 'no tasks are assigned yet' }
  const waiting = status.tasks.filter((t) => t.state !== want)
  if (waiting.length > 0) {
    return { type: 'NotReady', reason: 'Pending', message: `task(s) ${waiting.map((t) => `${t.id} ${t.state}`).join(', ')}, declared ${declared}` }
  }
  return READY
}
