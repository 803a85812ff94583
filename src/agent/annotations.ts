/**
 * Strimzi's annotations on KafkaConnector and KafkaRebalance documents, as the agent reads them:
 * each one is carried out or refused with a message saying why; none is silently ignored.
 * Annotations outside `strimzi.io/` are the user's and not looked at.
 */
import type { RebalanceAction } from '../cruise-control/lifecycle.ts'
import { AUTO_APPROVAL_ANNOTATION } from '../cruise-control/manifest.ts'
import type { Annotations } from './manifests.ts'

export const RESTART = 'strimzi.io/restart'
export const RESTART_TASK = 'strimzi.io/restart-task'
export const RESTART_INCLUDE_TASKS = 'strimzi.io/restart-include-tasks'
export const RESTART_ONLY_FAILED = 'strimzi.io/restart-only-failed'
export const REBALANCE = 'strimzi.io/rebalance'

export interface Refusal { annotation: string, value: string, message: string }

export interface ConnectorRequests {
  restart?: { includeTasks: boolean, onlyFailed: boolean }
  restartTask?: number
  refused: Refusal[]
}

export interface RebalanceRequests {
  action?: RebalanceAction
  refused: Refusal[]
}

const unsupported = (annotation: string, value: string, kind: string): Refusal =>
  ({ annotation, value, message: `${annotation} is not supported by the steadfast agent on a ${kind}; it has no effect` })

const flag = (annotations: Annotations, key: string, refused: Refusal[]): boolean => {
  const value = annotations[key]
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  refused.push({ annotation: key, value, message: `${key} must be "true" or "false", got "${value}"` })
  return false
}

export function connectorRequests (annotations: Annotations): ConnectorRequests {
  const out: ConnectorRequests = { refused: [] }
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith('strimzi.io/')) continue
    switch (key) {
      case RESTART:
        if (value === 'true') out.restart = { includeTasks: false, onlyFailed: false }
        else out.refused.push({ annotation: key, value, message: `${key} must be "true" (remove it and add it again to restart again), got "${value}"` })
        break
      case RESTART_TASK:
        if (/^\d+$/.test(value)) out.restartTask = Number(value)
        else out.refused.push({ annotation: key, value, message: `${key} must be a task id (an integer >= 0), got "${value}"` })
        break
      case RESTART_INCLUDE_TASKS:
      case RESTART_ONLY_FAILED:
        break
      default:
        out.refused.push(unsupported(key, value, 'KafkaConnector'))
    }
  }
  if (out.restart !== undefined) out.restart = { includeTasks: flag(annotations, RESTART_INCLUDE_TASKS, out.refused), onlyFailed: flag(annotations, RESTART_ONLY_FAILED, out.refused) }
  else {
    for (const key of [RESTART_INCLUDE_TASKS, RESTART_ONLY_FAILED]) {
      if (annotations[key] !== undefined) out.refused.push({ annotation: key, value: annotations[key], message: `${key} only qualifies ${RESTART}: "true", which is not set` })
    }
  }
  return out
}

export function rebalanceRequests (annotations: Annotations): RebalanceRequests {
  const out: RebalanceRequests = { refused: [] }
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith('strimzi.io/') || key === AUTO_APPROVAL_ANNOTATION) continue
    if (key !== REBALANCE) { out.refused.push(unsupported(key, value, 'KafkaRebalance')); continue }
    if (value === 'approve' || value === 'refresh' || value === 'stop') out.action = value
    else if (value === 'template') out.refused.push({ annotation: key, value, message: `${key}: template rebalances (for Strimzi's auto-rebalancing) are not supported by the steadfast agent` })
    else out.refused.push({ annotation: key, value, message: `${key} must be approve, refresh or stop, got "${value}"` })
  }
  return out
}
