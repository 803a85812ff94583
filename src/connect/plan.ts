/**
 * What the reconciler would do, as data and as a readable diff (`apply --dry-run`).
 */
import type { TargetState } from './types.ts'

export interface ConfigChange { key: string, from?: string, to?: string }

export type PlanAction =
  | { type: 'create', name: string, config: Record<string, string>, state: TargetState }
  | { type: 'update', name: string, changes: ConfigChange[], config: Record<string, string> }
  | { type: 'state', name: string, from: string, to: TargetState }
  | { type: 'restart', name: string, restart: number, connectorFailed: boolean, failedTasks: number[] }
  | { type: 'delete', name: string, managed: boolean }

/** Keys added, changed or removed between the actual config and the desired one, sorted by key. */
export function diffConfig (actual: Record<string, string>, desired: Record<string, string>): ConfigChange[] {
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(desired)])].sort()
  const changes: ConfigChange[] = []
  for (const key of keys) {
    const from = actual[key]
    const to = desired[key]
    if (from === to) continue
    changes.push({ key, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) })
  }
  return changes
}

/** Renders the plan as a diff: `+` create, `~` update or state change, `!` restart, `-` delete. */
export function formatPlan (actions: PlanAction[]): string {
  if (actions.length === 0) return 'No changes: the cluster matches the manifests.\n'
  const lines: string[] = []
  for (const a of actions) {
    switch (a.type) {
      case 'create':
        lines.push(`+ create ${a.name} (${a.state})`)
        for (const key of Object.keys(a.config).sort()) lines.push(`+     ${key}: ${a.config[key] ?? ''}`)
        break
      case 'update':
        lines.push(`~ update ${a.name}`)
        for (const c of a.changes) {
          if (c.from !== undefined) lines.push(`-     ${c.key}: ${c.from}`)
          if (c.to !== undefined) lines.push(`+     ${c.key}: ${c.to}`)
        }
        break
      case 'state':
        lines.push(`~ state ${a.name}: ${a.from} -> ${a.to}`)
        break
      case 'restart':
        lines.push(`! restart ${a.name} (auto-restart #${a.restart}: ${a.connectorFailed ? 'connector' : ''}${a.connectorFailed && a.failedTasks.length > 0 ? ' and ' : ''}${a.failedTasks.length > 0 ? `task(s) ${a.failedTasks.join(', ')}` : ''} failed)`)
        break
      case 'delete':
        lines.push(`- delete ${a.name}${a.managed ? '' : ' (not created by steadfast; deleting because unmanaged pruning was asked for)'}`)
        break
    }
  }
  const count = (t: PlanAction['type']): number => actions.filter((a) => a.type === t).length
  lines.push('', `Plan: ${count('create')} to create, ${count('update')} to update, ${count('state')} state change(s), ${count('restart')} restart(s), ${count('delete')} to delete.`)
  return lines.join('\n') + '\n'
}
