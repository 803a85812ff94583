/**
 * The `steadfast` command line. Each command lives in src/cli/commands/<name>.ts and is listed in
 * commands/index.ts; this file names them all but loads only the module of the command being run,
 * and turns failures into a one-line message and an exit code: 0 ok, 1 failure, 2 usage (an
 * unknown command or option, a missing or malformed value). Never a stack trace for bad input.
 */
import { Command, CommanderError } from 'commander'
import { readFileSync } from 'node:fs'
import { redact } from '../observability/redact.ts'
import { InvalidArgumentError, SteadfastError } from '../resilience/errors.ts'
import { commands } from './commands/index.ts'
import { stdoutExitCode, watchStdout } from './stdout.ts'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const USAGE_EXIT_CODE = 2

/** The command a command line runs (`help <name>` included), or undefined for the program itself. */
function commandName (argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'))
  return words[0] === 'help' ? words[1] : words[0]
}

/**
 * The program with every command named; `load` says which commands get their options and
 * subcommands: the one `argv` runs (default), or all of them (shell completion walks the tree).
 */
export async function buildProgram (argv: readonly string[], load: 'used' | 'all' = 'used'): Promise<Command> {
  const program = new Command('steadfast')
    .description('Keeps Kafka-based systems working through the faults real clusters produce.')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride()
  const wanted = commandName(argv)
  for (const entry of commands) {
    const command = program.command(entry.name).description(entry.summary)
    if (load === 'all' || entry.name === wanted) (await entry.load())(command)
  }
  return program
}

export async function main (argv: string[]): Promise<number> {
  const program = await buildProgram(argv)
  watchStdout()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return stdoutExitCode() ?? (typeof process.exitCode === 'number' ? process.exitCode : 0)
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE
    const message = redact(error instanceof Error ? error.message : String(error))
    const code = error instanceof SteadfastError ? ` [${error.code}]` : ''
    process.stderr.write(`steadfast: ${message}${code}\n`)
    return error instanceof InvalidArgumentError ? USAGE_EXIT_CODE : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
