/**
 * The rebalances loop: each declared KafkaRebalance is recorded in the lifecycle (state New) and
 * advanced by one lifecycle reconcile per pass; the lifecycle alone decides states, keeps
 * User-Task-IDs and rides out Cruise Control's capacity 500s without changing state.
 *
 * `strimzi.io/rebalance: approve|refresh|stop` is carried out once per value when the current
 * state accepts it; while the state does not (approve during PendingProposal), the refusal is
 * noted and the annotation is tried again at each pass, so an early approve takes effect once the
 * proposal is ready. A changed spec starts a fresh proposal when nothing runs; a removed manifest
 * forgets the rebalance, except one still executing, which is followed to its end.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Logger } from '../../observability/logger.ts'
import type { CruiseControlClient } from '../../cruise-control/client.ts'
import { ALLOWED_ACTIONS, REBALANCE_STATES, type RebalanceLifecycle, type RebalanceRecord } from '../../cruise-control/lifecycle.ts'
import { rebalanceRequests, REBALANCE } from '../annotations.ts'
import type { ManifestSource } from '../manifest-source.ts'
import type { DeclaredRebalance } from '../manifests.ts'
import { annotationsTotal, cruiseControlUserTasks, rebalanceProgress, rebalanceState, reconcileOutcomes } from '../metrics.ts'
import type { EventLog } from '../state/events.ts'
import type { AnnotationMarks } from '../state/marks.ts'

export interface RebalanceView {
  record: RebalanceRecord
  declared: boolean
  notes: string[]
}

export interface RebalancesSnapshot {
  at?: string
  rebalances: RebalanceView[]
  /** Cruise Control's user tasks by status, from the last pass. */
  userTasks: Record<string, number>
}

const BUSY = new Set(['PendingProposal', 'Rebalancing'])

export class RebalancesLoop {
  readonly lifecycle: RebalanceLifecycle
  readonly #client: CruiseControlClient
  readonly #source: ManifestSource
  readonly #events: EventLog
  readonly #marks: AnnotationMarks
  readonly #logger: Logger
  readonly #noted = new Set<string>()
  #snapshot: RebalancesSnapshot = { rebalances: [], userTasks: {} }

  constructor (options: { lifecycle: RebalanceLifecycle, client: CruiseControlClient, source: ManifestSource, events: EventLog, marks: AnnotationMarks, logger: Logger }) {
    this.lifecycle = options.lifecycle
    this.#client = options.client
    this.#source = options.source
    this.#events = options.events
    this.#marks = options.marks
    this.#logger = options.logger
  }

