/**
 * Time as the retry loop and limiters see it. The default uses the global Date and setTimeout, so
 * node:test's mock timers (`mock.timers.enable({ apis: ['setTimeout', 'Date'] })`) drive it in tests.
 */
export interface Clock {
  now: () => number
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  }),
}
