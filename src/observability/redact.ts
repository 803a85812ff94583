/**
 * Credentials never leave the process through our own output: every error message, log line and
 * state record passes through `redact`, whatever a server sent back (some echo the Authorization
 * header in their error bodies). Two nets: patterns for credentials of any origin (basic and
 * bearer values, passwords in URLs and in key=value or JSON text), and the exact secrets this
 * process was given (passwords, and the header values built from them), which clients register
 * with `registerSecret` as they are configured.
 */

export const REDACTED = '[REDACTED]'

const secrets = new Set<string>()

/** Shorter strings would redact ordinary words; no credential is that short. */
const MIN_SECRET_LENGTH = 3

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values ("Basic dXNlcjpwYXNz", "Bearer eyJ…"): a value with an upper-case
  // letter, digit or base64 sign, so prose such as "basic authentication" stays as it is.
  [/\b([Bb]asic|[Bb]earer|[Nn]egotiate)(\s+)(?=[A-Za-z0-9+/=._~-]*[A-Z0-9+/=])[A-Za-z0-9+/=._~-]{4,}/g, `$1$2${REDACTED}`],
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]+@/gi, `$1:${REDACTED}@`],
  // password=…, "password": "…", sasl.jaas.config's password="…".
  [/(\b(?:password|passwd|secret|token|api[-_]?key)["']?\s*[:=]\s*["']?)[^"'\s,;&}]+/gi, `$1${REDACTED}`],
]

/** Registers a credential (and, for a basic-auth pair, its header forms) to be redacted everywhere. */
export function registerSecret (secret: string | undefined): void {
  if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) secrets.add(secret)
}

/** Registers a basic-auth user and password: the password, `user:password` and its base64 form. */
export function registerBasicAuth (username: string, password: string): void {
  registerSecret(password)
  registerSecret(`${username}:${password}`)
  registerSecret(Buffer.from(`${username}:${password}`).toString('base64'))
}

/** `text` with every credential replaced by [REDACTED]. */
export function redact (text: string): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}

/** A copy of a value (log fields, a state record) with every string in it redacted. */
export function redactDeep<T> (value: T): T {
  return redactValue(value, new WeakSet()) as T
}

function redactValue (value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value)
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Uint8Array) return value
  if (seen.has(value)) return value
  seen.add(value)
  if (Array.isArray(value)) return value.map((v) => redactValue(v, seen))
  if (value instanceof Error) return redactError(value, seen)
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, seen)]))
}

/** Errors keep their class (pino serialises them by type); only what they say is redacted. */
function redactError (error: Error, seen: WeakSet<object>): Error {
  error.message = redact(error.message)
  if (error.stack !== undefined) error.stack = redact(error.stack)
  if (error.cause !== undefined) error.cause = redactValue(error.cause, seen)
  return error
}
