/** `steadfast completion` and the top-level help, as a shell and a user see them. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { commands } from '../../src/cli/commands/index.ts'
import { runCli } from '../support/run-cli.ts'

const run = promisify(execFile)

/** What bash offers for the words typed so far (the last one being completed). */
async function complete (script: string, words: string[]): Promise<string[]> {
  const shell = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _steadfast; printf '%s\\n' "\${COMPREPLY[@]}"`
  const { stdout } = await run('bash', ['-c', shell])
  return stdout.split('\n').filter((l) => l !== '')
}

describe('steadfast completion', () => {
  test('bash: commands, subcommands and options, past option values and arguments', async () => {
    const { code, stdout: script } = await runCli(['completion', 'bash'])
    assert.equal(code, 0)
    assert.deepEqual(await complete(script, ['steadfast', '']), [...commands.map((c) => c.name), '-V', '--version', '--verbose', '--quiet', '--log-format', '--help'])
    assert.deepEqual(await complete(script, ['steadfast', 'topics', 'list', '--verb']), ['--verbose'])
    assert.deepEqual(await complete(script, ['steadfast', 'top']), ['topics'])
    assert.deepEqual(await complete(script, ['steadfast', 'groups', 'reset']), ['reset-offsets'])
    assert.deepEqual(await complete(script, ['steadfast', 'topics', 'create', 'orders', '--partitions', '3', '--repl']), ['--replication-factor'])
    assert.deepEqual(await complete(script, ['steadfast', 'produce', '-t', 'orders', '--null']), ['--null-value'])
  })

  test('zsh wraps the bash function; fish lists commands with their summaries; another shell is a usage error', async () => {
    const zsh = await runCli(['completion', 'zsh'])
    assert.match(zsh.stdout, /^# steadfast completion for zsh \(through bashcompinit\)\nautoload -U \+X bashcompinit && bashcompinit\n/)
    assert.match(zsh.stdout, /complete -o default -F _steadfast steadfast/)
    const fish = await runCli(['completion', 'fish'])
    assert.match(fish.stdout, /^complete -c steadfast -f -n '__fish_use_subcommand' -a 'produce' -d 'Send stdin lines to a topic/m)
    assert.match(fish.stdout, /^complete -c steadfast -n '__fish_seen_subcommand_from produce' -l null-value$/m)
    const tcsh = await runCli(['completion', 'tcsh'])
    assert.equal(tcsh.code, 2)
    assert.match(tcsh.stderr, /completion: "tcsh" is not bash, zsh or fish/)
  })
})

describe('steadfast --help', () => {
  test('names every command, gives examples and the exit codes; an unknown command exits 2', async () => {
    const { code, stdout } = await runCli(['--help'])
    assert.equal(code, 0)
    for (const c of commands) assert.match(stdout, new RegExp(`^  ${c.name}\\b`, 'm'), c.name)
    assert.match(stdout, /\nExamples:\n {2}steadfast cluster info -b 127\.0\.0\.1:9092\n/)
    assert.match(stdout, /Exit codes: 0 ok, 1 failure, 2 usage/)
    const unknown = await runCli(['nope'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown command 'nope'/)
  })
})
