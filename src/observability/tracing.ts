/**
 * Diagnostics channels (node:diagnostics_channel), the hook tracing libraries such as OpenTelemetry
 * instrumentations subscribe to. Nothing is published, and no context object is built, while no
 * one subscribes.
 *
 * - `steadfast:request` is a TracingChannel: `tracing:steadfast:request:start`, `:end`,
 *   `:asyncStart`, `:asyncEnd` and `:error` carry one context object per request (a Kafka request to
 *   one broker, an HTTP exchange with one Connect worker or Cruise Control), the same object
 *   through every event of that request.
 * - `steadfast:retry` publishes one RetryDiagnostic each time the retry loop decides to try again.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel'

export interface RequestDiagnostic {
  /** `kafka` for broker requests; `connect` or `cruise-control` (the REST client's component) for HTTP exchanges. */
  system: string
  /** The Kafka API (`Produce`, `Metadata`, …), the Connect client method or the Cruise Control endpoint. */
  operation: string
  /** Kafka: the negotiated version. */
  version?: number
  /** HTTP: the method. */
  method?: string
  /** Who was asked: `broker 1 (127.0.0.1:9092)`, a worker's or Cruise Control's URL. */
  target: string
  clientId: string
  /** Set by the channel on `error`. */
  error?: unknown
  /** Set by the channel on `asyncEnd` after success. */
  result?: unknown
}

export interface RetryDiagnostic {
  component: string
  operation: string
  /** The attempt that failed, from 1. */
  attempt: number
  delayMs: number
  action: string
  reason: string
  error: unknown
  clientId: string
}

export const requestChannel = tracingChannel<unknown, RequestDiagnostic>('steadfast:request')
export const retryChannel = channel('steadfast:retry')

/** Runs `request` inside the request channel's events, when anyone listens. */
export function traceRequest<T> (context: () => RequestDiagnostic, request: () => Promise<T>): Promise<T> {
  if (!requestChannel.start.hasSubscribers && !requestChannel.error.hasSubscribers && !requestChannel.asyncEnd.hasSubscribers) return request()
  return requestChannel.tracePromise(request, context())
}

export function publishRetry (diagnostic: () => RetryDiagnostic): void {
  if (retryChannel.hasSubscribers) retryChannel.publish(diagnostic())
}
