/** One request to a REST service, and its answer, as the REST transport sees them. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RestRequest<C = undefined> {
  /** Metrics and log label: the client method or endpoint (createConnector, state, ...). */
  operation: string
  method: HttpMethod
  /** Path below the base URL, query included. */
  path: string
  /** Sent as JSON. */
  body?: unknown
  /** Request headers besides the transport's own (e.g. Cruise Control's User-Task-ID). */
  headers?: Record<string, string>
  /** Statuses answered as success besides the service's success statuses (Connect's health 500 and 503). */
  accept?: number[]
  /** Aborts the request, retries included. */
  signal?: AbortSignal
  /** What the service's fault policy needs to know about this request (polling, executing, ...). */
  context?: C
}

export interface RestResponse {
  status: number
  /** The parsed JSON body; the text when it is not JSON; undefined when empty. */
  body: unknown
  /** A response header's (first) value. */
  header: (name: string) => string | undefined
}
