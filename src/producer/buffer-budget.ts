/**
 * The producer's memory bound: bytes of records accepted and not yet acknowledged. `reserve`
 * takes space at once when there is some, else waits in FIFO order up to a timeout, so a
 * partition whose leader is gone cannot make the process grow without limit.
 */
import { BufferFullError } from './errors.ts'

interface Waiter {
  bytes: number
  grant: () => void
}

export class BufferBudget {
  readonly limit: number
  #used = 0
  readonly #waiters: Waiter[] = []
  /** Told every change in bytes (+ taken, - released), for a process-wide gauge. */
  readonly #onChange: (delta: number) => void

  constructor (limit: number, onChange: (delta: number) => void = () => {}) {
    this.limit = limit
    this.#onChange = onChange
  }

  get used (): number {
    return this.#used
  }

  get waiting (): number {
    return this.#waiters.length
  }

  /** Takes `bytes` now if nobody waits ahead and they fit; the synchronous fast path. */
  tryReserve (bytes: number): boolean {
    if (this.#waiters.length > 0 || this.#used + bytes > this.limit) return false
    this.#take(bytes)
    return true
  }

  /**
   * Takes `bytes`, waiting up to `timeoutMs` for space; rejects with BufferFullError after that.
   * `allowedMs` is the caller's whole allowance (maxBlockMs), named in the error.
   */
  async reserve (bytes: number, timeoutMs: number, allowedMs = timeoutMs): Promise<void> {
    if (this.tryReserve(bytes)) return
    if (timeoutMs <= 0) throw this.#full(bytes, allowedMs)
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        grant: () => { clearTimeout(timer); resolve() },
      }
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter)
        if (i >= 0) this.#waiters.splice(i, 1)
        reject(this.#full(bytes, allowedMs))
        this.#wake()
      }, timeoutMs)
      this.#waiters.push(waiter)
    })
  }

  release (bytes: number): void {
    this.#used -= bytes
    this.#onChange(-bytes)
    this.#wake()
  }

  #take (bytes: number): void {
    this.#used += bytes
    this.#onChange(bytes)
  }

  #wake (): void {
    for (;;) {
      const head = this.#waiters[0]
      if (head === undefined || this.#used + head.bytes > this.limit) return
      this.#waiters.shift()
      this.#take(head.bytes)
      head.grant()
    }
  }

  #full (bytes: number, allowedMs: number): BufferFullError {
    return new BufferFullError(`producer buffer full: ${this.#used} of ${this.limit} bytes (maxBufferedBytes) are waiting for acknowledgement; ` +
      `a record of ${bytes} bytes found no space within ${allowedMs} ms (maxBlockMs)`)
  }
}
