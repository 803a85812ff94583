/**
 * How Cruise Control requests and answers are shaped: every path lives under /kafkacruisecontrol/,
 * every query carries json=true, and an error body's text is its errorMessage. The exchange itself
 * goes through the shared REST transport (src/rest/), driven by client.ts.
 */
import { InvalidArgumentError } from '../resilience/errors.ts'

export type { BasicAuth, RestTlsOptions as TlsOptions } from '../rest/options.ts'

export type Params = Record<string, string | number | boolean | undefined>

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
