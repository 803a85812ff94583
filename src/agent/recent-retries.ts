/**
 * The clients' recent retries, for the status page and the API: each time the retry loop decides
 * to try again (a Connect 409 during a worker rebalance, Cruise Control's capacity 500, a moved
 * coordinator…) it publishes on the `steadfast:retry` diagnostics channel; this keeps the newest
 * ones in memory. They are not events: a storm retries hundreds of times, which would push every
 * event out of the state database; their totals are in steadfast_retries_total. The channel is
 * per process, so agents sharing one process (tests) see each other's.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { redact } from '../observability/redact.ts'
import type { RetryDiagnostic } from '../observability/tracing.ts'

export interface RetryView {
  at: string
  component: string
  operation: string
  /** The attempt that failed, from 1. */
  attempt: number
  delayMs: number
  reason: string
  /** The failure's first line, secrets redacted. */
  message: string
}

const CHANNEL = 'steadfast:retry'

export class RecentRetries {
  readonly #limit: number
  #views: RetryView[] = []
  readonly #listener = (message: unknown): void => { this.#add(message as RetryDiagnostic) }

  constructor (limit = 100) {
    this.#limit = limit
    subscribe(CHANNEL, this.#listener)
  }

  /** Newest first, at most `limit`. */
  recent (limit = this.#limit): RetryView[] {
    return this.#views.slice(0, limit)
  }

  close (): void {
    unsubscribe(CHANNEL, this.#listener)
  }

  #add (d: RetryDiagnostic): void {
    const text = d.error instanceof Error ? d.error.message : String(d.error)
    this.#views.unshift({
      at: new Date().toISOString(),
      component: d.component,
      operation: d.operation,
      attempt: d.attempt,
      delayMs: d.delayMs,
      reason: d.reason,
      message: redact(text.split('\n')[0] ?? ''),
    })
    if (this.#views.length > this.#limit) this.#views.length = this.#limit
  }
}
