/**
 * What may end a retry's backoff early. The layer that raised a failure knows which event could
 * clear it (the cluster: its bootstrap list or its brokers' endpoints changed) and attaches that
 * event to the error; the retry loop (retry.ts) makes its next attempt as soon as the event
 * happens instead of waiting out the delay. One event wakes a waiting retry once, so waking adds
 * at most one attempt per event: it cannot turn into a storm.
 */
export interface WakeSource {
  /**
   * Calls `listener` once, when the event happens (in a later microtask when it has happened
   * since the failure was raised; never before `subscribe` returns); returns a function that
   * stops listening.
   */
  subscribe: (listener: () => void) => () => void
}

const WAKE = Symbol('steadfast.wake')

/**
 * Attaches `source` to `error` (returned as it is, for `throw wakeOn(error, source)`); a thrown
 * value that cannot carry it (not an object, or frozen) is returned without one.
 */
export function wakeOn<E> (error: E, source: WakeSource): E {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) Object.defineProperty(error, WAKE, { value: source, configurable: true })
  return error
}

/** The wake source attached to `error` or to an error in its cause chain (wrappers keep the cause). */
export function wakeOf (error: unknown): WakeSource | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const source = (current as { [WAKE]?: WakeSource })[WAKE]
    if (source !== undefined) return source
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
