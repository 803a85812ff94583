/**
 * The one converter from a failed exchange (a Node socket error, an undici error, an HTTP parser
 * error from a peer that does not speak HTTP) to a TransportError that names what was being done
 * (the URL, the broker) and the error's code, with the action the classifier gives that code. The
 * Kafka connection and both REST clients use it, so the same failure means the same everywhere.
 */
import { classifySystemCode } from './classify.ts'
import { AbortedError, TransportError } from './errors.ts'

/** `what` names the exchange, e.g. "Connect GET http://connect:8083/connectors". */
export function toTransportError (error: unknown, what: string): TransportError {
  const code = codeOf(error)
  // Codes no rule names are socket-level failures of this one connection: another one may work.
  const verdict = classifySystemCode(code) ?? { action: 'reconnect', reason: code.toLowerCase() }
  const message = error instanceof Error && error.message !== '' ? error.message : code
  const detail = message.includes(code) ? message : `${message} (${code})`
  const hint = verdict.reason === 'not-http' ? '; the server there does not speak HTTP/1.1 (wrong port or protocol?)' : ''
  return new TransportError(`${what}: ${detail}${hint}`, code, { action: verdict.action, cause: error })
}

/** For a request the caller may abort: its abort is an AbortedError, anything else a TransportError. */
export function toRequestError (error: unknown, what: string, signal: AbortSignal | undefined): Error {
  if (signal?.aborted === true || (error instanceof Error && error.name === 'AbortError')) {
    return new AbortedError(`${what}: stopped waiting for the answer (deadline or abort)`, { cause: error })
  }
  return toTransportError(error, what)
}

function codeOf (error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') return code
  // undici's HTTP parser error leaves its HPE_ code unset when the reply is not HTTP at all.
  if (error instanceof Error && error.name === 'HTTPParserError') return 'HPE_PARSE_ERROR'
  return 'UNKNOWN'
}
