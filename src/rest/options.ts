/**
 * The connection options both REST clients take (TLS, basic auth, extra headers), with their zod
 * schemas (field rules of the shared option parser, resilience/options.ts), so Kafka Connect and
 * Cruise Control spell and check them the same way.
 */
import { z } from 'zod'
import { boolean, nonEmptyString, options, satisfying } from '../resilience/options.ts'

export interface RestTlsOptions {
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer | Array<string | Buffer>
  key?: string | Buffer | Array<string | Buffer>
  passphrase?: string
  /** Verify the server certificate (default true); false accepts any certificate (test clusters only). */
  rejectUnauthorized?: boolean
  /** SNI and certificate host name, when it differs from the URL's host. */
  servername?: string
}

export interface BasicAuth {
  username: string
  password: string
}

function isPem (v: unknown): boolean {
  return typeof v === 'string' || Buffer.isBuffer(v)
}

const pem = satisfying((v) => isPem(v) || (Array.isArray(v) && v.every(isPem)), 'PEM text, a Buffer or a list of them')

export const restTlsSchema = options({
  ca: pem,
  cert: pem,
  key: pem,
  passphrase: satisfying((v) => typeof v === 'string', 'a string'),
  rejectUnauthorized: boolean(),
  servername: nonEmptyString(),
})

export const basicAuthSchema = z.strictObject({ username: nonEmptyString(), password: satisfying((v) => typeof v === 'string', 'a string') }, { error: '{ username, password }' })

export const headersSchema = satisfying<Record<string, string>>((v) => typeof v === 'object' && v !== null && Object.values(v).every((h) => typeof h === 'string'),
  'an object of string header values')

export const httpUrlSchema = satisfying<string>((text) => {
  if (typeof text !== 'string') return false
  try {
    const u = new URL(text)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}, 'an http:// or https:// URL')

/** Extra headers whose values are credentials: redacted from everything we print. */
const CREDENTIAL_HEADER = /auth|token|key|secret|cookie|session/i

export function isCredentialHeader (name: string): boolean {
  return CREDENTIAL_HEADER.test(name)
}
