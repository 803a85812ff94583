/**
 * The grace a Ready connector gets while a worker-group rebalance moves it. A worker that leaves
 * (stopped, or expelled after its session) hands its connectors and tasks back: Connect reports
 * them UNASSIGNED (or RESTARTING) until another worker starts them, a few seconds with
 * `scheduled.rebalance.max.delay.ms` 0 and up to that delay (default 5 minutes) otherwise. That is
 * a transient state, not a failure: for `graceMs` from the first pass that sees it, the connector
 * stays Ready with reason Reassigning and what Connect says; past it, it is NotReady (Pending).
 *
 * Only a connector that was Ready gets the grace (a new one is Pending until it first runs), and
 * only while every instance is in its declared state or a transient one (a FAILED one is NotReady
 * at once). What the grace remembers (seen Ready, moving since when) is kept in the reconciler's
 * ledger (ownership.ts), saved with it, so it continues across a restart, a config reload or an
 * HA take-over: a connector being moved when the agent restarts keeps its original grace.
 */
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { Condition } from './conditions.ts'
import type { DeclaredState } from './manifest.ts'
import type { GraceEpisode } from './ownership.ts'
import type { ConnectorStatus } from './types.ts'

/** Default grace: Connect's default `rebalance.timeout.ms`, the same bound as the client's rebalance retries. */
export const DEFAULT_REBALANCE_GRACE_MS = 60_000

/** States an instance is in while a rebalance moves it. */
const MOVING = new Set(['UNASSIGNED', 'RESTARTING'])

/**
 * True when the status shows a connector being moved: no instance outside its declared state or
 * a moving one, and at least one moving (or, for a running or paused connector, no task listed yet).
 */
export function isReassigning (declared: DeclaredState, status: ConnectorStatus | undefined): boolean {
  if (status === undefined) return false
  const want = declared.toUpperCase()
  const states = [status.connector.state, ...status.tasks.map((t) => t.state)]
  if (!states.every((s) => s === want || MOVING.has(s))) return false
  return states.some((s) => MOVING.has(s)) || (declared !== 'stopped' && status.tasks.length === 0)
}

function seconds (ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}

/** What the grace remembers, by connector: the ledger's `grace`. */
export type GraceBook = Record<string, GraceEpisode>

export class RebalanceGrace {
  readonly graceMs: number

  constructor (graceMs: number = DEFAULT_REBALANCE_GRACE_MS) {
    if (!Number.isInteger(graceMs) || graceMs < 0) throw new InvalidArgumentError(`reconciler: rebalanceGraceMs must be an integer >= 0, got ${String(graceMs)}`)
    this.graceMs = graceMs
  }

  /**
   * The condition to show for `condition`, the one Connect's status gives, at `now`, updating
   * `book` (a plan passes a copy, so nothing is remembered).
   */
  judge (book: GraceBook, name: string, declared: DeclaredState, status: ConnectorStatus | undefined, condition: Condition, now: number): Condition {
    if (this.graceMs === 0) return condition
    const episode = book[name]
    if (condition.type === 'Ready') {
      if (episode === undefined || episode.movingSince !== undefined) book[name] = { readyAt: now }
      return condition
    }
    if (episode === undefined || condition.reason !== 'Pending' || !isReassigning(declared, status)) {
      delete book[name]
      return condition
    }
    const since = episode.movingSince ?? now
    episode.movingSince = since
    const at = new Date(since).toISOString()
    if (now - since < this.graceMs) {
      return { type: 'Ready', reason: 'Reassigning', message: `${condition.message ?? ''}; a worker-group rebalance is moving it (since ${at}); NotReady if it lasts past the ${seconds(this.graceMs)} rebalance grace` }
    }
    return { ...condition, message: `${condition.message ?? ''} since ${at}, longer than the ${seconds(this.graceMs)} rebalance grace` }
  }

  /** Forgets connectors no longer declared. */
  retain (book: GraceBook, names: ReadonlySet<string>): void {
    for (const name of Object.keys(book)) if (!names.has(name)) delete book[name]
  }
}
