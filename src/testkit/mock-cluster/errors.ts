/**
 * Errors raised by the mock-cluster testkit. Each has its own code so a test can tell a rejected
 * control request (the helper named what was wrong) from a helper that is missing or died.
 */
import { SteadfastError } from '../../resilience/errors.ts'

/** The helper answered a control request with an error: `message` names the bad field or value. */
export class MockClusterRequestError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_MOCK_CLUSTER_REQUEST'
  /** The control operation, e.g. `createTopic`. */
  readonly op: string
  /** The error code the mock returned, when the failure came from the mock itself. */
  readonly errorCode: number | undefined
  readonly errorName: string | undefined

  constructor (message: string, init: { op: string, errorCode?: number, errorName?: string }) {
    super(message, { action: 'fatal', reason: 'mock-cluster-request' })
    this.op = init.op
    this.errorCode = init.errorCode
    this.errorName = init.errorName
  }
}

/** The helper binary is missing, did not start in time, exited, or the cluster was stopped. */
export class MockClusterUnavailableError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_MOCK_CLUSTER_UNAVAILABLE'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { action: 'fatal', reason: 'mock-cluster-unavailable', cause: options.cause })
  }
}
