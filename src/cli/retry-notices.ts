/**
 * Retries made visible at the default level on long waits. A one-shot command logs only errors by
 * default, so that a fast failure is its one error line; but a wait that goes on (a cluster down
 * for minutes, a two-minute delivery timeout) would then say nothing in a pipe, and on a terminal
 * only the spinner would say why, and it is erased at the end. So once an operation has been
 * retrying for NOTICE_AFTER_MS, each retry reason gets one warn line naming the operation, the
 * attempt, the reason and the error (which names the address awaited), and then at most one line
 * per reason every REPEAT_MS. Whether a run wants these lines is its log settings' decision
 * (logging.ts): not with --verbose, where every retry is logged, nor with --quiet.
 */
import type { Logger } from '../observability/logger.ts'
import { retryChannel, type RetryDiagnostic } from '../observability/tracing.ts'

export const NOTICE_AFTER_MS = 5000
export const REPEAT_MS = 30_000

/** Writes the notices to `logger` (whatever its level: the caller decided) until the returned function is called. */
export function noticeRetries (logger: Logger, now: () => number = Date.now): () => void {
  /** `component operation` → when its current run of retries began (its attempt 1 failing). */
  const since = new Map<string, number>()
  /** `component operation reason` → when it was last noticed. */
  const noticed = new Map<string, number>()
  const onRetry = (message: unknown): void => {
    const r = message as RetryDiagnostic
    const at = now()
    const operation = `${r.component} ${r.operation}`
    if (r.attempt === 1 || !since.has(operation)) since.set(operation, at)
    if (at - (since.get(operation) ?? at) < NOTICE_AFTER_MS) return
    const key = `${operation} ${r.reason}`
    const last = noticed.get(key)
    if (last !== undefined && at - last < REPEAT_MS) return
    noticed.set(key, at)
    const error = r.error instanceof Error ? r.error.message : String(r.error)
    logger.child({ component: r.component }).warn({ operation: r.operation, attempt: r.attempt, reason: r.reason },
      `still retrying ${r.operation}: attempt ${r.attempt} failed (${r.reason}): ${error}`)
  }
  retryChannel.subscribe(onRetry)
  return () => { retryChannel.unsubscribe(onRetry) }
}
