/**
 * Burrow-style consumer status from a sliding window of lag samples per partition:
 *
 *   OK   — lag is 0 now, or the window does not show one of the cases below;
 *   WARN — the group commits, but lag grew at every sample across the whole window;
 *   ERR  — the partition has lag and its committed offset has not moved across the whole window
 *          (the consumer stopped committing).
 *
 * A group's status is its worst partition's. Until a partition has a full window it is OK:
 * judging a trend from two samples would flap.
 */
import type { PartitionLag } from '../admin/offsets.ts'

export type LagStatus = 'OK' | 'WARN' | 'ERR'

export interface Sample { at: number, committed: bigint, lag: bigint }

export interface PartitionStatus { topic: string, partition: number, committed: bigint, latest: bigint, lag: bigint, status: LagStatus, reason?: string }

export interface GroupStatus { group: string, status: LagStatus, totalLag: bigint, partitions: PartitionStatus[], at: number }

const RANK: Record<LagStatus, number> = { OK: 0, WARN: 1, ERR: 2 }

export function partitionStatus (window: readonly Sample[], size: number): { status: LagStatus, reason?: string } {
  const last = window[window.length - 1]
  if (last === undefined || last.lag === 0n || window.length < size) return { status: 'OK' }
  const first = window[0] as Sample
  if (window.every((s) => s.committed === first.committed && s.lag > 0n)) {
    return { status: 'ERR', reason: `committed offset stuck at ${first.committed} for ${window.length} samples with lag ${last.lag}` }
  }
  let grew = true
  for (let i = 1; i < window.length; i++) if ((window[i] as Sample).lag <= (window[i - 1] as Sample).lag) grew = false
  if (grew) return { status: 'WARN', reason: `lag grew at every one of ${window.length} samples (${first.lag} → ${last.lag})` }
  return { status: 'OK' }
}

/** Keeps each partition's window and judges groups as samples arrive. */
export class LagTracker {
  readonly #size: number
  readonly #windows = new Map<string, Sample[]>()

  constructor (windowSize: number) { this.#size = windowSize }

  observe (group: string, lag: readonly PartitionLag[], at: number): GroupStatus {
    const partitions = lag.map((l): PartitionStatus => {
      const key = `${group}\u0000${l.topic}\u0000${l.partition}`
      const window = [...(this.#windows.get(key) ?? []), { at, committed: l.committed, lag: l.lag }].slice(-this.#size)
      this.#windows.set(key, window)
      return { topic: l.topic, partition: l.partition, committed: l.committed, latest: l.latest, lag: l.lag, ...partitionStatus(window, this.#size) }
    })
    const status = partitions.reduce<LagStatus>((worst, p) => RANK[p.status] > RANK[worst] ? p.status : worst, 'OK')
    return { group, status, totalLag: partitions.reduce((sum, p) => sum + p.lag, 0n), partitions, at }
  }

  /** Drops the windows of groups no longer watched. */
  forget (keep: ReadonlySet<string>): void {
    for (const key of this.#windows.keys()) if (!keep.has(key.split('\u0000')[0] ?? '')) this.#windows.delete(key)
  }
}
