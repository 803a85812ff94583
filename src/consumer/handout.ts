/**
 * The record or batch in the application's hands: a revocation waits for it to be processed
 * (`done`), and one held past maxPollIntervalMs is reported (`onOverdue`) so the member can step
 * out of its group. Hand-outs happen once per record with the iterator, so each costs one clock
 * read: one timer watches all of them, armed when a hand-out finds none and re-armed only when it
 * fires for the time the current hand-out has left; the promise behind `done` exists only once
 * somebody waits.
 */
export class Handout {
  readonly #maxMs: number
  readonly #onOverdue: (done: Promise<void>) => void
  /** When the current hand-out began (`now`); undefined while the application holds nothing. */
  #since: number | undefined
  #timer: NodeJS.Timeout | undefined
  #waiting: { promise: Promise<void>, resolve: () => void } | undefined
  #stopped = false

  readonly #now: () => number

  constructor (maxMs: number, onOverdue: (done: Promise<void>) => void, now = (): number => performance.now()) {
    this.#maxMs = maxMs
    this.#onOverdue = onOverdue
    this.#now = now
  }

  /** True while the application holds a record or batch. */
  get active (): boolean {
    return this.#since !== undefined
  }

  begin (): void {
    this.#since = this.#now()
    if (this.#timer === undefined && !this.#stopped) this.#arm(this.#maxMs)
  }

  end (): void {
    this.#since = undefined
    this.#waiting?.resolve()
    this.#waiting = undefined
  }

  /** Resolves when the current hand-out ends (at once when there is none). */
  done (): Promise<void> {
    if (this.#since === undefined) return Promise.resolve()
    if (this.#waiting === undefined) {
      let resolve = (): void => {}
      const promise = new Promise<void>((_resolve) => { resolve = _resolve })
      this.#waiting = { promise, resolve }
    }
    return this.#waiting.promise
  }

  /** No more reports (the consumer closes); `done` still resolves at `end`. */
  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm (ms: number): void {
    this.#timer = setTimeout(() => { this.#fire() }, Math.max(0, Math.ceil(ms)))
    this.#timer.unref()
  }

  #fire (): void {
    this.#timer = undefined
    // Idle now, or (below) this hand-out reported: the next hand-out arms the timer again.
    if (this.#since === undefined) return
    const left = this.#since + this.#maxMs - this.#now()
    if (left > 0) {
      this.#arm(left)
      return
    }
    this.#onOverdue(this.done())
  }
}
