/**
 * The connection options both REST clients take (TLS, basic auth, extra headers), with their zod
 * schemas, so Kafka Connect and Cruise Control spell and check them the same way.
 */
import { z } from 'zod'

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

const pem = z.union([z.string(), z.instanceof(Buffer), z.array(z.union([z.string(), z.instanceof(Buffer)]))])

export const restTlsSchema = z.object({
  ca: pem.optional(),
  cert: pem.optional(),
  key: pem.optional(),
  passphrase: z.string().optional(),
  rejectUnauthorized: z.boolean().optional(),
  servername: z.string().optional(),
}).strict()

export const basicAuthSchema = z.object({ username: z.string().min(1), password: z.string() }).strict()

export const headersSchema = z.record(z.string(), z.string())

export const httpUrlSchema = z.string().refine((text) => {
  try {
    const u = new URL(text)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}, 'must be an http:// or https:// URL')

/** Extra headers whose values are credentials: redacted from everything we print. */
const CREDENTIAL_HEADER = /auth|token|key|secret|cookie|session/i

export function isCredentialHeader (name: string): boolean {
  return CREDENTIAL_HEADER.test(name)
}
