/**
 * The classification mechanism: any thrown value, a Kafka error code or a socket error becomes a
 * recovery action and a short reason (the metrics label). Steadfast errors carry the action their
 * client's fault policy gave them (each client's faults.ts; the REST services' HTTP answers are
 * classified there), so `classify` reads it back. Pure functions, no I/O.
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
