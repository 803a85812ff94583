/**
 * Errors raised by the real-Kafka rig. A missing part (Java, the jars, the control helper) is
 * RealClusterUnavailableError and says how to install it; a control Kafka refused or that did not
 * take effect in time is RealClusterControlError and names the control and what was seen.
 */
import { SteadfastError } from '../../resilience/errors.ts'

export class RealClusterUnavailableError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_REAL_CLUSTER_UNAVAILABLE'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { action: 'fatal', reason: 'real-cluster-unavailable', cause: options.cause })
  }
}

export class RealClusterControlError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_REAL_CLUSTER_CONTROL'
  /** The control, e.g. `moveLeader` or `start`. */
  readonly op: string

  constructor (message: string, init: { op: string, cause?: unknown }) {
    super(message, { action: 'fatal', reason: 'real-cluster-control', cause: init.cause })
    this.op = init.op
  }
}
