/**
 * The one place that decides what a failure means: any thrown value, a Kafka error code, a socket
 * error, or an HTTP response from Kafka Connect or Cruise Control becomes a recovery action and a
 * short reason (the metrics label). Pure functions, no I/O.
 */
import { SteadfastError, type RecoveryAction } from './errors.ts'
import { kafkaErrorInfo } from './kafka-errors.ts'

export interface Classification {
  action: RecoveryAction
  /** Short, stable, low-cardinality: used as the `reason` label of steadfast_retries_total. */
  reason: string
  /** A delay the server asked for, when it asked. */
  retryAfterMs?: number
}

/** Socket-level error codes that mean "this connection is gone; pick a live broker". */
const TRANSPORT_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND', 'EOF', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED',
  'ERR_STREAM_PREMATURE_CLOSE', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ECONNCLOSED',
  // undici's transport errors
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
])

/** TLS handshake and certificate problems are configuration errors, not transient. */
const TLS_FATAL = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT|ERR_SSL_)/

export function classifyKafkaErrorCode (code: number): Classification {
  const info = kafkaErrorInfo(code)
  return { action: info.action, reason: info.name }
}

/**
 * An HTTP parser error (llhttp's HPE_ codes, as undici reports them): the peer answered something
 * that is not HTTP/1.1, i.e. the URL names the wrong port or protocol. Asking again gets the same.
 */
const NOT_HTTP = /^HPE_/

/** Classifies a Node system error code (err.code), or undefined when it is not a transport error. */
export function classifySystemCode (code: string): Classification | undefined {
  if (TLS_FATAL.test(code) && code !== 'ERR_SSL_WRONG_VERSION_NUMBER') return { action: 'fatal', reason: 'tls' }
  if (NOT_HTTP.test(code)) return { action: 'fatal', reason: 'not-http' }
  if (TRANSPORT_CODES.has(code)) return { action: 'reconnect', reason: code.toLowerCase() }
  return undefined
}

/** Any thrown value → action and reason. Unknown errors are fatal: we never retry what we do not understand. */
export function classify (error: unknown): Classification {
  if (error instanceof SteadfastError) {
    return error.retryAfterMs === undefined
      ? { action: error.action, reason: error.reason }
      : { action: error.action, reason: error.reason, retryAfterMs: error.retryAfterMs }
  }
  if (error instanceof Error) {
    if (error.name === 'AbortError') return { action: 'fatal', reason: 'aborted' }
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') {
      const verdict = classifySystemCode(code)
      if (verdict !== undefined) return verdict
    }
    if (error.cause !== undefined && error.cause !== error) {
      const inner = classify(error.cause)
      if (inner.action !== 'fatal') return inner
    }
  }
  return { action: 'fatal', reason: 'unexpected' }
}

/** Reads a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter (value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export interface HttpFailure {
  method: string
  /** The request path (no host), e.g. /connectors/foo/config. */
  path: string
  status: number
  /** The server's message text, when the body had one. */
  message?: string
  retryAfterMs?: number
}

function withHint (c: Classification, retryAfterMs: number | undefined): Classification {
  return retryAfterMs === undefined ? c : { ...c, retryAfterMs }
}

const CONNECT_REBALANCE_409 = [
  'due to stale configuration',
  'due to no known leader URL',
  'because of a conflicting operation',
]

/** True for the restart endpoints, where a rebalance supersedes the request (see connect/). */
export function isConnectRestart (method: string, path: string): boolean {
  return method.toUpperCase() === 'POST' && /\/restart$/.test(path.split('?')[0] ?? '')
}

/**
 * Kafka Connect REST failures (see docs/resilience.md and the Connect reference):
 * - 409 with a rebalance message, and 500 "a rebalance is expected": transient (`retry`), reason
 *   `rebalance`; on a restart endpoint they mean "superseded" (reason `rebalance-restart`), which the
 *   Connect client reports instead of retrying.
 * - 409 "Connector x already exists" and every other 4xx: fatal.
 * - other 5xx (worker timeouts, ...) and 429: transient, but only safe for idempotent requests.
 */
