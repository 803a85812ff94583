/**
 * The Kafka Connect client's fault policy, in one place: what each answer of a worker means, for
 * which methods, and what the client and reconciler make of it (see docs/connect.md, "What is
 * retried", and the Connect reference).
 *
 * - 409 with a rebalance message, 500 "a rebalance is expected", and 500 "IO Error trying to
 *   forward REST request: java.net.ConnectException" (the worker could not even connect to the
 *   group's leader, which has just left: nothing was applied, and the group is about to rebalance):
 *   transient (`retry`), reason `rebalance`; on a restart endpoint they mean "superseded" (reason `rebalance-restart`): the
 *   rebalance restarts every connector and task anyway, so the client reports it instead of retrying.
 * - 404 for the `/connectors` collection itself, which every serving worker has: the worker's HTTP
 *   server is up but Connect's resources are not (a worker starting, or stopping during a worker
 *   group change — seen on the real rig); nothing reached Connect, so it is transient for every
 *   method, reason `worker-not-serving`. A 404 for a connector is an answer (fatal).
 * - 409 "Connector x already exists" and every other 4xx: fatal.
 * - other 5xx, 408 and 429: the shared HTTP rules (transient, 5xx and 408 for idempotent methods only).
 * - a transport failure of a non-idempotent request is fatal unless the connection was refused:
 *   the worker may have applied it, and sending it again could apply it twice.
 */
import { classify, type Classification } from '../resilience/classify.ts'
import { HttpResponseError, TransportError } from '../resilience/errors.ts'
import { classifyHttpStatus, isIdempotent, mayFailOver, withHint, type HttpFailure, type RestFaultPolicy } from '../rest/faults.ts'

const REBALANCE_409 = [
  'due to stale configuration',
  'due to no known leader URL',
  'because of a conflicting operation',
]

/** True for the restart endpoints, where a rebalance supersedes the request. */
export function isConnectRestart (method: string, path: string): boolean {
  return method.toUpperCase() === 'POST' && /\/restart$/.test(path.split('?')[0] ?? '')
}

/**
 * True for the requests a worker can answer with a rebalance 409: creating, reconfiguring,
 * deleting and stopping a connector, restarts, and changing offsets (the Connect reference).
 * Pause and resume write their target state directly and never meet one; reads never do.
 */
export function canMeetRebalance (method: string, path: string): boolean {
  const seg = (path.split('?')[0] ?? '').split('/').filter((s) => s !== '')
  if (seg[0] !== 'connectors') return false
  const m = method.toUpperCase()
  const n = seg.length
  return (m === 'POST' && n === 1) ||
    ((m === 'PUT' || m === 'PATCH') && n === 3 && seg[2] === 'config') ||
    (m === 'DELETE' && n === 2) ||
    (m === 'POST' && ((n === 3 && seg[2] === 'restart') || (n === 5 && seg[2] === 'tasks' && seg[4] === 'restart'))) ||
    (m === 'PUT' && n === 3 && seg[2] === 'stop') ||
    ((m === 'PATCH' || m === 'DELETE') && n === 3 && seg[2] === 'offsets')
}

/** What an error answer of a Connect worker means. */
export function classifyConnectResponse (failure: HttpFailure): Classification {
  const { status } = failure
  const message = failure.message ?? ''
  const rebalance = (status === 409 && REBALANCE_409.some((m) => message.includes(m))) ||
    (status === 500 && message.includes('a rebalance is expected')) ||
    (status === 500 && message.includes('IO Error trying to forward REST request') && message.includes('ConnectException'))
  if (rebalance) {
    return isConnectRestart(failure.method, failure.path) ? { action: 'fatal', reason: 'rebalance-restart' } : withHint({ action: 'retry', reason: 'rebalance' }, failure.retryAfterMs)
  }
  if (status === 404 && failure.path.split('?')[0] === '/connectors') return { action: 'retry', reason: 'worker-not-serving' }
  if (status === 409 && /already exists/.test(message)) return { action: 'fatal', reason: 'already-exists' }
  return classifyHttpStatus(failure)
}

/** The project classifier, except that a non-idempotent request is not re-sent after a transport failure that may have reached the worker. */
export function classifyForMethod (error: unknown, method: string): Classification {
  if (error instanceof TransportError && error.action === 'reconnect' && !isIdempotent(method) && error.systemCode !== 'ECONNREFUSED') {
    return { action: 'fatal', reason: error.reason }
  }
  return classify(error)
}

export const connectFaults: RestFaultPolicy = {
  answer: classifyConnectResponse,
  attempt: (error, request) => classifyForMethod(error, request.method),
  failOver: (error, request) => mayFailOver(error, request.method),
}

/** A restart that met a rebalance: reported as superseded, not thrown. */
export function isSupersededRestart (error: unknown): error is HttpResponseError {
  return error instanceof HttpResponseError && error.reason === 'rebalance-restart'
}

/**
 * A create the worker answered with a 4xx (an invalid config, ...) created nothing. "Already exists"
 * is the exception: it can be this reconciler's own earlier create, whose answer was lost, landing
 * late, so the reconciler keeps its pending mark and adopts the connector if it is there.
 */
export function isRefusedCreate (error: unknown): boolean {
  return error instanceof HttpResponseError && error.status >= 400 && error.status < 500 && error.reason !== 'already-exists'
}

/** "Already exists" on a create: with the reconciler's pending mark set, its own earlier attempt (a retried create whose first try reached the leader) landed; the next pass adopts it. */
export function isAlreadyExists (error: unknown): boolean {
  return error instanceof HttpResponseError && error.reason === 'already-exists'
}

/** A delete that found nothing to delete: the connector is gone, which is what was asked. */
export function isAlreadyGone (error: unknown): boolean {
  return error instanceof HttpResponseError && error.status === 404
}
