/** Errors the cluster layer adds to the project's error classes. */
import { SteadfastError } from '../resilience/errors.ts'

/** The broker does not offer an API, or no version both sides speak. Fatal: retrying cannot help. */
export class UnsupportedApiError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_UNSUPPORTED_API'
  readonly apiName: string
  readonly broker: string
  constructor (apiName: string, broker: string, detail: string) {
    super(`${apiName} is not supported by ${broker}: ${detail}`, { action: 'fatal', reason: 'unsupported-api' })
    this.apiName = apiName
    this.broker = broker
  }
}
