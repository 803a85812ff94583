/**
 * Every command's `--help` ends with examples, and every example is a command line steadfast
 * accepts: the same parser the CLI runs (commander, with every option's own value check) reads it
 * and lands on the command whose help shows it, with no unknown option, missing value or
 * malformed duration. Actions are replaced, so nothing connects anywhere.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Command } from 'commander'
import { buildProgram } from '../../src/cli/program.ts'
import { commandPath, EXAMPLES, examplesFor } from '../../src/cli/examples.ts'
import { parseDuration } from '../../src/cli/options.ts'
import { runCli } from '../support/run-cli.ts'

function allCommands (command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)])
}

/** The steadfast invocation in a shell line: after `steadfast`, before a pipe, redirect, comment or `)`. */
export function invocation (line: string): string[] {
  const start = /(?:^|[\s(])steadfast /.exec(line)
  assert.ok(start !== null, `no steadfast command in: ${line}`)
  const words: string[] = []
  let word: string | undefined
  const rest = line.slice(start.index + start[0].length)
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i] ?? ''
    if (ch === "'" || ch === '"') {
      const end = rest.indexOf(ch, i + 1)
      word = (word ?? '') + rest.slice(i + 1, end)
      i = end
    } else if (ch === ' ') {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if ('|<>#)'.includes(ch)) {
      break
    } else {
      word = (word ?? '') + ch
    }
  }
  if (word !== undefined) words.push(word)
  return words
}

/** Parses `argv` with every action replaced; returns the path of the command that would run. */
async function parse (argv: string[]): Promise<string> {
  const program = await buildProgram(argv, 'all')
  let ran: string | undefined
  for (const c of allCommands(program)) {
    c.configureOutput({ writeErr: () => {}, writeOut: () => {} })
    c.action(() => { ran = commandPath(c) })
  }
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} })
  await program.parseAsync(argv, { from: 'user' })
  assert.ok(ran !== undefined, `no command ran for: ${argv.join(' ')}`)
  return ran
}

describe('examples in every --help', async () => {
  const program = await buildProgram([], 'all')
  const commands = allCommands(program).filter((c) => c.name() !== 'help')

  test('every command has examples, and every entry of the table names a command', () => {
    for (const c of commands) assert.ok(examplesFor(c).length > 0, `${commandPath(c)} has no examples`)
    const paths = new Set(commands.map(commandPath))
    for (const path of Object.keys(EXAMPLES)) assert.ok(paths.has(path), `EXAMPLES["${path}"] is not a command`)
  })

  test('every example parses, and runs the command (or a subcommand of the command) whose help shows it', async () => {
    for (const c of commands) {
      const path = commandPath(c)
      for (const example of examplesFor(c)) {
        const argv = invocation(example)
        let ran: string
        try {
          ran = await parse(argv)
        } catch (error) {
          assert.fail(`${path}: "${example}" does not parse: ${(error as Error).message}`)
        }
        assert.ok(ran === path || ran.startsWith(`${path} `), `${path}: "${example}" runs ${ran}`)
      }
    }
  })

  test('a duration option shows its default as a duration the option accepts, the default it has (5s, not 5000)', () => {
    let durations = 0
    for (const c of commands) {
      for (const option of c.options.filter((o) => o.flags.includes('<duration>') && o.defaultValue !== undefined)) {
        durations++
        const what = `${commandPath(c)} ${option.flags}`
        const shown = option.defaultValueDescription ?? String(option.defaultValue)
        // A default given as text ('30s') is parsed when the command runs, a number is the milliseconds.
        const ms = typeof option.defaultValue === 'number' ? option.defaultValue : parseDuration(String(option.defaultValue), what)
        assert.equal(parseDuration(shown, what), ms, `${what} shows ${shown}`)
      }
    }
    assert.ok(durations > 10, `${durations} duration options with a default`)
  })

  test('the real CLI shows them: an Examples section at the end of --help', async () => {
    for (const argv of [['topics', 'create', '--help'], ['connect', 'offsets', '--help'], ['rebalance', 'status', '--help'], ['testkit', 'proxy', '--help']]) {
      const { code, stdout } = await runCli(argv)
      assert.equal(code, 0)
      const section = stdout.slice(stdout.lastIndexOf('\nExamples:\n'))
      assert.ok(section.length > 0 && stdout.includes('\nExamples:\n'), stdout)
      const lines = section.trim().split('\n').slice(1)
      assert.deepEqual(lines, examplesFor([...allCommands(program)].find((c) => commandPath(c) === argv.slice(0, -1).join(' ')) as Command).map((e) => `  ${e}`))
    }
  })
})