export function classifyConnectResponse (failure: HttpFailure): Classification {
  const { status } = failure
  const message = failure.message ?? ''
  const method = failure.method.toUpperCase()
  const restart = isConnectRestart(method, failure.path)
  const rebalance = (status === 409 && CONNECT_REBALANCE_409.some((m) => message.includes(m))) ||
    (status === 500 && message.includes('a rebalance is expected'))
  if (rebalance) return restart ? { action: 'fatal', reason: 'rebalance-restart' } : withHint({ action: 'retry', reason: 'rebalance' }, failure.retryAfterMs)
  if (status === 409 && /already exists/.test(message)) return { action: 'fatal', reason: 'already-exists' }
  if (status === 429) return withHint({ action: 'retry', reason: 'throttled' }, failure.retryAfterMs)
  if (status >= 500 || status === 408) {
    return isIdempotent(method) ? withHint({ action: 'retry', reason: `http-${status}` }, failure.retryAfterMs) : { action: 'fatal', reason: `http-${status}` }
  }
  return { action: 'fatal', reason: `http-${status}` }
}

/** Methods that can be repeated without changing the outcome (RFC 9110), for transport and 5xx retries. */
export function isIdempotent (method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(method.toUpperCase())
}

const CC_CAPACITY = /There are already \d+ active user tasks, which has reached the servlet capacity/
const CC_NOT_ENOUGH_WINDOWS = /NotEnoughValidWindowsException/
const CC_UNKNOWN_TASK = /Unexpected header .*User-Task-ID/
const CC_UNKNOWN_BROKER = /IllegalArgumentException.*does not exist|does not exist\./
const CC_ONGOING_EXECUTION = /ongoing execution/i

/**
 * Cruise Control REST failures (see the Cruise Control reference):
 * - 500 "already N active user tasks": transient on every endpoint (`retry`, reason `user-task-capacity`);
 * - 500 NotEnoughValidWindowsException: the proposal is pending (`retry`, reason `not-enough-valid-windows`);
 * - 500 "Unexpected header … User-Task-ID": the task is gone; the caller must request again
 *   (`fatal` for the poll, reason `unknown-user-task`, handled by the client);
 * - 500 "Cannot start a new execution while there is an ongoing execution": not now, so transient
 *   (`retry`, reason `ongoing-execution`): another execution must finish first;
 * - 500 unknown broker ids, and 4xx: fatal;
 * - other 5xx: transient for idempotent requests only.
 */
export function classifyCruiseControlResponse (failure: HttpFailure): Classification {
  const message = failure.message ?? ''
  const { status } = failure
  if (status === 500 && CC_CAPACITY.test(message)) return withHint({ action: 'retry', reason: 'user-task-capacity' }, failure.retryAfterMs)
  if (status === 500 && CC_NOT_ENOUGH_WINDOWS.test(message)) return { action: 'retry', reason: 'not-enough-valid-windows' }
  if (status === 500 && CC_UNKNOWN_TASK.test(message)) return { action: 'fatal', reason: 'unknown-user-task' }
  if (status === 500 && CC_UNKNOWN_BROKER.test(message)) return { action: 'fatal', reason: 'unknown-broker' }
  if (status === 500 && CC_ONGOING_EXECUTION.test(message)) return { action: 'retry', reason: 'ongoing-execution' }
  if (status === 429) return withHint({ action: 'retry', reason: 'throttled' }, failure.retryAfterMs)
  if (status >= 500 || status === 408) {
    return isIdempotent(failure.method) ? withHint({ action: 'retry', reason: `http-${status}` }, failure.retryAfterMs) : { action: 'fatal', reason: `http-${status}` }
  }
  return { action: 'fatal', reason: `http-${status}` }
}
