/**
 * The producer's memory bound: bytes of records accepted and not yet acknowledged, in total and
 * per partition. `reserve` takes space at once when there is some, else waits up to a timeout.
 *
 * The per-partition cap keeps one partition whose leader is gone from taking the whole buffer:
 * its records wait (and fail after maxBlockMs) while records for other partitions still find
 * space. Waiters are served in order, except that one held back by its own partition's cap does
 * not hold back waiters of other partitions; one waiting for shared space does.
 */
import { BufferFullError } from './errors.ts'

interface Waiter {
  bytes: number
  key: string
  grant: () => void
}

export interface BufferLimits {
  /** Bytes over every partition (maxBufferedBytes). */
  total: number
  /** Bytes for any one partition (maxBufferedBytesPerPartition). */
  perPartition: number
}

export class BufferBudget {
  readonly limits: BufferLimits
  #used = 0
  readonly #usedBy = new Map<string, number>()
  readonly #waiters: Waiter[] = []
  /** Told every change in bytes (+ taken, - released), for a process-wide gauge. */
  readonly #onChange: (delta: number) => void

  constructor (limits: BufferLimits, onChange: (delta: number) => void = () => {}) {
    this.limits = limits
    this.#onChange = onChange
  }

  get used (): number {
    return this.#used
  }

  get waiting (): number {
    return this.#waiters.length
  }

  /** Bytes held for one partition (`key` as given to reserve). */
  usedBy (key: string): number {
    return this.#usedBy.get(key) ?? 0
  }

  /** Takes `bytes` for `key` now if they fit and no waiter comes first; the synchronous fast path. */
  tryReserve (bytes: number, key: string): boolean {
    if (this.#waiters.length > 0 && this.#waiters.some((w) => w.key === key || this.#fitsPartition(w))) return false
    if (!this.#fitsPartition({ bytes, key }) || this.#used + bytes > this.limits.total) return false
    this.#take(bytes, key)
    return true
  }

  /**
   * Takes `bytes` for `key`, waiting up to `timeoutMs` for space; rejects with BufferFullError
   * after that. `allowedMs` is the caller's whole allowance (maxBlockMs), named in the error.
   */
  async reserve (bytes: number, key: string, timeoutMs: number, allowedMs = timeoutMs): Promise<void> {
    if (this.tryReserve(bytes, key)) return
    if (timeoutMs <= 0) throw this.#full(bytes, key, allowedMs)
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        key,
        grant: () => { clearTimeout(timer); resolve() },
      }
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter)
        if (i >= 0) this.#waiters.splice(i, 1)
        reject(this.#full(bytes, key, allowedMs))
        this.#wake()
      }, timeoutMs)
      this.#waiters.push(waiter)
    })
  }

  release (bytes: number, key: string): void {
    this.#used -= bytes
    const left = this.usedBy(key) - bytes
    if (left > 0) this.#usedBy.set(key, left)
    else this.#usedBy.delete(key)
    this.#onChange(-bytes)
    this.#wake()
  }

  #fitsPartition (w: { bytes: number, key: string }): boolean {
    return this.usedBy(w.key) + w.bytes <= this.limits.perPartition
  }

  #take (bytes: number, key: string): void {
    this.#used += bytes
    this.#usedBy.set(key, this.usedBy(key) + bytes)
    this.#onChange(bytes)
  }

  #wake (): void {
    const heldBack = new Set<string>()
    for (let i = 0; i < this.#waiters.length;) {
      const w = this.#waiters[i] as Waiter
      if (heldBack.has(w.key) || !this.#fitsPartition(w)) {
        heldBack.add(w.key)
        i++
        continue
      }
      if (this.#used + w.bytes > this.limits.total) return
      this.#waiters.splice(i, 1)
      this.#take(w.bytes, w.key)
      w.grant()
    }
  }

  #full (bytes: number, key: string, allowedMs: number): BufferFullError {
    const held = this.usedBy(key)
    const which = held + bytes > this.limits.perPartition
      ? `partition ${key} holds ${held} of ${this.limits.perPartition} bytes (maxBufferedBytesPerPartition)`
      : `${this.#used} of ${this.limits.total} bytes (maxBufferedBytes) are taken`
    return new BufferFullError(`producer buffer full: ${which}, waiting for acknowledgement; ` +
      `a record of ${bytes} bytes found no space within ${allowedMs} ms (maxBlockMs)`)
  }
}
