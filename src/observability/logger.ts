/**
 * The one logger factory. Logs are JSON lines (pino) on stderr so stdout stays free for command
 * output. The level comes from STEADFAST_LOG_LEVEL (default `info`; `silent` turns logs off).
 */
import { pino, type Logger, type DestinationStream } from 'pino'
import { redactDeep } from './redact.ts'

export type { Logger }

export interface LoggerOptions {
  level?: string
  /** Where to write; stderr by default. Tests pass a stream to read the lines back. */
  destination?: DestinationStream
  name?: string
}

export function createLogger (options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.STEADFAST_LOG_LEVEL ?? 'info'
  return pino({
    name: options.name ?? 'steadfast',
    level,
    // Log lines quote errors and server answers, which may carry credentials.
    hooks: { logMethod (args, method) { method.apply(this, redactDeep(args)) } },
  }, options.destination ?? pino.destination(2))
}

let root: Logger | undefined

/** The process-wide logger, created on first use. */
export function rootLogger (): Logger {
  root ??= createLogger()
  return root
}
