/**
 * The `steadfast` command line. Each command lives in src/cli/commands/<name>.ts and is listed in
 * commands/index.ts; program.ts builds the program, loading only the module of the command being
 * run. This file runs it and turns failures into a one-line message and an exit code: 0 ok,
 * 1 failure, 2 usage (an unknown command or option, a missing or malformed value or file) or a
 * `connect apply --dry-run` that could not plan. Never a stack trace for bad input.
 */
import { CommanderError } from 'commander'
import { redact } from '../observability/redact.ts'
import { InvalidArgumentError, SteadfastError } from '../resilience/errors.ts'
import { buildProgram } from './program.ts'
import { clearStatus } from './status-line.ts'
import { stdoutExitCode, watchStdout } from './stdout.ts'

const USAGE_EXIT_CODE = 2
/**
 * Errors that exit 2 besides bad arguments. A file the user gave that is not valid (a connector
 * manifest, the agent's config) is a usage error, found before anything is contacted; a dry run
 * that could not compare (the workers unreachable) exits above 1 too. As `kubectl diff` exits
 * above 1 for errors, so that `connect apply --dry-run`'s 1 ("there are changes") never means a
 * broken manifest or an unplanned run.
 */
const EXIT_2_CODES = new Set(['STEADFAST_ERR_MANIFEST', 'STEADFAST_ERR_AGENT_CONFIG', 'STEADFAST_ERR_DRY_RUN'])

export async function main (argv: string[]): Promise<number> {
  const program = await buildProgram(argv)
  watchStdout()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return stdoutExitCode() ?? (typeof process.exitCode === 'number' ? process.exitCode : 0)
  } catch (error) {
    clearStatus()
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE
    const message = redact(error instanceof Error ? error.message : String(error))
    const code = error instanceof SteadfastError ? ` [${error.code}]` : ''
    process.stderr.write(`steadfast: ${message}${code}\n`)
    return error instanceof InvalidArgumentError || (error instanceof SteadfastError && EXIT_2_CODES.has(error.code)) ? USAGE_EXIT_CODE : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
