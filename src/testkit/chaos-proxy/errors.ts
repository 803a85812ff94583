/** Errors raised by the chaos proxy. */
import { SteadfastError } from '../../resilience/errors.ts'

/** No upstream broker answered the proxy's Metadata request at start, or the proxy is closed. */
export class ChaosProxyUnavailableError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_CHAOS_PROXY_UNAVAILABLE'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { action: 'fatal', reason: 'chaos-proxy-unavailable', cause: options.cause })
  }
}
