/**
 * Cooperative time slices. A loop that hands out work without waiting for I/O (buffered records,
 * callbacks that resolve in microtasks) never lets timers or sockets run: no heartbeat (the group
 * drops the member past its session timeout and its partitions are read again from the last
 * commit), no produce acknowledgement, no commit, no fetch. Such a loop asks its slice at each
 * step; once the slice has run `ms` milliseconds it gives the event loop one turn.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'

/** Long enough that a turn per slice costs nothing measurable, short enough for any timer. */
export const DEFAULT_SLICE_MS = 5

export class TimeSlice {
  readonly #ms: number
  #end: number

  constructor (ms = DEFAULT_SLICE_MS) {
    this.#ms = ms
    this.#end = performance.now() + ms
  }

  /** The slice is used up: the loop should `turn()` before its next step. */
  get due (): boolean {
    return performance.now() >= this.#end
  }

  /** Starts a new slice (after the loop waited anyway, and so let the event loop run). */
  restart (): void {
    this.#end = performance.now() + this.#ms
  }

  /** Gives the event loop one turn, then starts a new slice. */
  async turn (): Promise<void> {
    await nextTurn()
    this.restart()
  }
}
