/**
 * The one HTTP transport of the REST clients (Kafka Connect, Cruise Control), on undici: one
 * keep-alive Pool per base URL, TLS for https URLs, basic auth (per URL from its userinfo, or
 * one for all), extra headers, JSON bodies read up to a size bound, errors that name the request
 * and quote the server, a duration histogram per request. Every request runs inside the project's
 * retry loop, classified by the service's fault policy; within one attempt, a base URL that does
 * not answer is skipped when the policy allows it (see RestFaultPolicy.failOver).
 */
import { Pool } from 'undici'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { defineHistogram, sharedMetrics, type Metrics } from '../observability/metrics.ts'
import { traceRequest } from '../observability/tracing.ts'
import { registerBasicAuth, registerSecret } from '../observability/redact.ts'
import { resolveBackoff, type BackoffPolicy } from '../resilience/backoff.ts'
import { parseRetryAfter } from '../resilience/classify.ts'
import type { Clock } from '../resilience/clock.ts'
import { describeHttpAnswer, HttpResponseError, SteadfastError, TransportError } from '../resilience/errors.ts'
import { retry, type RetryContext } from '../resilience/retry.ts'
import { toRequestError } from '../resilience/transport-error.ts'
import { DEFAULT_MAX_BODY_BYTES, parseBody, readBody } from './body.ts'
import type { RestFaultPolicy } from './faults.ts'
import { isCredentialHeader, type BasicAuth, type RestTlsOptions } from './options.ts'
import type { RestRequest, RestResponse } from './request.ts'

export interface RestTransportOptions<C> {
  /** Metrics, log and retry label of the service: connect, cruise-control. */
  component: string
  /** How error messages name the service: Connect, cruise-control. */
  name: string
  /** What one base URL is called in logs: worker, server. */
  peer: string
  /** Base URLs (http or https, path prefix kept); userinfo in one is that URL's basic auth. */
  urls: readonly string[]
  tls?: RestTlsOptions
  auth?: BasicAuth
  /** Sent with every request. */
  headers?: Record<string, string>
  /** Bound on one request's wait for headers and for body data. */
  requestTimeoutMs: number
  /** Keep-alive connections per base URL (default: as many as requests need). */
  connectionsPerUrl?: number
  /** Largest body read from an answer (default 100 MiB). */
  maxBodyBytes?: number
  policy: Partial<BackoffPolicy>
  faults: RestFaultPolicy<C>
  /** The server's message in an error answer's body (its JSON field, or the text). */
  serverMessage: (body: unknown, text: string) => string | undefined
  /** Statuses that are a success (default: every 2xx). */
  success?: (status: number) => boolean
  /** Runs each attempt of `request`, e.g. inside the server's concurrency limiter or the Connect rebalance gate. */
  admit?: <T>(attempt: () => Promise<T>, signal: AbortSignal, request: RestRequest<C>) => Promise<T>
  /** Told the status of every exchange (0 when no answer came). */
  onExchange?: (request: RestRequest<C>, status: number) => void
  logger?: Logger
  /** The client's registry and client_id (default: the shared registry). */
  metrics?: Metrics
  clock?: Clock
  random?: () => number
}

interface Target {
  /** origin + path prefix, for messages and as the base of request URLs. */
  url: string
  pool: Pool
  basePath: string
  authorization: string | undefined
}

const REQUEST_DURATION = defineHistogram('steadfast_rest_request_duration_seconds',
  'HTTP exchanges of the REST clients, from sending to the whole body read, by service, operation and status (0 when no answer came).',
  ['component', 'operation', 'status'] as const, [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])

const is2xx = (status: number): boolean => status >= 200 && status < 300

export class RestTransport<C = undefined> {
  readonly policy: BackoffPolicy
  readonly #options: RestTransportOptions<C>
  readonly #targets: Target[]
  /** Base URLs learned at run time (setLearnedUrls), tried after the configured ones. */
  #learned: Target[] = []
  #preferred: Target
  #closing: Promise<void> | undefined
  readonly #defaultAuth: string | undefined
  readonly #headers: Record<string, string>
  readonly #maxBodyBytes: number
  readonly #success: (status: number) => boolean
  readonly #baseLogger: Logger
  readonly #logger: Logger
  readonly #metrics: Metrics

