/**
 * Per-key FIFO queues: `run(key, fn)` starts `fn` once every earlier run for the same key has
 * settled, whether it succeeded or failed; runs for different keys do not wait for each other. A
 * key's entry goes away when nothing is queued behind it, so the map holds only busy keys.
 */
export class KeyedSerial<K> {
  /** The last run queued per key, settled either way (it never rejects). */
  readonly #tails = new Map<K, Promise<void>>()

  run<T> (key: K, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const result = previous.then(fn)
    const tail = result.then(() => {}, () => {})
    this.#tails.set(key, tail)
    tail.then(() => { if (this.#tails.get(key) === tail) this.#tails.delete(key) })
    return result
  }

  /** True while a run for `key` is queued or under way. */
  has (key: K): boolean {
    return this.#tails.has(key)
  }

  /** Settles when every run queued so far, for every key, has settled. */
  async idle (): Promise<void> {
    await Promise.all([...this.#tails.values()])
  }
}
