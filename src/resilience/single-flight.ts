/**
 * Concurrent callers that ask for the same thing share one run: while a run for a key is under
 * way, `run` with that key answers the same promise instead of starting another. Once it settles
 * (either way) the key is free, so the next call starts afresh: a failure is never cached.
 */
export class SingleFlight<K, T> {
  readonly #running = new Map<K, Promise<T>>()

  run (key: K, fn: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key)
    if (running !== undefined) return running
    let started: Promise<T>
    try {
      started = fn()
    } catch (error) {
      started = Promise.reject(error)
    }
    this.#running.set(key, started)
    const free = (): void => { if (this.#running.get(key) === started) this.#running.delete(key) }
    // The cleanup's own copy of a rejection is handled here; callers handle theirs.
    started.then(free, free)
    return started
  }

  /** Runs under way. */
  get size (): number {
    return this.#running.size
  }
}
