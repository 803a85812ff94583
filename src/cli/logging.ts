/**
 * The logger a command runs with. By default only errors are logged: a failed command says why in
 * its one-line message, and retry notes before it would bury that line. `--verbose` shows the
 * retries and recoveries (info); STEADFAST_LOG_LEVEL overrides both.
 */
import { createLogger, type Logger } from '../observability/logger.ts'

export function commandLogger (verbose = false): Logger {
  return createLogger({ level: process.env.STEADFAST_LOG_LEVEL ?? (verbose ? 'info' : 'error') })
}
