/**
 * What one input line of `steadfast produce` becomes: a record's key, value, headers and
 * partition, or the reason the line cannot be one (then that line fails, the others go on).
 */
import type { ProducerRecord } from '../../producer/record.ts'
import { InvalidArgumentError } from '../../resilience/errors.ts'

export type InputFormat = 'text' | 'json'

export interface LineOptions {
  topic: string
  keySeparator?: string
  key?: string
  nullValue?: string
  format?: InputFormat
  partition?: number
  headers: Array<{ key: string, value: string }>
}

export type LineParser = (text: Buffer, line: number) => ProducerRecord | { error: string }

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', 0: '\0', '\\': '\\' }

/** `\n`, `\t`, `\r`, `\0` and `\\` as the characters they name (shells pass them literally); never empty. */
export function unescapeDelimiter (text: string, what: string): string {
  const unescaped = text.replace(/\\(.)/g, (all, c: string) => {
    const escaped = ESCAPES[c]
    if (escaped === undefined) throw new InvalidArgumentError(`${what}: "${all}" is not an escape (\\n, \\t, \\r, \\0 or \\\\)`)
    return escaped
  })
  if (unescaped === '') throw new InvalidArgumentError(`${what} must not be empty`)
  return unescaped
}

/**
 * What each input line becomes. The parser is made once: the fixed key and the null marker are
 * turned into bytes here, not for every line, and a line becomes one object literal (no spreads).
 */
export function lineParser (options: LineOptions): LineParser {
  const { topic, keySeparator, partition, headers } = options
  if (options.format === 'json') {
    const fixed = { headers, ...(partition === undefined ? {} : { partition }) }
    return (text, line) => jsonRecord(topic, text, line, fixed)
  }
  const key = options.key === undefined ? null : Buffer.from(options.key)
  const nullValue = options.nullValue === undefined ? undefined : Buffer.from(options.nullValue)
  const separatorBytes = keySeparator === undefined ? 0 : Buffer.byteLength(keySeparator)
  return (text, line) => {
    if (keySeparator === undefined) {
      return { topic, key, value: nullValue !== undefined && text.equals(nullValue) ? null : text, headers, partition }
    }
    const at = text.indexOf(keySeparator)
    if (at < 0) return { error: `line ${line} has no key separator "${keySeparator}"` }
    const value = text.subarray(at + separatorBytes)
    return { topic, key: text.subarray(0, at), value: nullValue !== undefined && value.equals(nullValue) ? null : value, headers, partition }
  }
}

/** `{"key": "k", "value": "v", "headers": {"h": "1"}, "partition": 2}`; key, value and header values may be null. */
function jsonRecord (topic: string, text: Buffer, line: number, fixed: { headers: LineOptions['headers'], partition?: number }): ProducerRecord | { error: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text.toString('utf8'))
  } catch (error) {
    return { error: `line ${line} is not JSON: ${(error as Error).message}` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: `line ${line} is not a JSON object` }
  const { key = null, value = null, headers = {}, partition, ...rest } = parsed as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) return { error: `line ${line} has unknown field(s) ${unknown.join(', ')} (known: key, value, headers, partition)` }
  if (!nullableString(key) || !nullableString(value)) return { error: `line ${line}: key and value must be strings or null` }
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every(nullableString)) {
    return { error: `line ${line}: headers must be an object of strings (or nulls)` }
  }
  if (partition !== undefined && (!Number.isSafeInteger(partition) || (partition as number) < 0)) return { error: `line ${line}: partition must be an integer >= 0` }
  const own = Object.entries(headers as Record<string, string | null>).map(([k, v]) => ({ key: k, value: v === null ? null : Buffer.from(v) }))
  return {
    topic,
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: [...fixed.headers.map((h) => ({ key: h.key, value: Buffer.from(h.value) })), ...own],
    ...(partition === undefined ? fixed.partition === undefined ? {} : { partition: fixed.partition } : { partition: partition as number }),
  }
}

function nullableString (v: unknown): v is string | null {
  return v === null || typeof v === 'string'
}
