/**
 * The error classes every layer throws. Each carries a stable `code` string (one per class, in the
 * manner of undici), a recovery `action` decided by the fault classification (see classify.ts) and a
 * short machine-readable `reason` used as the metrics label for retries.
 */

import { redact, redactDeep } from '../observability/redact.ts'

/** What the caller should do about a failure. See docs/resilience.md for the full table. */
export type RecoveryAction =
  | 'retry'
  | 'refresh-metadata'
  | 'refresh-coordinator'
  | 'reconnect'
  | 'rejoin'
  | 'fatal'

export const RECOVERY_ACTIONS: readonly RecoveryAction[] = [
  'retry', 'refresh-metadata', 'refresh-coordinator', 'reconnect', 'rejoin', 'fatal',
]

export interface SteadfastErrorOptions {
  action?: RecoveryAction
  reason?: string
  cause?: unknown
  /** A delay the server asked for (Retry-After, Kafka throttle_time_ms), in milliseconds. */
  retryAfterMs?: number
}

export class SteadfastError extends Error {
  readonly code: string = 'STEADFAST_ERR'
  readonly action: RecoveryAction
  readonly reason: string
  readonly retryAfterMs: number | undefined

  constructor (message: string, options: SteadfastErrorOptions = {}) {
    // Messages quote what servers said, and some echo credentials back: redacted here, once for all.
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.action = options.action ?? 'fatal'
    this.reason = options.reason ?? 'error'
    this.retryAfterMs = options.retryAfterMs
  }

  /** True when retrying (after the action's hook) can succeed. */
  get retriable (): boolean {
    return this.action !== 'fatal'
  }
}

/** A caller passed something invalid: names what and where. Never retried. */
export class InvalidArgumentError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_INVALID_ARGUMENT'
  constructor (message: string, options: Omit<SteadfastErrorOptions, 'action'> = {}) {
    super(message, { ...options, action: 'fatal', reason: options.reason ?? 'invalid-argument' })
  }
}

/** An error code answered by a Kafka broker. Keeps the Kafka name and numeric code. */
export class KafkaProtocolError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_KAFKA'
  readonly errorCode: number
  readonly errorName: string
  /** Kafka's own retriable flag for this code (may differ from our action, e.g. rejoin). */
  readonly kafkaRetriable: boolean

  constructor (message: string, init: { errorCode: number, errorName: string, kafkaRetriable: boolean } & SteadfastErrorOptions) {
    super(message, { ...init, reason: init.reason ?? init.errorName })
    this.errorCode = init.errorCode
    this.errorName = init.errorName
    this.kafkaRetriable = init.kafkaRetriable
  }
}

/** A connection-level failure (reset, refused, EOF, socket timeout, TLS). */
export class TransportError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_TRANSPORT'
  /** The system error code when there is one (ECONNRESET, EPIPE, ...), or EOF / TIMEOUT / TLS. */
  readonly systemCode: string
  constructor (message: string, systemCode: string, options: Omit<SteadfastErrorOptions, 'reason'> = {}) {
    super(message, { action: 'reconnect', ...options, reason: systemCode.toLowerCase() })
    this.systemCode = systemCode
  }
}

/** An HTTP response that is not a success, from Kafka Connect, Cruise Control or another REST server. */
export class HttpResponseError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_HTTP'
  readonly status: number
  readonly method: string
  readonly url: string
  /** The message the server gave, when it gave one. */
  readonly serverMessage: string | undefined
  readonly body: unknown

  constructor (message: string, init: { status: number, method: string, url: string, serverMessage?: string, body?: unknown } & SteadfastErrorOptions) {
    super(message, init)
    this.status = init.status
    this.method = init.method
    this.url = init.url
    this.serverMessage = init.serverMessage === undefined ? undefined : redact(init.serverMessage)
    this.body = redactDeep(init.body)
  }
}

/**
 * How an HTTP error answer reads in a message: `answered 404: <the server's first line>`, or for a
 * redirect, which steadfast never follows, where it points; never an empty `answered 307:`.
 */
export function describeHttpAnswer (status: number, serverMessage: string | undefined, location?: string): string {
  const said = serverMessage?.trim().split('\n')[0]?.trim() ?? ''
  if (status >= 300 && status < 400) {
    const where = location === undefined || location === '' ? 'no Location given' : `to ${location}`
    return `answered ${status} (a redirect, ${where}; redirects are not followed: use the URL it points to)${said === '' ? '' : `: ${said}`}`
  }
  return `answered ${status}${said === '' ? ' (no message)' : `: ${said}`}`
}

/** Bytes that cannot be a valid message: truncated, oversized, wrong CRC, unknown version. */
export class ProtocolDecodeError extends SteadfastError {
  override readonly code: string = 'STEADFAST_ERR_PROTOCOL'
  constructor (message: string, options: Omit<SteadfastErrorOptions, 'action'> = {}) {
    super(message, { ...options, action: 'fatal', reason: options.reason ?? 'protocol' })
  }
}

/** A record batch whose CRC32C does not match its contents. */
export class CorruptRecordError extends ProtocolDecodeError {
  override readonly code = 'STEADFAST_ERR_CORRUPT_RECORD'
  constructor (message: string, options: Omit<SteadfastErrorOptions, 'action'> = {}) {
    super(message, { ...options, reason: options.reason ?? 'corrupt-record' })
  }
}

/** The caller's deadline passed. `cause` holds the last failure seen, if any. */
export class DeadlineExceededError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_DEADLINE'
  readonly attempts: number
  readonly elapsedMs: number
  constructor (message: string, init: { attempts: number, elapsedMs: number, cause?: unknown }) {
    super(message, { action: 'fatal', reason: 'deadline', cause: init.cause })
    this.attempts = init.attempts
    this.elapsedMs = init.elapsedMs
  }
}

/** Every attempt allowed by the policy failed. `cause` holds the last failure. */
export class RetriesExhaustedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_RETRIES_EXHAUSTED'
  readonly attempts: number
  readonly elapsedMs: number
  constructor (message: string, init: { attempts: number, elapsedMs: number, cause?: unknown }) {
    super(message, { action: 'fatal', reason: 'retries-exhausted', cause: init.cause })
    this.attempts = init.attempts
    this.elapsedMs = init.elapsedMs
  }
}

/** The caller aborted. `cause` holds the abort reason. */
export class AbortedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_ABORTED'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { action: 'fatal', reason: 'aborted', cause: options.cause })
  }
}

/** A bulkhead's queue is full: the server's capacity is taken by our own requests. Retriable. */
export class CapacityError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_CAPACITY'
  constructor (message: string, options: Omit<SteadfastErrorOptions, 'action'> = {}) {
    super(message, { ...options, action: 'retry', reason: options.reason ?? 'capacity' })
  }
}
