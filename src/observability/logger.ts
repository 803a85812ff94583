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
  const logger: Logger = pino({
    name: options.name ?? 'steadfast',
    level,
    serializers: { err: (error: unknown) => serializeError(error, logger.isLevelEnabled('debug')) },
    // Log lines quote errors and server answers, which may carry credentials.
    hooks: { logMethod (args, method) { method.apply(this, redactDeep(args)) } },
  }, options.destination ?? pino.destination(2))
  return logger
}

/**
 * pino's standard error serializer (type, message, code, cause chain); the stack only when the
 * logger writes debug lines, so warn lines stay one short record each.
 */
export function serializeError (error: unknown, withStack: boolean): unknown {
  if (!(error instanceof Error)) return error
  const serialized: Record<string, unknown> = { ...pino.stdSerializers.err(error) }
  if (!withStack) delete serialized.stack
  return serialized
}

/**
 * The logger with `component` bound once: a logger that already names a component keeps its own,
 * since pino would write a second `component` key rather than replace the first.
 */
export function withComponent (logger: Logger, component: string): Logger {
  return Object.hasOwn(logger.bindings(), 'component') ? logger : logger.child({ component })
}

let root: Logger | undefined

/** The process-wide logger, created on first use. */
export function rootLogger (): Logger {
  root ??= createLogger()
  return root
}

/** Replaces the process-wide logger: the command line does, once it knows the level and format asked for. */
export function setRootLogger (logger: Logger): void {
  root = logger
}
