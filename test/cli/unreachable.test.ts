/**
 * Unreachable brokers, handled the same way by every Kafka command: retried until --timeout, then
 * exit 1 by itself with one line that names every bootstrap address tried and why each failed.
 * Connect and Cruise Control commands name their URL (test/hostile/cli-errors.test.ts).
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { closedPort } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'

let first: string
let second: string

before(async () => {
  first = `127.0.0.1:${await closedPort()}`
  second = `127.0.0.1:${await closedPort()}`
})

test('every Kafka command: bounded by --timeout, exit 1, naming every address tried', async () => {
  const bootstrap = (): string => `${first},${second}`
  const commands: Array<[string, string[], string?]> = [
    ['cluster info', ['cluster', 'info']],
    ['topics list', ['topics', 'list']],
    ['topics describe', ['topics', 'describe', 'orders']],
    ['topics create', ['topics', 'create', 'orders']],
    ['topics describe-config', ['topics', 'describe-config', 'orders']],
    ['groups list', ['groups', 'list']],
    ['groups lag', ['groups', 'lag', 'billing']],
    ['groups reset-offsets', ['groups', 'reset-offsets', 'billing', '--topic', 'orders', '--to-earliest']],
    ['offsets list', ['offsets', 'list', 'orders']],
    ['produce', ['produce', '-t', 'orders'], 'a\n'],
    ['consume', ['consume', '-t', 'orders', '-e']],
    ['consume -G', ['consume', '-t', 'orders', '-G', 'billing']],
  ]
  for (const [name, args, stdin] of commands) {
    const { code, stdout, stderr } = await runCli([...args, '-b', bootstrap(), '--timeout', '1s'], { stdin, killAfterMs: 60_000 })
    assert.equal(code, 1, `${name} exits 1 by itself: ${stderr}`)
    assert.equal(stderr.split('\n').length, 2, `${name}: one line: ${stderr}`)
    assert.match(stderr, /^steadfast: .*no broker reachable; tried /, name)
    for (const address of [first, second]) assert.ok(stderr.includes(`${address} (connection to bootstrap ${address} failed: connect ECONNREFUSED`), `${name} names ${address}: ${stderr}`)
    if (name !== 'produce') assert.equal(stdout, '', name)
  }
})
