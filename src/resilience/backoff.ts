/**
 * Backoff policy: exponential delays with jitter, a cap per delay, a maximum number of attempts
 * and a total deadline. Pure functions; the retry loop (retry.ts) does the waiting.
 */
import { InvalidArgumentError } from './errors.ts'

export type Jitter = 'full' | 'equal' | 'none'

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  initialDelayMs: number
  /** Growth factor between consecutive delays. */
  multiplier: number
  /** Cap on any single delay, before a server hint is applied. */
  maxDelayMs: number
  /** Total attempts allowed, the first one included. `Infinity` means: bounded by the deadline only. */
  maxAttempts: number
  /** Total time budget from the first attempt; `undefined` means no deadline (then maxAttempts must be finite). */
  deadlineMs: number | undefined
  /**
   * `equal` (default): half the delay is fixed and half random, so delays still grow while callers
   * spread out; `full`: uniformly random in [0, delay]; `none`: exact delays (tests, hints).
   */
  jitter: Jitter
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialDelayMs: 100,
  multiplier: 2,
  maxDelayMs: 10_000,
  maxAttempts: 10,
  deadlineMs: 60_000,
  jitter: 'equal',
})

function check (ok: boolean, field: string, value: unknown, rule: string): void {
  if (!ok) throw new InvalidArgumentError(`backoff policy: ${field} must be ${rule}, got ${String(value)}`)
}

/** Fills defaults and validates; a bad field is named in the error. */
export function resolveBackoff (partial: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const p: BackoffPolicy = { ...DEFAULT_BACKOFF, ...stripUndefined(partial) }
  if ('deadlineMs' in partial && partial.deadlineMs === undefined) p.deadlineMs = undefined
  check(Number.isFinite(p.initialDelayMs) && p.initialDelayMs >= 0, 'initialDelayMs', p.initialDelayMs, 'a finite number >= 0')
  check(Number.isFinite(p.multiplier) && p.multiplier >= 1, 'multiplier', p.multiplier, 'a finite number >= 1')
  check(Number.isFinite(p.maxDelayMs) && p.maxDelayMs >= p.initialDelayMs, 'maxDelayMs', p.maxDelayMs, 'a finite number >= initialDelayMs')
  check((Number.isInteger(p.maxAttempts) && p.maxAttempts >= 1) || p.maxAttempts === Infinity, 'maxAttempts', p.maxAttempts, 'an integer >= 1 or Infinity')
  check(p.deadlineMs === undefined || (Number.isFinite(p.deadlineMs) && p.deadlineMs > 0), 'deadlineMs', p.deadlineMs, 'a finite number > 0 or undefined')
  check(p.deadlineMs !== undefined || p.maxAttempts !== Infinity, 'maxAttempts', p.maxAttempts, 'finite when there is no deadline')
  check(['full', 'equal', 'none'].includes(p.jitter), 'jitter', p.jitter, 'one of full, equal, none')
  return p
}

function stripUndefined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** The capped exponential delay before retry number `retry` (1 = the first retry), without jitter. */
export function baseDelay (policy: BackoffPolicy, retry: number): number {
  const raw = policy.initialDelayMs * Math.pow(policy.multiplier, Math.max(0, retry - 1))
  return Math.min(policy.maxDelayMs, raw)
}

/**
 * The delay before retry number `retry`, jittered with `random` (a function returning [0, 1)).
 * Always within [0, maxDelayMs] and, for `equal`, at least half the base delay.
 */
export function backoffDelay (policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const base = baseDelay(policy, retry)
  const r = Math.min(Math.max(random(), 0), 1)
  switch (policy.jitter) {
    case 'none': return base
    case 'full': return Math.floor(base * r)
    case 'equal': return Math.floor(base / 2 + (base / 2) * r)
  }
}
