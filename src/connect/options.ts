/**
 * Connect client options, validated with zod so a bad option is named with what is wrong
 * (`urls[1]: not a URL`) before any request is sent.
 */
import { z } from 'zod'
import type { Logger } from '../observability/logger.ts'
import type { BackoffPolicy } from '../resilience/backoff.ts'
import type { Clock } from '../resilience/clock.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { basicAuthSchema, headersSchema, httpUrlSchema, restTlsSchema, type BasicAuth, type RestTlsOptions } from '../rest/options.ts'

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

export const connectClientOptionsSchema = z.object({
  urls: z.union([httpUrlSchema, z.array(httpUrlSchema).min(1, 'must list at least one worker URL')]),
  tls: restTlsSchema.optional(),
  auth: basicAuthSchema.optional(),
  headers: headersSchema.optional(),
  requestTimeoutMs: z.number().positive().finite().optional(),
  connectionsPerWorker: z.number().int().positive().optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
  logger: z.unknown().optional(),
  clock: z.unknown().optional(),
  random: z.unknown().optional(),
}).strict()

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
  /** Retry policy; defaults to CONNECT_DEFAULT_POLICY. */
  policy?: Partial<BackoffPolicy>
  logger?: Logger
  clock?: Clock
  random?: () => number
}

/** Validates options, throwing InvalidArgumentError that names each bad field. */
export function checkConnectClientOptions (options: ConnectClientOptions): void {
  const result = connectClientOptionsSchema.safeParse(options)
  if (result.success) return
  const problems = result.error.issues.map((i) => `${i.path.length === 0 ? '(options)' : i.path.join('.')}: ${i.message}`)
  throw new InvalidArgumentError(`connect client options: ${problems.join('; ')}`)
}
