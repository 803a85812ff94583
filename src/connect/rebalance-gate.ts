/**
 * One Connect client's view of its worker group's rebalances, shared by all its writes. A write
 * answered with a rebalance 409 (or 500) closes the gate. While it is closed the writes do not
 * each retry on their own backoff: one probe at a time goes to the workers, at most one per
 * `probeMs`, and the other writes wait. The first write that succeeds opens the gate and wakes
 * every waiting write at once (their failures carry the gate as wake source, see
 * resilience/wake.ts, so even a retry sleeping a long backoff goes again).
 *
 * A storm then costs about one request per probe interval instead of one per write per backoff
 * step, and its end is noticed within one probe interval however long the writes' own backoffs
 * have grown: incident 1's "a long backoff must not overshoot the end of a storm". Each write
 * keeps its own deadline (its retry loop's signal ends its wait here too). Reads never wait:
 * they do not meet the rebalance 409.
 */
import type { Clock } from '../resilience/clock.ts'
import { SteadfastError } from '../resilience/errors.ts'
import { wakeOn, type WakeSource } from '../resilience/wake.ts'

export class RebalanceGate {
  readonly #probeMs: number
  readonly #clock: Clock
  #closed = false
  /** A probe is in flight. */
  #probing = false
  #nextProbeAt = 0
  #cancelTimer: (() => void) | undefined
  /** Times the gate opened: a wake source created before an opening fires at once. */
  #openings = 0
  /** Writes whose attempt waits here for the gate to open or for their turn to probe. */
  readonly #held = new Set<() => void>()
  /** Retry loops sleeping on a rebalance failure's wake. */
  readonly #sleeping = new Set<() => void>()

  constructor (probeMs: number, clock: Clock) {
    this.#probeMs = probeMs
    this.#clock = clock
  }

  /** True while the last word from the workers on a write was a rebalance answer. */
  get closed (): boolean {
    return this.#closed
  }

  /** Runs one attempt of a write that can meet a rebalance answer. */
  async admit<T> (attempt: () => Promise<T>, signal: AbortSignal): Promise<T> {
    while (this.#closed && (this.#probing || this.#clock.now() < this.#nextProbeAt)) await this.#hold(signal)
    const probing = this.#closed
    if (probing) {
      this.#probing = true
      this.#nextProbeAt = this.#clock.now() + this.#probeMs
    }
    try {
      const result = await attempt()
      this.#open()
      return result
    } catch (error) {
      if (error instanceof SteadfastError && (error.reason === 'rebalance' || error.reason === 'rebalance-restart')) {
        this.#close()
        throw wakeOn(error, this.#wakeSource())
      }
      throw error
    } finally {
      if (probing) {
        this.#probing = false
        this.#schedule()
      }
    }
  }

  #hold (signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) { reject(signal.reason); return }
      const release = (): void => { this.#held.delete(release); signal.removeEventListener('abort', onAbort); resolve() }
      const onAbort = (): void => { this.#held.delete(release); reject(signal.reason) }
      this.#held.add(release)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#schedule()
    })
  }

  #wakeSource (): WakeSource {
    const openings = this.#openings
    return {
      subscribe: (listener) => {
        if (this.#openings > openings) {
          let live = true
          queueMicrotask(() => { if (live) listener() })
          return () => { live = false }
        }
        const wake = (): void => { this.#sleeping.delete(wake); listener() }
        this.#sleeping.add(wake)
        this.#schedule()
        return () => { this.#sleeping.delete(wake) }
      },
    }
  }

  #close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#nextProbeAt = this.#clock.now() + this.#probeMs
    this.#schedule()
  }

  #open (): void {
    if (!this.#closed) return
    this.#closed = false
    this.#openings++
    this.#cancelTimer?.()
    this.#cancelTimer = undefined
    for (const release of [...this.#held]) release()
    for (const wake of [...this.#sleeping]) wake()
  }

  /** While closed with no probe in flight: at the next probe time, one write goes (a held one first, else a sleeping one is woken). */
  #schedule (): void {
    if (!this.#closed || this.#probing || this.#cancelTimer !== undefined) return
    if (this.#held.size === 0 && this.#sleeping.size === 0) return
    this.#cancelTimer = this.#clock.schedule(Math.max(0, this.#nextProbeAt - this.#clock.now()), () => {
      this.#cancelTimer = undefined
      if (!this.#closed || this.#probing) return
      const next = this.#held.values().next().value ?? this.#sleeping.values().next().value
      next?.()
    })
  }
}
