/**
 * How every command logs, decided once per run from the program's `--verbose`, `--quiet` and
 * `--log-format` (program options, so every command takes them, before or after its name).
 *
 * Level: a one-shot command logs only errors by default (its failure is one line, and retry notes
 * before it would bury that line; on a terminal the progress spinner shows the retries instead); a
 * long-running one (agent, sandbox, testkit) logs info. `--verbose` is one step more (info, or
 * debug for long-running ones), `--quiet` only errors and no spinner. STEADFAST_LOG_LEVEL names a
 * level outright; a flag wins over it.
 *
 * Format: one readable line per event on a terminal, JSON lines (pino) otherwise, or as
 * `--log-format` / STEADFAST_LOG_FORMAT says. Both go through the status line, below the spinner.
 */
import { createLogger, setRootLogger, type Logger } from '../observability/logger.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { prettyLine } from './log-pretty.ts'
import { noticeRetries } from './retry-notices.ts'
import { writeStderr } from './status-line.ts'

export type LogFormat = 'pretty' | 'json'

export interface LogFlags {
  verbose?: boolean
  quiet?: boolean
  logFormat?: string
}

export interface LogSettings {
  level: string
  format: LogFormat
  /** No progress spinner (`--quiet`). */
  quiet: boolean
  /** A warn line per retry reason on long waits, when the level would not show the retries (retry-notices.ts). */
  retryNotices: boolean
}

const LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']

function parseFormat (text: string, where: string): LogFormat {
  if (text === 'pretty' || text === 'json') return text
  throw new InvalidArgumentError(`${where}: "${text}" is not a log format (pretty or json)`)
}

/** The settings the flags, the environment and the terminal make. */
export function logSettings (flags: LogFlags, longRunning: boolean, env: NodeJS.ProcessEnv = process.env, stderrIsTerminal = process.stderr.isTTY): LogSettings {
  if (flags.verbose === true && flags.quiet === true) throw new InvalidArgumentError('--verbose and --quiet: give one of them')
  const fromEnv = env.STEADFAST_LOG_LEVEL
  if (fromEnv !== undefined && fromEnv !== '' && !LEVELS.includes(fromEnv)) {
    throw new InvalidArgumentError(`STEADFAST_LOG_LEVEL: "${fromEnv}" is not a level (${LEVELS.join(', ')})`)
  }
  const level = flags.quiet === true
    ? 'error'
    : flags.verbose === true
      ? (longRunning ? 'debug' : 'info')
      : fromEnv !== undefined && fromEnv !== '' ? fromEnv : longRunning ? 'info' : 'error'
  const format = flags.logFormat !== undefined
    ? parseFormat(flags.logFormat, '--log-format')
    : env.STEADFAST_LOG_FORMAT !== undefined && env.STEADFAST_LOG_FORMAT !== ''
      ? parseFormat(env.STEADFAST_LOG_FORMAT, 'STEADFAST_LOG_FORMAT')
      : stderrIsTerminal === true ? 'pretty' : 'json'
  return { level, format, quiet: flags.quiet === true, retryNotices: level === 'error' && flags.quiet !== true }
}

let current: LogSettings | undefined
let logger: Logger | undefined
let stopNotices: (() => void) | undefined

/**
 * Sets how this run logs and makes that logger the process-wide one, so the clients a command
 * builds without a logger (the agent's, the testkit's) log the same way.
 */
export function configureLogging (settings: LogSettings): void {
  current = settings
  const colour = settings.format === 'pretty' && process.stderr.isTTY && process.env.NO_COLOR === undefined
  logger = createLogger({
    level: settings.level,
    destination: { write: (line: string) => writeStderr(settings.format === 'pretty' ? prettyLine(line, colour) : line) },
  })
  setRootLogger(logger)
  stopNotices?.()
  stopNotices = settings.retryNotices ? noticeRetries(logger.child({}, { level: 'warn' })) : undefined
}

/** This run's settings; a command run without the program (in-process tests) gets the defaults and the environment's. */
export function currentLogSettings (): LogSettings {
  current ??= logSettings({}, false)
  return current
}

/** The logger of this run (configured by the program before any command runs). */
export function commandLogger (): Logger {
  if (logger === undefined) configureLogging(currentLogSettings())
  return logger as Logger
}
