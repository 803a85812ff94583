/**
 * One level pair (`--verbose`, `--quiet`) and one log format switch (`--log-format`) for every
 * command, and a spinner on a terminal only. Every command here waits on an address that refuses
 * connections until its --timeout, retrying, so each has retries to log.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closedPort } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'
import { runInTerminal } from '../support/run-in-terminal.ts'

/** The environment a person has: no STEADFAST_LOG_LEVEL or STEADFAST_LOG_FORMAT. */
const USER_ENV = { STEADFAST_LOG_LEVEL: undefined, STEADFAST_LOG_FORMAT: undefined }
const PRETTY_LINE = /^\d\d:\d\d:\d\d\.\d{3} (INFO|WARN|ERROR) +[\w-]+: \S/
const PRETTY_RETRY = /^\d\d:\d\d:\d\d\.\d{3} WARN {2}[\w-]+: retrying /
const ESC = '\u001b'
/** What the status line writes to erase itself (after a carriage return). */
const CLEAR_LINE = `${ESC}[2K`
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] waiting for /

describe('logging and progress, the same for every command', () => {
  let bootstrap: string
  let url: string
  let dir: string

  before(async () => {
    bootstrap = `127.0.0.1:${await closedPort()}`
    url = `http://127.0.0.1:${await closedPort()}`
    dir = await mkdtemp(join(tmpdir(), 'steadfast-logging-'))
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  /**
   * Runs `check` for every command, three at a time: each mostly waits out its --timeout, so
   * together they take a third of the time one after another would.
   */
  const eachCommand = async (list: Array<[string, string[], string?]>, check: (command: [string, string[], string?]) => Promise<void>): Promise<void> => {
    const queue = [...list]
    await Promise.all(Array.from({ length: 3 }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await check(next)
    }))
  }

  /** `rebalance` names the rebalance each test records (a second create of one name is refused). */
  const commands = (rebalance = 'logging'): Array<[string, string[], string?]> => [
    ['cluster info', ['cluster', 'info', '-b', bootstrap]],
    ['topics list', ['topics', 'list', '-b', bootstrap]],
    ['groups list', ['groups', 'list', '-b', bootstrap]],
    ['offsets list', ['offsets', 'list', 'orders', '-b', bootstrap]],
    ['produce', ['produce', '-t', 'orders', '-b', bootstrap], 'a\n'],
    ['consume', ['consume', '-t', 'orders', '-b', bootstrap, '-e']],
    ['connect get', ['connect', 'get', 'orders', '--url', url]],
    ['cc state', ['cc', 'state', '--url', url]],
    ['rebalance create', ['rebalance', 'create', '--mode', 'full', '--name', rebalance, '--url', url, '--state-dir', dir]],
  ]

  test('--verbose in a pipe: JSON lines with the retries, then the one-line error', async () => {
    await eachCommand(commands(), async ([name, args, stdin]) => {
      const { code, stderr } = await runCli([...args, '--timeout', '1500ms', '--verbose'], { env: USER_ENV, stdin })
      assert.equal(code, 1, `${name}: ${stderr}`)
      const lines = stderr.trimEnd().split('\n')
      const logs = lines.slice(0, -1).map((l) => JSON.parse(l) as { level: number, msg: string })
      assert.ok(logs.some((l) => l.level === 40 && /^retrying /.test(l.msg)), `${name}: ${stderr}`)
      assert.match(lines.at(-1) ?? '', /^steadfast: /, name)
    })
  })

  test('--log-format pretty: one readable line per event, no JSON', async () => {
    await eachCommand(commands('pretty'), async ([name, args, stdin]) => {
      const { code, stderr } = await runCli([...args, '--timeout', '1500ms', '--verbose', '--log-format', 'pretty'], { env: USER_ENV, stdin })
      assert.equal(code, 1, name)
      const lines = stderr.trimEnd().split('\n')
      assert.ok(lines.length > 1, `${name}: ${stderr}`)
      for (const line of lines.slice(0, -1)) assert.match(line, PRETTY_LINE, name)
      assert.ok(lines.some((l) => PRETTY_RETRY.test(l)), `${name}: ${stderr}`)
      assert.match(lines.at(-1) ?? '', /^steadfast: /, name)
    })
  })

  test('a flag wins over the environment: --log-format json over STEADFAST_LOG_FORMAT, --verbose over STEADFAST_LOG_LEVEL', async () => {
    const args = ['topics', 'list', '-b', bootstrap, '--timeout', '1s']
    const json = await runCli([...args, '--verbose', '--log-format', 'json'], { env: { STEADFAST_LOG_FORMAT: 'pretty', STEADFAST_LOG_LEVEL: 'silent' } })
    assert.match(json.stderr, /^\{"level":40,/)
    const pretty = await runCli([...args, '--verbose'], { env: { STEADFAST_LOG_FORMAT: 'pretty', STEADFAST_LOG_LEVEL: 'silent' } })
    assert.match(pretty.stderr.split('\n')[0] ?? '', PRETTY_RETRY)
    const quiet = await runCli([...args, '--quiet'], { env: { STEADFAST_LOG_LEVEL: 'info' } })
    assert.equal(quiet.stderr.trimEnd().split('\n').length, 1, quiet.stderr)
  })

  test('contradictory or unknown settings are usage errors naming them', async () => {
    const args = ['topics', 'list', '-b', bootstrap]
    assert.deepEqual(await runCli([...args, '--verbose', '--quiet']), { code: 2, stdout: '', stderr: 'steadfast: --verbose and --quiet: give one of them [STEADFAST_ERR_INVALID_ARGUMENT]\n' })
    assert.deepEqual(await runCli([...args, '--log-format', 'xml']), { code: 2, stdout: '', stderr: 'steadfast: --log-format: "xml" is not a log format (pretty or json) [STEADFAST_ERR_INVALID_ARGUMENT]\n' })
    const env = await runCli(args, { env: { STEADFAST_LOG_LEVEL: 'loud' } })
    assert.equal(env.code, 2)
    assert.match(env.stderr, /^steadfast: STEADFAST_LOG_LEVEL: "loud" is not a level \(silent, fatal, error, warn, info, debug, trace\)/)
  })

  test('in a pipe there is never a spinner, even on a long wait', async () => {
    const { code, stderr } = await runCli(['topics', 'list', '-b', bootstrap, '--timeout', '3s'], { env: USER_ENV })
    assert.equal(code, 1)
    assert.doesNotMatch(stderr, SPINNER)
    assert.ok(!stderr.includes('\r') && !stderr.includes(ESC), stderr)
  })

  test('on a terminal: a spinner naming the address and the last retry on a long wait, readable log lines above it, then the error', async () => {
    await eachCommand(commands('terminal').filter(([n]) => ['topics list', 'cluster info', 'produce', 'consume', 'connect get', 'cc state'].includes(n)), async ([name, args]) => {
      const { code, screen } = await runInTerminal([...args, '--timeout', '3s'], USER_ENV)
      assert.equal(code, 1, `${name}: ${screen}`)
      assert.match(screen, /waiting for .+ \ds · retry \d+ \(\w+\)/, `${name}: ${screen}`)
      // The spinner's line is cleared before the error, which starts a line of its own.
      assert.ok(screen.includes(`\r${CLEAR_LINE}steadfast: `), `${name}: ${screen}`)
      assert.doesNotMatch(screen, /^\{/m, name)
    })
    const verbose = await runInTerminal(['topics', 'list', '-b', bootstrap, '--timeout', '3s', '--verbose'], USER_ENV)
    const logLines = verbose.screen.replaceAll(`\r${CLEAR_LINE}`, '\n').split('\n').filter((l) => / WARN /.test(l))
    assert.ok(logLines.length > 1, verbose.screen)
    // Each log line is whole: it starts at the beginning of a line, never after a spinner frame.
    for (const line of logLines) assert.match(line, PRETTY_RETRY)
  })

  test('a long wait at the default level: one warn line per retry reason, naming the operation, attempt, reason and address, in a pipe and on a terminal; none with --quiet or --verbose', async () => {
    // Past retry-notices.ts's 5 s threshold; a refused connection retries about every 1.5 s.
    const args = ['topics', 'list', '-b', bootstrap, '--timeout', '9s']
    const [pipe, terminal, quiet, verbose] = await Promise.all([
      runCli(args, { env: USER_ENV }),
      runInTerminal(args, USER_ENV),
      runCli([...args, '--quiet'], { env: USER_ENV }),
      runCli([...args, '--verbose'], { env: USER_ENV }),
    ])
    const notice = `still retrying listTopics: attempt \\d+ failed \\(enobroker\\): no broker reachable; tried ${bootstrap.replaceAll('.', '\\.')} `
    assert.equal(pipe.code, 1)
    const lines = pipe.stderr.trimEnd().split('\n')
    assert.equal(lines.length, 2, pipe.stderr)
    const line = JSON.parse(lines[0] ?? '') as { level: number, component: string, operation: string, reason: string, attempt: number, msg: string }
    assert.deepEqual([line.level, line.component, line.operation, line.reason], [40, 'admin', 'listTopics', 'enobroker'], pipe.stderr)
    assert.match(line.msg, new RegExp(`^${notice.replace('\\d+', String(line.attempt))}`))
    assert.match(lines[1] ?? '', /^steadfast: .*no broker reachable/)

    assert.equal(terminal.code, 1, terminal.screen)
    const screenLines = terminal.screen.replaceAll(`\r${CLEAR_LINE}`, '\n').split('\n')
    const notices = screenLines.filter((l) => l.includes('still retrying'))
    assert.equal(notices.length, 1, terminal.screen)
    assert.match(notices[0] ?? '', new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN {2}admin: ${notice}`))
    assert.match(terminal.screen, SPINNER)
    assert.match(screenLines.filter((l) => l !== '').at(-1) ?? '', /^steadfast: .*no broker reachable/)

    assert.equal(quiet.code, 1)
    assert.equal(quiet.stderr.trimEnd().split('\n').length, 1, quiet.stderr)
    assert.equal(verbose.code, 1)
    assert.doesNotMatch(verbose.stderr, /still retrying/)
    assert.ok(verbose.stderr.split('\n').filter((l) => l.includes('"msg":"retrying admin listTopics')).length > 3, verbose.stderr)
  })

  test('--quiet on a terminal: no spinner, only the error', async () => {
    const { code, screen } = await runInTerminal(['topics', 'list', '-b', bootstrap, '--timeout', '3s', '--quiet'], USER_ENV)
    assert.equal(code, 1)
    assert.doesNotMatch(screen, SPINNER)
    assert.match(screen, /^steadfast: .*ECONNREFUSED/)
  })
})
