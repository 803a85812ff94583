/**
 * Secrets in the agent's config: named, never written inline, so the config file itself can be
 * shared, committed or logged. A resolved value is wrapped so that logging, JSON (the API, the
 * state database) and `util.inspect` show `[redacted]`; only `reveal()` gives the value, at the
 * one place a client is built with it.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { inspect } from 'node:util'
import { z } from 'zod'

export const secretRefSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
], { error: 'must be { env: NAME } or { file: path } (secrets are never written in the config file)' })

export type SecretRef = z.infer<typeof secretRefSchema>

const REDACTED = '[redacted]'

export class Secret {
  readonly #value: string
  constructor (value: string) { this.#value = value }
  reveal (): string { return this.#value }
  toString (): string { return REDACTED }
  toJSON (): string { return REDACTED }
  [inspect.custom] (): string { return REDACTED }
}

/** Reads a secret; a file's trailing newline is dropped (what `echo secret > file` writes). */
export async function readSecret (ref: SecretRef, base: string, env: NodeJS.ProcessEnv): Promise<Secret> {
  if ('env' in ref) {
    const value = env[ref.env]
    if (value === undefined || value === '') throw new Error(`environment variable ${ref.env} is not set`)
    return new Secret(value)
  }
  const path = resolve(base, ref.file)
  try {
    return new Secret((await readFile(path, 'utf8')).replace(/\r?\n$/, ''))
  } catch (error) {
    throw new Error(`cannot read secret file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}
