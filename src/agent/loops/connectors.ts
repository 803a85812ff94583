/**
 * The connectors loop: one reconciler pass over the declared KafkaConnectors (the connect layer
 * decides and acts; this loop only feeds it and reports), then the restart annotations, then a
 * read of every connector's status for the page, the API and the gauges.
 *
 * Pruning stays the reconciler's: it deletes only connectors it created (its ledger, in the state
 * database) whose manifest is gone, and never any other. A directory with no document at all is
 * taken for a mistake (wrong path, files being rewritten) and reconciles nothing.
 */
import type { Logger } from '../../observability/logger.ts'
import type { ConnectorReport, Reconciler } from '../../connect/reconciler.ts'
import type { ConnectorStatus } from '../../connect/types.ts'
import { connectorRequests, RESTART, RESTART_TASK } from '../annotations.ts'
import type { ManifestSource } from '../manifest-source.ts'
import type { DeclaredConnector } from '../manifests.ts'
import { annotationsTotal, connectorReady, connectorState, reconcileOutcomes, taskState } from '../metrics.ts'
import type { EventLog } from '../state/events.ts'
import type { AnnotationMarks } from '../state/marks.ts'

export interface ConnectorView {
  name: string
  managed: boolean
  declared: boolean
  condition: ConnectorReport['condition']
  state?: string
  tasks: Array<{ id: number, state: string, workerId: string, trace?: string }>
  /** Annotations refused or waiting, with why. */
  notes: string[]
}

export interface ConnectorsSnapshot {
  at?: string
  /** How long a Ready connector being moved by a worker rebalance is still shown Ready (Reassigning). */
  rebalanceGraceMs?: number
  connectors: ConnectorView[]
  unmanaged: string[]
  deleted: string[]
}

export class ConnectorsLoop {
  readonly #reconciler: Reconciler
  readonly #source: ManifestSource
  readonly #events: EventLog
  readonly #marks: AnnotationMarks
  readonly #logger: Logger
  readonly #warned = new Set<string>()
  #snapshot: ConnectorsSnapshot = { connectors: [], unmanaged: [], deleted: [] }
  #conditions = new Map<string, string>()

  constructor (options: { reconciler: Reconciler, source: ManifestSource, events: EventLog, marks: AnnotationMarks, logger: Logger }) {
    this.#reconciler = options.reconciler
    this.#source = options.source
    this.#events = options.events
    this.#marks = options.marks
    this.#logger = options.logger
  }

