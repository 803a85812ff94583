/**
 * One HTTP exchange with Cruise Control (undici): builds the URL under /kafkacruisecontrol/, always
 * adds json=true, sends basic auth and the User-Task-ID header, and turns every failure into a
 * steadfast error whose action the classifier decided (HttpResponseError, TransportError). No
 * retries here: the client wraps each exchange in the bulkhead and the retry loop.
 */
import { Agent, request, type Dispatcher } from 'undici'
import { registerBasicAuth } from '../observability/redact.ts'
import { classifyCruiseControlResponse } from '../resilience/classify.ts'
import { describeHttpAnswer, HttpResponseError, InvalidArgumentError } from '../resilience/errors.ts'
import { toRequestError } from '../resilience/transport-error.ts'

export interface TlsOptions {
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer
  key?: string | Buffer
  /** Verify the server certificate (default true). */
  rejectUnauthorized?: boolean
  /** SNI and certificate host name, when it differs from the URL's host. */
  servername?: string
}

export interface BasicAuth {
  username: string
  password: string
}

export interface HttpOptions {
  /** Base URL of Cruise Control, e.g. http://cc:9090 (the /kafkacruisecontrol prefix is added when missing). */
  url: string
  auth?: BasicAuth
  tls?: TlsOptions
  /** Longest wait for one exchange; must exceed Cruise Control's webserver.request.maxBlockTimeMs (10 s). */
  requestTimeoutMs: number
  /** Sent as User-Agent; Cruise Control shows it as the task's ClientIdentity when no auth is used. */
  userAgent: string
}

export type Params = Record<string, string | number | boolean | undefined>

export interface Exchange {
  method: 'GET' | 'POST'
  endpoint: string
  params: Params
  userTaskId?: string
  signal?: AbortSignal
}

export interface RawResponse {
  status: number
  /** The User-Task-ID header Cruise Control put on the response. */
  userTaskId: string | undefined
  body: unknown
}

/** Normalises a base URL to its /kafkacruisecontrol root, without a trailing slash. */
export function normaliseBaseUrl (url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (error) {
    throw new InvalidArgumentError(`cruise-control url: "${url}" is not a URL`, { cause: error })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidArgumentError(`cruise-control url: "${url}" must use http or https`)
  }
  const path = parsed.pathname.replace(/\/+$/, '')
  const root = path.endsWith('/kafkacruisecontrol') ? path : `${path}/kafkacruisecontrol`
  return `${parsed.origin}${root}`
}

/** The query string for an exchange; json=true always, undefined values left out, in a stable order. */
export function queryString (params: Params): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && key !== 'json') search.set(key, String(value))
  }
  search.set('json', 'true')
  return search.toString()
}

/** The text a Cruise Control error body carries: errorMessage for JSON bodies, the text itself otherwise. */
export function errorText (body: unknown): string | undefined {
  if (typeof body === 'string') return body
  if (body !== null && typeof body === 'object') {
    const message = (body as { errorMessage?: unknown, message?: unknown }).errorMessage ?? (body as { message?: unknown }).message
    if (typeof message === 'string') return message
  }
  return undefined
}

export class CruiseControlHttp {
  readonly baseUrl: string
  readonly #options: HttpOptions
  readonly #dispatcher: Dispatcher

  constructor (options: HttpOptions) {
    this.baseUrl = normaliseBaseUrl(options.url)
    this.#options = options
    if (options.auth !== undefined) registerBasicAuth(options.auth.username, options.auth.password)
    this.#dispatcher = new Agent({
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connect: options.tls === undefined ? {} : { ...options.tls },
    })
  }

  async exchange (ex: Exchange): Promise<RawResponse> {
    const url = `${this.baseUrl}/${ex.endpoint}?${queryString(ex.params)}`
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.#options.userAgent }
    if (ex.userTaskId !== undefined) headers['user-task-id'] = ex.userTaskId
    if (this.#options.auth !== undefined) {
      const { username, password } = this.#options.auth
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    let response: Dispatcher.ResponseData
    let text: string
    try {
      response = await request(url, { method: ex.method, headers, dispatcher: this.#dispatcher, signal: ex.signal })
      text = await response.body.text()
    } catch (error) {
      throw toRequestError(error, `cruise-control ${ex.method} ${this.baseUrl}/${ex.endpoint}`, ex.signal)
    }
    const header = response.headers['user-task-id']
    const userTaskId = Array.isArray(header) ? header[0] : header
    const body = parseBody(text)
    if (response.statusCode === 200 || response.statusCode === 202) return { status: response.statusCode, userTaskId, body }
    const serverMessage = errorText(body)
    const path = `/kafkacruisecontrol/${ex.endpoint}`
    const verdict = classifyCruiseControlResponse({ method: ex.method, path, status: response.statusCode, message: serverMessage })
    const redirect = response.headers.location
    const answer = describeHttpAnswer(response.statusCode, serverMessage, Array.isArray(redirect) ? redirect[0] : redirect)
    return Promise.reject(new HttpResponseError(`cruise-control ${ex.method} ${ex.endpoint} ${answer}`, {
      status: response.statusCode,
      method: ex.method,
      url,
      serverMessage,
      body,
      action: verdict.action,
      reason: verdict.reason,
    }))
  }

  async close (): Promise<void> {
    await this.#dispatcher.close()
  }
}

function parseBody (text: string): unknown {
  const trimmed = text.trim()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed)
    } catch {
      return text
    }
  }
  return text
}
