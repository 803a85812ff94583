/**
 * What the REST transport needs to know from a service's fault policy, and the HTTP rules every
 * REST service shares (RFC 9110 idempotence, 429, 408 and 5xx). A service's own rules (Connect's
 * rebalance messages, Cruise Control's capacity 500) live in that service's faults.ts, which
 * builds a RestFaultPolicy on top of these.
 */
import type { Classification } from '../resilience/classify.ts'
import type { TransportError } from '../resilience/errors.ts'
import type { RestRequest } from './request.ts'

export interface HttpFailure {
  method: string
  /** The request path (no host), e.g. /connectors/foo/config. */
  path: string
  status: number
  /** The server's message text, when the body had one. */
  message?: string
  retryAfterMs?: number
}

export interface RestFaultPolicy<C = undefined> {
  /** What an answer that is not a success means. */
  answer: (failure: HttpFailure) => Classification
  /** What a failed attempt means for this request: the retry loop's classifier. */
  attempt: (error: unknown, request: RestRequest<C>) => Classification
  /** Whether, within one attempt, a transport failure may be sent on to the next base URL. */
  failOver: (error: TransportError, request: RestRequest<C>) => boolean
}

/** Methods that can be repeated without changing the outcome (RFC 9110), for transport and 5xx retries. */
export function isIdempotent (method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(method.toUpperCase())
}

export function withHint (c: Classification, retryAfterMs: number | undefined): Classification {
  return retryAfterMs === undefined ? c : { ...c, retryAfterMs }
}

/**
 * The rules for an answer no service rule claimed: 429 is throttling (retried), 408 and 5xx are
 * retried only for idempotent methods (the server may have acted), every other status is fatal.
 */
export function classifyHttpStatus (failure: HttpFailure): Classification {
  const { status } = failure
  if (status === 429) return withHint({ action: 'retry', reason: 'throttled' }, failure.retryAfterMs)
  if (status >= 500 || status === 408) {
    return isIdempotent(failure.method) ? withHint({ action: 'retry', reason: `http-${status}` }, failure.retryAfterMs) : { action: 'fatal', reason: `http-${status}` }
  }
  return { action: 'fatal', reason: `http-${status}` }
}

/**
 * A transport failure may go to another base URL when the request provably never left (connection
 * refused), or, for an idempotent method, after any failure that a new connection may cure.
 */
export function mayFailOver (error: TransportError, method: string): boolean {
  return error.systemCode === 'ECONNREFUSED' || (isIdempotent(method) && error.action === 'reconnect')
}
