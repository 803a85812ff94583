/**
 * `rebalance create` against a Cruise Control that is never reached used to print the record
 * (state New) and exit 0. The rebalance is still recorded, but the command exits non-zero.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closedPort } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'

describe('rebalance create when Cruise Control is never reached', () => {
  let dir: string
  let url: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steadfast-unreached-'))
    url = `http://127.0.0.1:${await closedPort()}`
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  for (const wait of [[], ['--no-wait']]) {
    test(`create ${wait.join(' ')} exits 1 naming the rebalance, the URL and the failure; the record stays New`, async () => {
      const name = wait.length === 0 ? 'waited' : 'not-waited'
      const { code, stdout, stderr } = await runCli(['rebalance', 'create', '--mode', 'full', '--name', name, '--url', url, '--timeout', '2s', '--state-dir', dir, ...wait])
      assert.equal(code, 1)
      assert.match(stdout, new RegExp(`${name}\\s+full\\s+New`))
      assert.match(stderr, new RegExp(`^steadfast: rebalance ${name} is still New: Cruise Control at ${url} did not take the request \\(.*ECONNREFUSED.*\\)`, 'm'))
      const record = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as { state: string }
      assert.equal(record.state, 'New')
    })
  }
})
