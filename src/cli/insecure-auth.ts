/**
 * Credentials sent to an http:// URL travel in cleartext: anyone on the path can read them. The
 * command still runs (test and lab set-ups do this on purpose) but says so once on stderr, unless
 * --allow-insecure-auth says it is intended.
 */
import { redact } from '../observability/redact.ts'

let warned = false

export interface CredentialUse {
  urls: readonly string[]
  /** Basic-auth user, credentials in a URL, or a credential header. */
  credentials: boolean
  allowInsecureAuth: boolean
}

export function warnOnCleartextCredentials (use: CredentialUse): void {
  if (warned || !use.credentials || use.allowInsecureAuth) return
  const cleartext = use.urls.filter((url) => url.startsWith('http://'))
  if (cleartext.length === 0) return
  warned = true
  process.stderr.write(`steadfast: warning: credentials go in cleartext to ${cleartext.map(withoutCredentials).join(', ')} (http://, not https://); --allow-insecure-auth silences this\n`)
}

/** The URL without its user name and password, which the warning must not print. */
function withoutCredentials (url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return redact(url)
  }
}

/** True when a URL carries a user name or password. */
export function hasUrlCredentials (url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.username !== '' || parsed.password !== ''
  } catch {
    return false
  }
}
