/**
 * Connect client options, validated with the shared zod parser so a bad option is named with its
 * value and rule (`connect client option urls.1 must be an http:// or https:// URL, got "ftp://x"`)
 * before any request is sent.
 */
import { z } from 'zod'
import type { Logger } from '../observability/logger.ts'
import type { BackoffPolicy } from '../resilience/backoff.ts'
import type { Clock } from '../resilience/clock.ts'
import type { Registry } from '../observability/metrics.ts'
import { boolean, func, integer, logger, nonEmptyString, options, parseOptions, refuse, registry, retryOption, satisfying } from '../resilience/options.ts'
import { basicAuthSchema, headersSchema, httpUrlSchema, restTlsSchema, type BasicAuth, type RestTlsOptions } from '../rest/options.ts'

const WHAT = 'connect client'

/**
 * Connect's default policy: retries bounded by 30 attempts and by 60 s in total, the default
 * `rebalance.timeout.ms`, so a rebalance that lasts as long as the group allows is ridden out
 * and one that does not end surfaces with its last cause.
 */
export const CONNECT_DEFAULT_POLICY: Readonly<Partial<BackoffPolicy>> = Object.freeze({
  initialDelayMs: 200,
  multiplier: 2,
  maxDelayMs: 5_000,
  maxAttempts: 30,
  deadlineMs: 60_000,
  jitter: 'equal',
})

export const connectClientOptionsSchema = options({
  urls: z.preprocess((v) => typeof v === 'string' ? [v] : v, z.array(httpUrlSchema, { error: 'a URL or a list of URLs' }).min(1, 'a list of at least one worker URL')),
  tls: restTlsSchema,
  auth: basicAuthSchema,
  headers: headersSchema,
  requestTimeoutMs: integer(1),
  connectionsPerWorker: integer(1),
  discoverWorkers: boolean(),
  rebalanceProbeMs: z.union([integer(1), z.literal(false)], { error: 'an integer >= 1 (ms) or false' }),
  retry: retryOption(),
  policy: retryOption(),
  logger: logger(),
  clock: satisfying((v) => typeof (v as Partial<Clock> | undefined)?.now === 'function', 'a Clock'),
  random: func(),
  registry: registry(),
  clientId: nonEmptyString(),
})

export type ConnectTlsOptions = RestTlsOptions

export interface ConnectClientOptions {
  /** One worker URL or several; a worker that does not answer is skipped. Userinfo in a URL is used as basic auth. */
  urls: string | string[]
  tls?: ConnectTlsOptions
  auth?: BasicAuth
  /** Sent with every request (e.g. an API gateway token). */
  headers?: Record<string, string>
  /** Bound on one request's wait for headers and for body data (default 30 s). */
  requestTimeoutMs?: number
  /** Keep-alive connections per worker (default 4). */
  connectionsPerWorker?: number
  /**
   * Learn the group's workers from each full status read (their `worker_id`) and try them after
   * the configured URLs (default false; worker-discovery.ts says why it is off by default).
   */
  discoverWorkers?: boolean
  /**
   * While the worker group answers the client's writes with rebalance 409s, one write at a time
   * probes it, at most one per this many ms, and the others wait for the first success
   * (rebalance-gate.ts). Default: the retry policy's initialDelayMs (200 ms); false: every write
   * retries on its own backoff.
   */
  rebalanceProbeMs?: number | false
  /** Retry policy; fields not given come from CONNECT_DEFAULT_POLICY. */
  retry?: Partial<BackoffPolicy>
  /** @deprecated The older name of `retry`. */
  policy?: Partial<BackoffPolicy>
  logger?: Logger
  /** Where the client's metrics go (default: the shared registry). */
  registry?: Registry
  /** The client_id label of its metrics (default steadfast-connect). */
  clientId?: string
  clock?: Clock
  random?: () => number
}

/** Validates options, throwing InvalidArgumentError that names each bad field. */
export function checkConnectClientOptions (options: ConnectClientOptions): void {
  parseOptions(WHAT, connectClientOptionsSchema, options)
  if (options.retry !== undefined && options.policy !== undefined) refuse(WHAT, 'policy', options.policy, 'left out when retry is given (it is the older name of retry)')
}

/** The retry policy the options ask for, over Connect's defaults. */
export function connectRetryPolicy (options: ConnectClientOptions): Partial<BackoffPolicy> {
  return { ...CONNECT_DEFAULT_POLICY, ...(options.retry ?? options.policy) }
}