  get snapshot (): ConnectorsSnapshot { return this.#snapshot }
  get reconciler (): Reconciler { return this.#reconciler }

  async run (signal: AbortSignal): Promise<void> {
    const declared = await this.#source.load()
    if (declared.connectors.length === 0 && declared.rebalances.length === 0) {
      this.#warnOnce('empty', 'warn', this.#source.dir, `the manifests directory ${this.#source.dir} holds no manifest; no connector is reconciled (an empty directory never prunes)`)
      return
    }
    const result = await this.#reconciler.reconcile(declared.connectors.map((d) => d.manifest), { signal })
    for (const name of result.deleted) this.#events.record('info', 'connector', name, 'deleted: created by the agent and its manifest was removed')
    const notes = new Map<string, string[]>()
    for (const d of declared.connectors) notes.set(d.manifest.name, await this.#annotations(d, signal))
    const observed = await this.#reconciler.client.listConnectorsExpanded({ status: true }, { signal })
    const views = result.connectors.map((r): ConnectorView => {
      const status: ConnectorStatus | undefined = observed[r.name]?.status
      this.#noteCondition(r)
      return {
        name: r.name,
        managed: r.managed,
        declared: true,
        condition: r.condition,
        ...(status === undefined ? {} : { state: status.connector.state }),
        tasks: (status?.tasks ?? []).map((t) => ({ id: t.id, state: t.state, workerId: t.worker_id, ...(t.trace === undefined ? {} : { trace: t.trace.split('\n')[0] ?? '' }) })),
        notes: notes.get(r.name) ?? [],
      }
    })
    this.#snapshot = { at: new Date().toISOString(), rebalanceGraceMs: this.#reconciler.rebalanceGraceMs, connectors: views, unmanaged: result.unmanaged, deleted: result.deleted }
    this.#export(views)
  }

  /** Carries out restart annotations once per value; refuses the others with a note and an event. */
  async #annotations (d: DeclaredConnector, signal: AbortSignal): Promise<string[]> {
    const name = d.manifest.name
    const requests = connectorRequests(d.annotations)
    const notes: string[] = []
    await this.#marks.clear('connector', name, Object.keys(d.annotations))
    for (const r of requests.refused) {
      notes.push(r.message)
      this.#warnOnce(`${name}\u0000${r.annotation}\u0000${r.value}`, 'warn', name, `annotation refused: ${r.message}`)
      annotationsTotal.inc({ annotation: r.annotation, outcome: 'refused' })
    }
    if (requests.restart !== undefined && this.#marks.done('connector', name, RESTART) !== d.annotations[RESTART]) {
      const result = await this.#reconciler.restartConnector(name, requests.restart, { signal })
      await this.#marks.mark('connector', name, RESTART, d.annotations[RESTART] ?? '')
      annotationsTotal.inc({ annotation: RESTART, outcome: 'done' })
      this.#events.record('info', 'connector', name, `restarted on ${RESTART} (${result.outcome}${requests.restart.includeTasks ? ', tasks included' : ''}${requests.restart.onlyFailed ? ', only failed' : ''})`)
    }
    const task = requests.restartTask
    if (task !== undefined && this.#marks.done('connector', name, RESTART_TASK) !== String(task)) {
      if (task >= d.manifest.tasksMax) {
        notes.push(`${RESTART_TASK}: task ${task} does not exist (tasksMax is ${d.manifest.tasksMax})`)
        this.#warnOnce(`${name}\u0000task\u0000${task}`, 'warn', name, `annotation refused: ${RESTART_TASK}: task ${task} does not exist (tasksMax is ${d.manifest.tasksMax})`)
        annotationsTotal.inc({ annotation: RESTART_TASK, outcome: 'refused' })
      } else {
        const result = await this.#reconciler.restartTask(name, task, { signal })
        await this.#marks.mark('connector', name, RESTART_TASK, String(task))
        annotationsTotal.inc({ annotation: RESTART_TASK, outcome: 'done' })
        this.#events.record('info', 'connector', name, `task ${task} restarted on ${RESTART_TASK} (${result.outcome})`)
      }
    }
    return notes
  }

  #noteCondition (r: ConnectorReport): void {
    const c = r.condition
    const key = `${c.type}/${c.reason ?? ''}`
    reconcileOutcomes.inc({ kind: 'connector', outcome: c.type === 'Ready' ? 'ready' : c.reason === 'Error' ? 'error' : 'not-ready', reason: c.reason ?? '' })
    if (this.#conditions.get(r.name) === key) return
    this.#conditions.set(r.name, key)
    const level = c.type === 'Ready' ? 'info' : c.reason === 'Error' || c.reason === 'ConnectorFailed' || c.reason === 'TasksFailed' ? 'error' : 'info'
    this.#events.record(level, 'connector', r.name, describeCondition(c))
  }

  #warnOnce (key: string, level: 'warn', subject: string, message: string): void {
    if (this.#warned.has(key)) return
    this.#warned.add(key)
    this.#logger.warn({ subject }, message)
    this.#events.record(level, key === 'empty' ? 'manifests' : 'annotation', subject, message)
  }

  #export (views: ConnectorView[]): void {
    connectorReady.reset()
    connectorState.reset()
    taskState.reset()
    for (const v of views) {
      connectorReady.set({ connector: v.name }, v.condition.type === 'Ready' ? 1 : 0)
      if (v.state !== undefined) connectorState.set({ connector: v.name, state: v.state }, 1)
      for (const t of v.tasks) taskState.set({ connector: v.name, task: String(t.id), state: t.state }, 1)
    }
  }
}

/** A condition as the events and the page word it: `Ready`, `Ready, reassigning: …`, `NotReady (Pending): …`. */
export function describeCondition (c: ConnectorReport['condition']): string {
  if (c.type === 'Ready') return c.reason === undefined ? 'Ready' : `Ready, ${c.reason.toLowerCase()}: ${c.message ?? ''}`
  return `NotReady (${c.reason ?? ''}): ${c.message ?? ''}`
}
