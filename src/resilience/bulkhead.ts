/**
 * A concurrency limiter with a FIFO queue, for servers that cap concurrent requests (Cruise
 * Control's max.active.user.tasks) or for spreading load. At most `maxConcurrent` calls run at
 * once; the rest wait in order. A full queue answers CapacityError (retriable); an aborted waiter
 * leaves the queue at once. Queue length, active calls and wait time are exported as metrics.
 */
import { bulkheadActive, bulkheadQueueLength, bulkheadWaitSeconds } from '../observability/metrics.ts'
import { AbortedError, CapacityError, InvalidArgumentError } from './errors.ts'

export interface BulkheadOptions {
  /** Metrics label. */
  name: string
  maxConcurrent: number
  /** Waiters allowed beyond the running calls; Infinity by default. */
  maxQueue?: number
}

interface Waiter {
  grant: () => void
  enqueuedAt: number
}

export class Bulkhead {
  readonly name: string
  readonly maxConcurrent: number
  readonly maxQueue: number
  #active = 0
  #queue: Waiter[] = []

  constructor (options: BulkheadOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new InvalidArgumentError(`bulkhead ${options.name}: maxConcurrent must be an integer >= 1, got ${options.maxConcurrent}`)
    }
    const maxQueue = options.maxQueue ?? Infinity
    if (!(maxQueue === Infinity || (Number.isInteger(maxQueue) && maxQueue >= 0))) {
      throw new InvalidArgumentError(`bulkhead ${options.name}: maxQueue must be an integer >= 0 or Infinity, got ${maxQueue}`)
    }
    this.name = options.name
    this.maxConcurrent = options.maxConcurrent
    this.maxQueue = maxQueue
  }

  get active (): number { return this.#active }
  get queued (): number { return this.#queue.length }

  /** Runs `fn` when a slot is free; the slot is released when it settles. */
  async run<T> (fn: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    await this.#acquire(options.signal)
    try {
      return await fn()
    } finally {
      this.#release()
    }
  }

  #acquire (signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(new AbortedError(`bulkhead ${this.name}: aborted before a slot was free`, { cause: signal.reason }))
    if (this.#active < this.maxConcurrent && this.#queue.length === 0) {
      this.#setActive(this.#active + 1)
      bulkheadWaitSeconds.observe({ limiter: this.name }, 0)
      return Promise.resolve()
    }
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(new CapacityError(`bulkhead ${this.name}: ${this.#active} calls running and ${this.#queue.length} waiting (queue limit ${this.maxQueue})`))
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: Date.now(),
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          bulkheadWaitSeconds.observe({ limiter: this.name }, (Date.now() - waiter.enqueuedAt) / 1000)
          resolve()
        },
      }
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter)
        if (i >= 0) this.#queue.splice(i, 1)
        this.#publishQueue()
        reject(new AbortedError(`bulkhead ${this.name}: aborted while waiting for a slot`, { cause: signal?.reason }))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#queue.push(waiter)
      this.#publishQueue()
    })
  }

  #release (): void {
    const next = this.#queue.shift()
    if (next === undefined) {
      this.#setActive(this.#active - 1)
      return
    }
    // The slot passes straight to the next waiter: `active` does not change.
    this.#publishQueue()
    next.grant()
  }

  #setActive (n: number): void {
    this.#active = n
    bulkheadActive.set({ limiter: this.name }, n)
  }

  #publishQueue (): void {
    bulkheadQueueLength.set({ limiter: this.name }, this.#queue.length)
  }
}
