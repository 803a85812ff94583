/**
 * The `steadfast` command line. Each command lives in src/cli/commands/<name>.ts and is listed in
 * commands/index.ts; program.ts builds the program, loading only the module of the command being
 * run. This file runs it and turns failures into a one-line message and an exit code: 0 ok,
 * 1 failure, 2 usage (an unknown command or option, a missing or malformed value). Never a stack
 * trace for bad input.
 */
import { CommanderError } from 'commander'
import { redact } from '../observability/redact.ts'
import { InvalidArgumentError, SteadfastError } from '../resilience/errors.ts'
import { buildProgram } from './program.ts'
import { clearStatus } from './status-line.ts'
import { stdoutExitCode, watchStdout } from './stdout.ts'

const USAGE_EXIT_CODE = 2

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
    return error instanceof InvalidArgumentError ? USAGE_EXIT_CODE : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
