/**
 * The `steadfast` program: every command named with its summary, and the options and subcommands
 * of only the command being run (its module is loaded then), or of all of them for completion.
 */
import { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { commands } from './commands/index.ts'
import { describeDurationDefaults } from './duration-defaults.ts'
import { addExamples } from './examples.ts'
import type { LogFlags } from './logging.ts'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

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
    .option('--verbose', 'log more: retries and recoveries (info; debug for agent, sandbox, testkit) [wins over STEADFAST_LOG_LEVEL]')
    .option('--quiet', 'log only errors, and no progress spinner')
    .option('--log-format <format>', 'pretty (one line per event) or json (pino lines) [env STEADFAST_LOG_FORMAT; default pretty on a terminal, json otherwise]')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', `
Examples:
  steadfast cluster info -b 127.0.0.1:9092
  printf 'k1:hello\\n' | steadfast produce -b 127.0.0.1:9092 -t orders -K :
  steadfast topics list --command-config client.properties -o json
  steadfast connect apply -f connectors/ --dry-run

Kafka connections come from flags, STEADFAST_* variables or a client config file
(steadfast config show). Exit codes: 0 ok, 1 failure, 2 usage (unknown command or option,
missing or malformed value). Docs: docs/cli.md, docs/configuration.md.`)
  const wanted = commandName(argv)
  // Before any command runs: every command, and the clients it builds, log as these flags say.
  // Loaded then, not at the top: `--version` and `--help` start without the logger (pino).
  program.hook('preAction', async () => {
    const { configureLogging, logSettings } = await import('./logging.ts')
    configureLogging(logSettings(program.opts<LogFlags>(), commands.find((c) => c.name === wanted)?.longRunning === true))
  })
  for (const entry of commands) {
    const command = program.command(entry.name).description(entry.summary)
    if (load === 'all' || entry.name === wanted) (await entry.load())(command)
  }
  addExamples(program)
  describeDurationDefaults(program)
  return program
}
