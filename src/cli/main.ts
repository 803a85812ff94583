/**
 * The `steadfast` command line. Each command group lives in src/cli/commands/<group>.ts and
 * exports one `register(program)` function; this file only wires them together and turns
 * failures into a one-line message and a non-zero exit code (never a stack trace for bad input).
 */
import { Command, CommanderError } from 'commander'
import { readFileSync } from 'node:fs'
import { redact } from '../observability/redact.ts'
import { SteadfastError } from '../resilience/errors.ts'
import { commandGroups } from './commands/index.ts'
import { stdoutExitCode, watchStdout } from './stdout.ts'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

export function buildProgram (): Command {
  const program = new Command('steadfast')
    .description('Keeps Kafka-based systems working through the faults real clusters produce.')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride()
  for (const register of commandGroups) register(program)
  return program
}

export async function main (argv: string[]): Promise<number> {
  const program = buildProgram()
  watchStdout()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return stdoutExitCode() ?? (typeof process.exitCode === 'number' ? process.exitCode : 0)
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    const message = redact(error instanceof Error ? error.message : String(error))
    const code = error instanceof SteadfastError ? ` [${error.code}]` : ''
    process.stderr.write(`steadfast: ${message}${code}\n`)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
