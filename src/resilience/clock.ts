/**
 * Time as the retry loop and limiters see it. Everything that waits goes through `schedule`, so a
 * test can swap in a virtual clock (testkit's FakeClock) and run minutes of backoff in microseconds.
 */
import type { WakeSource } from './wake.ts'

export interface Clock {
  now: () => number
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  schedule: (ms: number, fn: () => void) => () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (ms, fn) => {
    const timer = setTimeout(fn, ms)
    return () => clearTimeout(timer)
  },
}

/**
 * Resolves after `ms` on `clock`, or as soon as `wake` fires, whichever is first; rejects with the
 * signal's reason as soon as it aborts.
 */
export function sleep (clock: Clock, ms: number, signal?: AbortSignal, wake?: WakeSource): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const settle = (): void => { cancel(); unsubscribe(); signal?.removeEventListener('abort', onAbort) }
    const onAbort = (): void => { settle(); reject(signal?.reason) }
    const cancel = clock.schedule(ms, () => { settle(); resolve() })
    const unsubscribe = wake?.subscribe(() => { settle(); resolve() }) ?? ((): void => {})
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