  get snapshot (): RebalancesSnapshot { return this.#snapshot }

  async run (signal: AbortSignal): Promise<void> {
    const declared = await this.#source.load()
    const stored = new Map((await this.lifecycle.list()).map((r) => [r.name, r]))
    const views: RebalanceView[] = []
    const failures: unknown[] = []
    for (const d of declared.rebalances) {
      try {
        views.push(await this.#drive(d, stored.get(d.manifest.metadata.name), signal))
      } catch (error) {
        if (signal.aborted) throw error
        failures.push(error)
      }
    }
    const names = new Set(declared.rebalances.map((d) => d.manifest.metadata.name))
    for (const record of stored.values()) {
      if (names.has(record.name)) continue
      if (record.state === 'Rebalancing') {
        views.push({ record: await this.#reconcile(record.name, record, signal), declared: false, notes: ['its manifest was removed while it executes: followed to its end; stop it through the API'] })
        continue
      }
      await this.lifecycle.delete(record.name)
      await this.#marks.clear('rebalance', record.name, [])
      this.#events.record('info', 'rebalance', record.name, `forgotten: its manifest was removed (state was ${record.state})`)
    }
    const { userTasks } = await this.#client.userTasks({ signal })
    const counts: Record<string, number> = {}
    for (const t of userTasks) counts[t.Status] = (counts[t.Status] ?? 0) + 1
    this.#snapshot = { at: new Date().toISOString(), rebalances: views, userTasks: counts }
    this.#export(views, counts)
    if (failures.length > 0) throw failures[0]
  }

  async #drive (d: DeclaredRebalance, stored: RebalanceRecord | undefined, signal: AbortSignal): Promise<RebalanceView> {
    const name = d.manifest.metadata.name
    const notes: string[] = []
    let record = stored
    if (record !== undefined && !isDeepStrictEqual(record.manifest, d.manifest)) {
      if (BUSY.has(record.state)) {
        notes.push(`its manifest changed while ${record.state}; the change applies once it settles`)
      } else {
        await this.lifecycle.delete(name)
        this.#events.record('info', 'rebalance', name, `manifest changed (state was ${record.state}): asking for a new proposal`)
        record = undefined
      }
    }
    if (record === undefined) {
      record = await this.lifecycle.create(d.manifest)
      this.#events.record('info', 'rebalance', name, 'created from its manifest (New)')
    }
    await this.#marks.clear('rebalance', name, Object.keys(d.annotations))
    const requests = rebalanceRequests(d.annotations)
    for (const r of requests.refused) {
      notes.push(r.message)
      this.#noteOnce(`${name}\u0000${r.annotation}\u0000${r.value}`, name, `annotation refused: ${r.message}`)
      annotationsTotal.inc({ annotation: r.annotation, outcome: 'refused' })
    }
    const value = d.annotations[REBALANCE]
    if (requests.action !== undefined && this.#marks.done('rebalance', name, REBALANCE) !== value) {
      const allowed = ALLOWED_ACTIONS[record.state]
      if (allowed.includes(requests.action)) {
        await this.#marks.mark('rebalance', name, REBALANCE, value ?? '')
        record = await this.lifecycle[requests.action](name)
        annotationsTotal.inc({ annotation: REBALANCE, outcome: 'done' })
        this.#events.record('info', 'rebalance', name, `${REBALANCE}: ${requests.action} accepted in state ${stored?.state ?? 'New'}`)
      } else {
        const message = `${REBALANCE}: ${requests.action} is not accepted in state ${record.state} (it accepts ${allowed.length === 0 ? 'no action' : allowed.join(', ')}); tried again at each pass`
        notes.push(message)
        this.#noteOnce(`${name}\u0000${requests.action}\u0000${record.state}`, name, message)
      }
    }
    return { record: await this.#reconcile(name, record, signal), declared: true, notes }
  }

  async #reconcile (name: string, before: RebalanceRecord, signal: AbortSignal): Promise<RebalanceRecord> {
    const after = await this.lifecycle.reconcile(name, { signal })
    const transient = after.transientErrors > before.transientErrors
    reconcileOutcomes.inc({ kind: 'rebalance', outcome: after.state === 'NotReady' ? 'error' : transient ? 'transient' : 'ok', reason: transient ? after.lastTransientError?.reason ?? '' : '' })
    if (after.state !== before.state) {
      const level = after.state === 'NotReady' ? 'error' : 'info'
      this.#events.record(level, 'rebalance', name, `${before.state} → ${after.state}${after.reason === undefined ? '' : `: ${after.reason}`}${after.userTaskId === undefined ? '' : ` (User-Task-ID ${after.userTaskId})`}`)
    }
    return after
  }

  #noteOnce (key: string, subject: string, message: string): void {
    if (this.#noted.has(key)) return
    this.#noted.add(key)
    this.#logger.warn({ rebalance: subject }, message)
    this.#events.record('warn', 'annotation', subject, message)
  }

  #export (views: RebalanceView[], userTasks: Record<string, number>): void {
    rebalanceState.reset()
    rebalanceProgress.reset()
    cruiseControlUserTasks.reset()
    for (const { record } of views) {
      for (const state of REBALANCE_STATES) rebalanceState.set({ rebalance: record.name, state }, state === record.state ? 1 : 0)
      const p = record.progress
      if (p !== undefined && p.partitionsTotal > 0) rebalanceProgress.set({ rebalance: record.name }, p.partitionsMoved / p.partitionsTotal)
    }
    for (const [status, count] of Object.entries(userTasks)) cruiseControlUserTasks.set({ status }, count)
  }
}
