/**
 * How every client checks its options: a zod schema per client, built from the field rules below,
 * and one parser that turns every problem into one InvalidArgumentError naming the option, the
 * value given and the rule it broke (`producer option lingerMs must be an integer from 0 to 60000,
 * got -1`), or the unknown key with the keys that exist. Rules that relate two options (a batch no
 * larger than a request) are checked after parsing with `refuse`, which words them the same way.
 */
import { z } from 'zod'
import { InvalidArgumentError } from './errors.ts'
import type { Registry } from 'prom-client'
import type { BackoffPolicy } from './backoff.ts'

/** An integer in [min, max]; the rule text names the range. */
export function integer (min: number, max = Number.MAX_SAFE_INTEGER): z.ZodType<number> {
  const rule = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`
  return z.custom<number>((v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max, rule)
}

/** A finite number >= min (multipliers, fractional delays). */
export function number (min: number): z.ZodType<number> {
  return z.custom<number>((v) => typeof v === 'number' && Number.isFinite(v) && v >= min, `a finite number >= ${min}`)
}

export function boolean (): z.ZodType<boolean> {
  return z.custom<boolean>((v) => typeof v === 'boolean', 'true or false')
}

export function nonEmptyString (): z.ZodType<string> {
  return z.custom<string>((v) => typeof v === 'string' && v !== '', 'a non-empty string')
}

export function oneOf<const T extends readonly [string | number, ...Array<string | number>]> (values: T): z.ZodType<T[number]> {
  return z.custom<T[number]>((v) => values.includes(v as T[number]), `one of ${values.join(', ')}`)
}

export function func (rule = 'a function'): z.ZodType<(...args: never[]) => unknown> {
  return z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', rule)
}

/** Any value that passes `test`, refused with `rule` otherwise (loggers, clocks, registries, …). */
export function satisfying<T> (test: (v: unknown) => boolean, rule: string): z.ZodType<T> {
  return z.custom<T>(test, rule)
}

/** An object holding only the listed keys, each optional. */
export function options (shape: Record<string, z.ZodType>): z.ZodObject {
  return z.strictObject(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])), { error: 'an object' })
}

/** The retry vocabulary every client shares: the fields of the retry loop's backoff policy. */
export const RETRY_FIELDS = {
  initialDelayMs: integer(0),
  multiplier: number(1),
  maxDelayMs: integer(0),
  maxAttempts: z.custom<number>((v) => v === Infinity || (typeof v === 'number' && Number.isInteger(v) && v >= 1), 'an integer >= 1 or Infinity'),
  deadlineMs: integer(1),
  jitter: oneOf(['equal', 'full', 'none']),
} as const

export type RetryField = keyof typeof RETRY_FIELDS

/** The `retry` option of a client, limited to the fields that client leaves to the caller. */
export function retryOption (fields: readonly RetryField[] = Object.keys(RETRY_FIELDS) as RetryField[]): z.ZodType<Partial<BackoffPolicy>> {
  return options(Object.fromEntries(fields.map((f) => [f, RETRY_FIELDS[f]])))
    .superRefine((p: Partial<BackoffPolicy>, ctx) => {
      if (p.initialDelayMs !== undefined && p.maxDelayMs !== undefined && p.maxDelayMs < p.initialDelayMs) {
        ctx.addIssue({ code: 'custom', path: ['maxDelayMs'], message: `>= initialDelayMs (${p.initialDelayMs})`, input: p.maxDelayMs })
      }
    }) as unknown as z.ZodType<Partial<BackoffPolicy>>
}

/** Delays between attempts, for clients whose deadline comes from another option (deliveryTimeoutMs, …). */
export type ClientRetry = Pick<BackoffPolicy, 'initialDelayMs' | 'maxDelayMs'> & Partial<Pick<BackoffPolicy, 'multiplier' | 'jitter'>>

/**
 * The producer's and consumer's `retry`, defaults filled in. `retryBackoffMs` and
 * `retryBackoffMaxMs`, the Java clients' names, are still read as its two delays.
 */
export function resolveRetry (what: string, given: { retry?: Partial<ClientRetry>, retryBackoffMs?: number, retryBackoffMaxMs?: number }, defaults: ClientRetry): ClientRetry {
  for (const [old, field] of [['retryBackoffMs', 'initialDelayMs'], ['retryBackoffMaxMs', 'maxDelayMs']] as const) {
    if (given[old] !== undefined && given.retry?.[field] !== undefined) refuse(what, old, given[old], `left out when retry.${field} is given (it is the older name of retry.${field})`)
  }
  const initialDelayMs = given.retry?.initialDelayMs ?? given.retryBackoffMs ?? defaults.initialDelayMs
  const maxDelayMs = given.retry?.maxDelayMs ?? given.retryBackoffMaxMs ?? Math.max(defaults.maxDelayMs, initialDelayMs)
  if (maxDelayMs < initialDelayMs) refuse(what, given.retry?.maxDelayMs === undefined ? 'retryBackoffMaxMs' : 'retry.maxDelayMs', maxDelayMs, `>= the first delay (${initialDelayMs})`)
  return { ...defaults, ...given.retry, initialDelayMs, maxDelayMs }
}

/** A pino logger (anything with the level methods and child()). */
export function logger<T> (): z.ZodType<T> {
  return z.custom<T>((v) => typeof v === 'object' && v !== null && typeof (v as { warn?: unknown }).warn === 'function' && typeof (v as { child?: unknown }).child === 'function', 'a pino logger')
}

/** A prom-client Registry. */
export function registry (): z.ZodType<Registry> {
  return z.custom<Registry>((v) => typeof v === 'object' && v !== null && typeof (v as { registerMetric?: unknown }).registerMetric === 'function', 'a prom-client Registry')
}

/** How a value is shown in an error: strings quoted, objects as JSON (cut short), functions by kind. */
export function show (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return String(value)
  try {
    const text = JSON.stringify(value)
    return text.length > 80 ? `${text.slice(0, 77)}...` : text
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** Throws the error for a rule between options, in the same words as the schema's. */
export function refuse (what: string, field: string, value: unknown, rule: string): never {
  throw new InvalidArgumentError(`${what} option ${field} must be ${rule}, got ${show(value)}`)
}

/** Parses `given` with `schema`; every problem is named in one InvalidArgumentError. */
export function parseOptions<T> (what: string, schema: z.ZodType<T>, given: unknown): T {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw new InvalidArgumentError(`${what} options must be an object, got ${show(given)}`)
  const result = schema.safeParse(given, { reportInput: true })
  if (result.success) return result.data
  // Unknown keys first: a misspelt option is the likelier mistake, and it explains a missing one.
  const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))
  const problems = issues.map((issue) => describeIssue(what, schema, issue))
  throw new InvalidArgumentError(problems.join('; '))
}

function describeIssue (what: string, schema: z.ZodType, issue: z.core.$ZodIssue): string {
  const at = issue.path.map(String)
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, at)
    return issue.keys.map((key) => `${what} option ${[...at, key].join('.')} is not known${known.length === 0 ? '' : ` (known: ${known.join(', ')})`}`).join('; ')
  }
  const input = 'input' in issue ? issue.input : undefined
  return `${what} option ${at.join('.')} must be ${issue.message}, got ${show(input)}`
}

/** The keys an object schema allows at `path`, for the "not known" message. */
function keysAt (schema: z.ZodType, path: readonly string[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema)
  for (const key of path) current = current instanceof z.ZodObject ? unwrap(current.shape[key] as z.ZodType | undefined) : undefined
  return current instanceof z.ZodObject ? Object.keys(current.shape) : []
}

function unwrap (schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema
  while (current instanceof z.ZodOptional || current instanceof z.ZodPipe) {
    current = current instanceof z.ZodOptional ? current.unwrap() as z.ZodType : current.in as z.ZodType
  }
  return current
}
