/**
 * Writes docs/cli-options.md: every option of every command (type, default, environment variable,
 * client config key, meaning), read from the command tree itself so it cannot fall behind. Run
 * after changing an option: `node --import tsx scripts/cli-reference.ts`; with `--check` it only
 * fails (exit 1) when the file is not what it would write (test/cli/reference.test.ts runs that).
 * Defaults that come from the machine (home, temporary directory, STEADFAST_* variables) are
 * computed in a fixed environment, so the file is the same everywhere.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command, Option } from 'commander'
import { commandPath } from '../src/cli/examples.ts'
import { SETTINGS } from '../src/cli/kafka-connection.ts'
import { buildProgram } from '../src/cli/program.ts'

const REFERENCE_FILE = fileURLToPath(new URL('../docs/cli-options.md', import.meta.url))

const HOME = '/home/you'

/** The environment the defaults are computed in: a plain user's, no STEADFAST_* or XDG_* settings. */
function fixEnvironment (): void {
  for (const name of Object.keys(process.env)) if (/^(STEADFAST_|XDG_)/.test(name)) delete process.env[name]
  process.env.HOME = HOME
  process.env.TMPDIR = '/tmp'
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

function defaultOf (option: Option): string {
  const value: unknown = option.defaultValue
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return ''
  if (option.defaultValueDescription !== undefined) return option.defaultValueDescription
  return (typeof value === 'string' ? value : JSON.stringify(value)).replace(HOME, '~')
}

function row (option: Option): string {
  const setting = SETTINGS.find((s) => s.flag?.flags === option.flags)
  const env = setting?.env ?? /\$?\b(STEADFAST_[A-Z_]+)/.exec(option.description)?.[1] ?? ''
  const type = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? 'flag'
  return `| \`${option.flags}\` | ${cell(type)} | ${cell(defaultOf(option))} | ${env === '' ? '' : `\`${env}\``} | ${setting === undefined ? '' : `\`${setting.key}\``} | ${cell(option.description)} |`
}

function table (options: readonly Option[]): string[] {
  return ['| option | type | default | environment | config key | meaning |', '|---|---|---|---|---|---|', ...options.map(row)]
}

function leaves (command: Command): Command[] {
  return command.commands.flatMap((c) => c.commands.length === 0 ? [c] : leaves(c))
}

async function reference (): Promise<string> {
  fixEnvironment()
  const program = await buildProgram([], 'all')
  const lines = [
    '# Every option of every command',
    '',
    'Generated from the command tree by `node --import tsx scripts/cli-reference.ts` (a test checks it',
    'is current). Connection settings, precedence and the config file: [configuration.md](configuration.md).',
    '',
    '## Options of every command',
    '',
    ...table(program.options.filter((o) => o.long !== '--version')),
  ]
  for (const command of leaves(program)) {
    const args = command.registeredArguments.map((a) => a.required ? `<${a.name()}${a.variadic ? '…' : ''}>` : `[${a.name()}${a.variadic ? '…' : ''}]`)
    lines.push('', `## \`steadfast ${[commandPath(command), ...args].join(' ')}\``, '', cell(command.description()), '', ...table(command.options))
  }
  return lines.join('\n') + '\n'
}

const text = await reference()
if (!process.argv.includes('--check')) writeFileSync(REFERENCE_FILE, text)
else if (readFileSync(REFERENCE_FILE, 'utf8') !== text) {
  process.stderr.write(`${REFERENCE_FILE} is not current: run node --import tsx scripts/cli-reference.ts\n`)
  process.exitCode = 1
}
