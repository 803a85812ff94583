/**
 * Option parsing shared by the commands: durations (`30s`, `2m`, `1500ms`), output formats, and
 * a printer for tables, JSON and YAML.
 */
import type { Command } from 'commander'
import { stringify as toYaml } from 'yaml'
import { InvalidArgumentError } from '../resilience/errors.ts'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * The longest delay a Node timer holds (2^31-1 ms, about 24.8 days): a longer one fires at once
 * (with a TimeoutOverflowWarning), so every duration option, all of them timers, stops here.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1

/**
 * Parses `250ms`, `30s`, `2m`, `1h`, `1m30s`, up to MAX_DURATION_MS. A bare number is refused
 * (is `30` seconds or milliseconds?), except 0, which is the same in every unit.
 */
export function parseDuration (text: string, what = 'duration'): number {
  if (/^\d+(\.\d+)?$/.test(text.trim()) && Number(text) !== 0) {
    throw new InvalidArgumentError(`${what}: "${text}" needs a unit: ${text.trim()}ms or ${text.trim()}s (examples: 500ms, 30s, 2m, 1h, 1m30s)`)
  }
  const ms = durationMs(text.trim())
  if (ms === undefined) throw new InvalidArgumentError(`${what}: "${text}" is not a duration (examples: 500ms, 30s, 2m, 1h, 1m30s)`)
  if (ms > MAX_DURATION_MS) {
    throw new InvalidArgumentError(`${what}: "${text}" is longer than the longest timer Node.js can hold (${MAX_DURATION_MS} ms, about 596 h or 24.8 days)`)
  }
  return ms
}

function durationMs (text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text)
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] ?? 'ms'] ?? 1), 0)
}

/** A `--timeout`: a duration longer than 0 (a bound of 0 would fail every command at once). */
export function parseTimeout (text: string): number {
  const ms = parseDuration(text, '--timeout')
  if (ms <= 0) throw new InvalidArgumentError(`--timeout: "${text}" must be longer than 0`)
  return ms
}

export type OutputFormat = 'table' | 'json' | 'yaml'

export function parseOutput (text: string): OutputFormat {
  if (text === 'table' || text === 'json' || text === 'yaml') return text
  throw new InvalidArgumentError(`--output: "${text}" is not a format (table, json or yaml)`)
}

/** For commands that stream results as they come (a JSON line each) or print a live table: no YAML. */
export function parseStreamOutput (text: string): 'table' | 'json' {
  if (text === 'table' || text === 'json') return text
  throw new InvalidArgumentError(`--output: "${text}" is not a format this command streams (table or json)`)
}

/** `-o, --output table|json|yaml`, as kubectl spells it. */
export function addOutputOption (command: Command): Command {
  return command.option('-o, --output <format>', 'table, json or yaml', 'table')
}

/** Renders rows as an aligned text table with the given columns. */
export function renderTable (rows: readonly object[], columns: string[]): string {
  const get = (r: object, c: string): unknown => (r as Record<string, unknown>)[c]
  const cell = (v: unknown): string => v === undefined || v === null ? '' : typeof v === 'object' ? toJson(v).replace(/\s+/g, ' ') : String(v)
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(get(r, c)).length)))
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(get(r, c)))))].join('\n') + '\n'
}

/** JSON with 64-bit integers (offsets) as numbers when exact, else as strings. */
export function toJson (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => typeof v === 'bigint' ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v, 2)
}

/** Prints `value` as JSON or YAML, or `rows` as a table, to stdout. */
export function printResult (format: OutputFormat, value: unknown, rows: readonly object[], columns: string[]): void {
  process.stdout.write(format === 'table' ? renderTable(rows, columns) : format === 'json' ? toJson(value) + '\n' : toYaml(JSON.parse(toJson(value))))
}

/** A commander parser for an integer option within [min, max]; the error names the option. */
export function integerOption (what: string, min: number, max: number = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`
      throw new InvalidArgumentError(`${what}: "${text}" is not an integer ${range}`)
    }
    return Number(text)
  }
}
