/**
 * A virtual clock for tests of anything that takes a `Clock` (the retry loop, limiters, the
 * reconcilers): time moves only when the test says, so minutes of backoff run in microseconds
 * and assertions on delays are exact.
 */
import type { Clock } from '../resilience/clock.ts'

interface Timer {
  id: number
  at: number
  fn: () => void
}

export class FakeClock implements Clock {
  #now: number
  #timers: Timer[] = []
  #nextId = 1

  constructor (start = 1_700_000_000_000) {
    this.#now = start
  }

  now = (): number => this.#now

  schedule = (ms: number, fn: () => void): (() => void) => {
    const timer: Timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn }
    this.#timers.push(timer)
    this.#timers.sort((a, b) => a.at - b.at || a.id - b.id)
    return () => { this.#timers = this.#timers.filter((t) => t !== timer) }
  }

  /** Timers not yet fired. */
  get pending (): number {
    return this.#timers.length
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance (ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      await settle()
      const next = this.#timers[0]
      if (next === undefined || next.at > target) break
      this.#fire(next)
    }
    this.#now = target
    await settle()
  }

  /**
   * Runs `promise` to completion, jumping time to each next timer whenever nothing else can
   * happen. Throws if more than `maxTimers` fire (a loop that never ends).
   */
  async run<T> (promise: Promise<T>, maxTimers = 100_000): Promise<T> {
    let done = false
    const tracked = promise.finally(() => { done = true })
    tracked.catch(() => {})
    for (let fired = 0; ; fired++) {
      await settle()
      if (done) return await tracked
      const next = this.#timers[0]
      if (next === undefined) {
        throw new Error('FakeClock.run: the promise is waiting on something other than this clock')
      }
      if (fired >= maxTimers) throw new Error(`FakeClock.run: more than ${maxTimers} timers fired`)
      this.#fire(next)
    }
  }

  #fire (timer: Timer): void {
    this.#timers.shift()
    this.#now = Math.max(this.#now, timer.at)
    timer.fn()
  }
}

/** Lets every pending promise callback run (several macrotask turns, for chained awaits). */
async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
