/**
 * HTTP to a Connect worker group: one undici Pool per worker URL, basic auth, TLS and custom
 * headers; every request runs inside the project's retry loop and is classified by
 * `classifyConnectResponse`. When several workers are configured, a worker that does not answer
 * is skipped within the same attempt: always for idempotent requests, and for the others only
 * when the connection was refused, i.e. the request provably never reached the worker.
 */
import { Pool } from 'undici'
import type { Logger } from '../observability/logger.ts'
import { registerBasicAuth, registerSecret } from '../observability/redact.ts'
import { rootLogger } from '../observability/logger.ts'
import { resolveBackoff, type BackoffPolicy } from '../resilience/backoff.ts'
import { classify, classifyConnectResponse, isIdempotent, parseRetryAfter, type Classification } from '../resilience/classify.ts'
import type { Clock } from '../resilience/clock.ts'
import { describeHttpAnswer, HttpResponseError, TransportError } from '../resilience/errors.ts'
import { retry, type RetryContext } from '../resilience/retry.ts'
import { toRequestError } from '../resilience/transport-error.ts'
import { checkConnectClientOptions, CONNECT_DEFAULT_POLICY, type ConnectClientOptions } from './options.ts'

export interface RequestSpec {
  /** Metrics and log label: the client method (createConnector, getConnectorStatus, ...). */
  operation: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path below the worker's base URL, query included. */
  path: string
  body?: unknown
  /** Statuses answered as success besides 2xx (the health endpoint's 500 and 503). */
  accept?: number[]
  signal?: AbortSignal
}

export interface ConnectResponse { status: number, body: unknown }

interface Worker {
  url: string
  pool: Pool
  basePath: string
  authorization: string | undefined
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** Extra headers whose values are credentials: redacted from everything we print. */
const CREDENTIAL_HEADER = /auth|token|key|secret|cookie|session/i

export function isCredentialHeader (name: string): boolean {
  return CREDENTIAL_HEADER.test(name)
}

export class ConnectTransport {
  readonly policy: BackoffPolicy
  #workers: Worker[]
  #preferred = 0
  #headers: Record<string, string>
  #requestTimeoutMs: number
  #logger: Logger
  #baseLogger: Logger
  #clock: Clock | undefined
  #random: (() => number) | undefined