  constructor (options: RestTransportOptions<C>) {
    this.#options = options
    this.policy = resolveBackoff(options.policy)
    this.#defaultAuth = options.auth === undefined ? undefined : basic(options.auth.username, options.auth.password)
    this.#targets = options.urls.map((text) => this.#target(text))
    this.#preferred = this.#targets[0] as Target
    this.#headers = { accept: 'application/json', ...options.headers }
    for (const [name, value] of Object.entries(options.headers ?? {})) if (isCredentialHeader(name)) registerSecret(value)
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    this.#success = options.success ?? is2xx
    this.#baseLogger = options.logger ?? rootLogger()
    this.#logger = this.#baseLogger.child({ component: options.component })
    this.#metrics = options.metrics ?? sharedMetrics
  }

  /** The base URLs, without userinfo: the configured ones, then the learned ones. */
  get urls (): string[] { return this.#all().map((t) => t.url) }

  /** The configured base URLs, without userinfo. */
  get configuredUrls (): string[] { return this.#targets.map((t) => t.url) }

  /**
   * Replaces the base URLs learned at run time (e.g. Connect workers named in statuses). They are
   * tried after the configured ones, with the TLS options and the default basic auth; a URL that
   * is configured already is left out, and the pools of URLs no longer listed are closed.
   */
  setLearnedUrls (urls: readonly string[]): void {
    const taken = new Set(this.#targets.map((t) => t.url))
    const old = new Map(this.#learned.map((t) => [t.url, t]))
    const next: Target[] = []
    for (const text of urls) {
      const url = baseUrl(new URL(text))
      if (taken.has(url)) continue
      taken.add(url)
      next.push(old.get(url) ?? this.#target(text))
      old.delete(url)
    }
    for (const gone of old.values()) {
      gone.pool.close().catch((error: unknown) => this.#logger.debug({ url: gone.url, err: (error as Error).message }, 'closing the pool of a URL no longer learned failed'))
    }
    this.#learned = next
    if (!this.#all().includes(this.#preferred)) this.#preferred = this.#targets[0] as Target
  }

  #all (): Target[] { return [...this.#targets, ...this.#learned] }

  #target (text: string): Target {
    const u = new URL(text)
    const basePath = basePathOf(u)
    const authorization = u.username === '' ? this.#defaultAuth : basic(decodeURIComponent(u.username), decodeURIComponent(u.password))
    const pool = new Pool(u.origin, {
      ...(this.#options.connectionsPerUrl === undefined ? {} : { connections: this.#options.connectionsPerUrl }),
      ...(u.protocol === 'https:' && this.#options.tls !== undefined ? { connect: { ...this.#options.tls } } : {}),
    })
    return { url: baseUrl(u), pool, basePath, authorization }
  }

  get logger (): Logger { return this.#logger }
  /** The logger as given, without this transport's `component` binding, for loggers that set their own. */
  get baseLogger (): Logger { return this.#baseLogger }

  /** Sends the request under the retry policy; resolves with the success response or throws the final failure. */
  request (request: RestRequest<C>): Promise<RestResponse> {
    const { component, faults, clock, random, admit } = this.#options
    // Checked at every attempt: a request in flight when the client closes ends at its next attempt
    // instead of retrying against destroyed pools until its deadline.
    const attempt = async (context: RetryContext): Promise<RestResponse> => {
      if (this.#closing !== undefined) throw new ClientClosedError(`${this.#options.name} ${request.method} ${request.path}: the client is closed`)
      return admit === undefined
        ? await this.#attempt(request, context)
        : await admit(async () => await this.#attempt(request, context), context.signal, request)
    }
    return retry(attempt, {
      component,
      operation: request.operation,
      policy: this.policy,
      // The retry loop puts `component` on each line itself; the child's binding would repeat it.
      logger: this.#baseLogger,
      metrics: this.#metrics,
      classify: (error) => faults.attempt(error, request),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(clock === undefined ? {} : { clock }),
      ...(random === undefined ? {} : { random }),
    })
  }

  /** One attempt: the URL that answered last first, then the others when the policy allows. */
  async #attempt (request: RestRequest<C>, context: RetryContext): Promise<RestResponse> {
    let lastError: TransportError | undefined
    const targets = this.#all()
    const first = Math.max(0, targets.indexOf(this.#preferred))
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(first + i) % targets.length] as Target
      try {
        const response = await traceRequest(
          () => ({ system: this.#options.component, operation: request.operation, method: request.method, target: target.url, clientId: this.#metrics.clientId }),
          async () => await this.#send(target, request, context.signal))
        this.#preferred = target
        return response
      } catch (error) {
        if (!(error instanceof TransportError) || !this.#options.faults.failOver(error, request)) throw error
        lastError = error
        if (targets.length > 1) {
          const { component, peer } = this.#options
          this.#logger.warn({ operation: request.operation, [peer]: target.url, reason: error.reason },
            `${component} ${peer} ${target.url} did not answer ${request.method} ${request.path} (${error.systemCode}); trying the next ${peer}`)
        }
      }
    }
    // Every client passes at least one URL, so lastError is set here.
    throw lastError ?? new TransportError(`${this.#options.name}: no URL to send to`, 'ECONNREFUSED')
  }

  async #send (target: Target, request: RestRequest<C>, signal: AbortSignal): Promise<RestResponse> {
    const { name, requestTimeoutMs, faults, component, onExchange } = this.#options
    const url = `${target.url}${request.path}`
    const what = `${name} ${request.method} ${url}`
    const headers: Record<string, string> = { ...this.#headers, ...request.headers }
    if (target.authorization !== undefined) headers.authorization = target.authorization
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body)
    if (payload !== undefined) headers['content-type'] = 'application/json'
    const startedAt = performance.now()
    let status = 0
    let responseHeaders: Record<string, string | string[] | undefined>
    let text: string
    try {
      const res = await target.pool.request({
        path: `${target.basePath}${request.path}`,
        method: request.method,
        headers,
        body: payload,
        signal,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
      })
      responseHeaders = res.headers
      text = await readBody(res.body, this.#maxBodyBytes, what)
      // Counted as answered once the whole body is in; a body cut off counts as no answer.
      status = res.statusCode
    } catch (error) {
      throw error instanceof SteadfastError ? error : toRequestError(error, what, signal)
    } finally {
      this.#metrics.histogram(REQUEST_DURATION).observe({ component, operation: request.operation, status: String(status) }, (performance.now() - startedAt) / 1000)
      onExchange?.(request, status)
    }
    const header = (key: string): string | undefined => first(responseHeaders[key.toLowerCase()])
    const body = parseBody(text)
    if (this.#success(status) || request.accept?.includes(status) === true) return { status, body, header }
    const serverMessage = this.#options.serverMessage(body, text)
    const verdict = faults.answer({ method: request.method, path: request.path, status, message: serverMessage, retryAfterMs: parseRetryAfter(header('retry-after')) })
    throw new HttpResponseError(`${what} ${describeHttpAnswer(status, serverMessage, header('location'))}`, {
      status,
      method: request.method,
      url,
      serverMessage: serverMessage === '' ? undefined : serverMessage,
      body,
      action: verdict.action,
      reason: verdict.reason,
      ...(verdict.retryAfterMs === undefined ? {} : { retryAfterMs: verdict.retryAfterMs }),
    })
  }

  /** Closes every pool; once closed, requests fail at once with ClientClosedError. A second call waits for the first. */
  async close (): Promise<void> {
    this.#closing ??= Promise.all(this.#all().map(async (t) => { await t.pool.close() })).then(() => {})
    await this.#closing
  }
}

/** A request to a client that was closed: fatal, nothing is sent. */
export class ClientClosedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_CLIENT_CLOSED'
  constructor (message: string) {
    super(message, { action: 'fatal', reason: 'client-closed' })
  }
}

function basePathOf (u: URL): string {
  return u.pathname.replace(/\/+$/, '')
}

/** origin + path prefix: how a base URL is named and compared. */
function baseUrl (u: URL): string {
  return `${u.origin}${basePathOf(u)}`
}

function basic (username: string, password: string): string {
  registerBasicAuth(username, password)
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}

function first (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
