/**
 * HTTP to a Connect worker group: the shared REST transport (src/rest/) with Connect's options,
 * its fault policy (faults.ts) and its error body (`{ error_code, message }`). When several workers
 * are configured, a worker that does not answer is skipped within the same attempt: always for
 * idempotent requests, and for the others only when the connection was refused, i.e. the request
 * provably never reached the worker. Writes that can meet a rebalance answer go through the
 * client's rebalance gate (rebalance-gate.ts).
 */
import { RestTransport, type RestTransportOptions } from '../rest/transport.ts'
import type { RestRequest, RestResponse } from '../rest/request.ts'
import { Metrics } from '../observability/metrics.ts'
import { resolveBackoff } from '../resilience/backoff.ts'
import { systemClock } from '../resilience/clock.ts'
import { canMeetRebalance, connectFaults } from './faults.ts'
import { RebalanceGate } from './rebalance-gate.ts'
import { checkConnectClientOptions, connectRetryPolicy, type ConnectClientOptions } from './options.ts'

export type RequestSpec = RestRequest
export type ConnectResponse = RestResponse

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

export class ConnectTransport extends RestTransport {
  constructor (options: ConnectClientOptions) {
    super(transportOptions(options))
  }
}

function transportOptions (options: ConnectClientOptions): RestTransportOptions<undefined> {
  checkConnectClientOptions(options)
  const policy = connectRetryPolicy(options)
  const probeMs = options.rebalanceProbeMs ?? resolveBackoff(policy).initialDelayMs
  const gate = probeMs === false ? undefined : new RebalanceGate(Math.max(1, probeMs), options.clock ?? systemClock)
  return {
    component: 'connect',
    name: 'Connect',
    peer: 'worker',
    urls: Array.isArray(options.urls) ? options.urls : [options.urls],
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    connectionsPerUrl: options.connectionsPerWorker ?? 4,
    policy,
    faults: connectFaults,
    ...(gate === undefined
      ? {}
      : { admit: async (attempt, signal, request) => canMeetRebalance(request.method, request.path) ? await gate.admit(attempt, signal) : await attempt() }),
    serverMessage: errorMessage,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    metrics: new Metrics({ registry: options.registry, clientId: options.clientId ?? 'steadfast-connect' }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.random === undefined ? {} : { random: options.random }),
  }
}

/** A worker's error body is `{ error_code, message }`; anything else (a proxy's page) is quoted. */
function errorMessage (body: unknown, text: string): string {
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message
  }
  return text.trim().slice(0, 500)
}