  constructor (options: ConnectClientOptions) {
    checkConnectClientOptions(options)
    this.policy = resolveBackoff({ ...CONNECT_DEFAULT_POLICY, ...options.policy })
    const urls = Array.isArray(options.urls) ? options.urls : [options.urls]
    const defaultAuth = options.auth === undefined ? undefined : basic(options.auth.username, options.auth.password)
    this.#workers = urls.map((text) => {
      const u = new URL(text)
      const authorization = u.username === '' ? defaultAuth : basic(decodeURIComponent(u.username), decodeURIComponent(u.password))
      const pool = new Pool(u.origin, {
        connections: options.connectionsPerWorker ?? 4,
        ...(u.protocol === 'https:' && options.tls !== undefined ? { connect: { ...options.tls } } : {}),
      })
      return { url: `${u.origin}${u.pathname.replace(/\/+$/, '')}`, pool, basePath: u.pathname.replace(/\/+$/, ''), authorization }
    })
    this.#headers = { accept: 'application/json', ...options.headers }
    for (const [name, value] of Object.entries(options.headers ?? {})) if (isCredentialHeader(name)) registerSecret(value)
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.#baseLogger = options.logger ?? rootLogger()
    this.#logger = this.#baseLogger.child({ component: 'connect' })
    this.#clock = options.clock
    this.#random = options.random
  }

  get urls (): string[] { return this.#workers.map((w) => w.url) }
  get logger (): Logger { return this.#logger }
  /** The logger as given, without this transport's `component` binding, for loggers that set their own. */
  get baseLogger (): Logger { return this.#baseLogger }

  /** Sends the request under the retry policy; resolves with the success response or throws the final failure. */
  request (spec: RequestSpec): Promise<ConnectResponse> {
    return retry((context) => this.#attempt(spec, context), {
      component: 'connect',
      operation: spec.operation,
      policy: this.policy,
      // The retry loop puts `component` on each line itself; the child's binding would repeat it.
      logger: this.#baseLogger,
      classify: (error) => classifyForMethod(error, spec.method),
      ...(spec.signal === undefined ? {} : { signal: spec.signal }),
      ...(this.#clock === undefined ? {} : { clock: this.#clock }),
      ...(this.#random === undefined ? {} : { random: this.#random }),
    })
  }

  /** One attempt: the preferred worker first, then the others when it does not answer. */
  async #attempt (spec: RequestSpec, context: RetryContext): Promise<ConnectResponse> {
    let lastError: TransportError | undefined
    for (let i = 0; i < this.#workers.length; i++) {
      const index = (this.#preferred + i) % this.#workers.length
      const worker = this.#workers[index] as Worker
      try {
        const response = await this.#send(worker, spec, context.signal)
        this.#preferred = index
        return response
      } catch (error) {
        if (!(error instanceof TransportError) || !mayTryAnotherWorker(error, spec.method)) throw error
        lastError = error
        if (this.#workers.length > 1) {
          this.#logger.warn({ operation: spec.operation, worker: worker.url, reason: error.reason },
            `connect worker ${worker.url} did not answer ${spec.method} ${spec.path} (${error.systemCode}); trying the next worker`)
        }
      }
    }
    // The options schema guarantees at least one worker, so lastError is set here.
    throw lastError ?? new TransportError('Connect: no worker to send to', 'ECONNREFUSED')
  }

  async #send (worker: Worker, spec: RequestSpec, signal: AbortSignal): Promise<ConnectResponse> {
    const url = `${worker.url}${spec.path}`
    const headers: Record<string, string> = { ...this.#headers }
    if (worker.authorization !== undefined) headers.authorization = worker.authorization
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body)
    if (payload !== undefined) headers['content-type'] = 'application/json'
    let status: number
    let text: string
    let retryAfter: string | undefined
    let location: string | undefined
    try {
      const res = await worker.pool.request({
        path: `${worker.basePath}${spec.path}`,
        method: spec.method,
        headers,
        body: payload,
        signal,
        headersTimeout: this.#requestTimeoutMs,
        bodyTimeout: this.#requestTimeoutMs,
      })
      status = res.statusCode
      const header = res.headers['retry-after']
      retryAfter = Array.isArray(header) ? header[0] : header
      const redirect = res.headers.location
      location = Array.isArray(redirect) ? redirect[0] : redirect
      text = await res.body.text()
    } catch (error) {
      throw toRequestError(error, `Connect ${spec.method} ${url}`, signal)
    }
    const body = parseJson(text)
    if ((status >= 200 && status < 300) || spec.accept?.includes(status) === true) return { status, body }
    const serverMessage = errorMessage(body, text)
    const verdict = classifyConnectResponse({ method: spec.method, path: spec.path, status, message: serverMessage, retryAfterMs: parseRetryAfter(retryAfter) })
    throw new HttpResponseError(`Connect ${spec.method} ${url} ${describeHttpAnswer(status, serverMessage, location)}`, {
      status,
      method: spec.method,
      url,
      serverMessage: serverMessage === '' ? undefined : serverMessage,
      body,
      action: verdict.action,
      reason: verdict.reason,
      ...(verdict.retryAfterMs === undefined ? {} : { retryAfterMs: verdict.retryAfterMs }),
    })
  }

  async close (): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.pool.close()))
  }
}

function basic (username: string, password: string): string {
  registerBasicAuth(username, password)
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}

/** Connection refused means the request never left: any method may go to another worker. */
function mayTryAnotherWorker (error: TransportError, method: string): boolean {
  return error.systemCode === 'ECONNREFUSED' || (isIdempotent(method) && error.action === 'reconnect')
}

/**
 * The project classifier, except that a transport failure of a non-idempotent request is fatal
 * unless the connection was refused: the worker may have applied it, and sending it again could
 * apply it twice.
 */
export function classifyForMethod (error: unknown, method: string): Classification {
  if (error instanceof TransportError && error.action === 'reconnect' && !isIdempotent(method) && error.systemCode !== 'ECONNREFUSED') {
    return { action: 'fatal', reason: error.reason }
  }
  return classify(error)
}

function parseJson (text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function errorMessage (body: unknown, text: string): string {
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message
  }
  return text.trim().slice(0, 500)
}
