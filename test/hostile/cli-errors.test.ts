/**
 * What a person sees when a Connect or Cruise Control command fails. It used to be several JSON
 * log lines (one per retry) before the error, and an empty `answered 307:` for a redirect. Now it
 * is one line naming the URL by default; the retries are shown with --verbose.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closedPort } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'

/** The environment a person has: no STEADFAST_LOG_LEVEL. */
const USER_ENV = { STEADFAST_LOG_LEVEL: undefined }

describe('Connect and Cruise Control command failures', () => {
  let url: string
  let dir: string
  let redirecting: Server
  let redirectUrl: string

  before(async () => {
    url = `http://127.0.0.1:${await closedPort()}`
    dir = await mkdtemp(join(tmpdir(), 'steadfast-cli-errors-'))
    redirecting = createServer((_req, res) => { res.writeHead(307, { location: 'https://connect.example:8443/connectors' }).end() })
    redirecting.listen(0, '127.0.0.1')
    await once(redirecting, 'listening')
    redirectUrl = `http://127.0.0.1:${(redirecting.address() as { port: number }).port}`
  })
  after(async () => {
    redirecting.close()
    await rm(dir, { recursive: true, force: true })
  })

  const commands = (rebalance: string): Array<[string, string[]]> => [
    ['connect get', ['connect', 'get', 'orders', '--url', url]],
    ['cc state', ['cc', 'state', '--url', url]],
    ['rebalance create', ['rebalance', 'create', '--mode', 'full', '--name', rebalance, '--url', url, '--state-dir', dir]],
  ]

  test('by default: one line on stderr, naming the URL, and no log lines', async () => {
    for (const [name, args] of commands('quiet')) {
      const { code, stderr } = await runCli([...args, '--timeout', '1500ms'], { env: USER_ENV })
      assert.equal(code, 1, name)
      const lines = stderr.trimEnd().split('\n')
      assert.equal(lines.length, 1, `${name}: ${stderr}`)
      assert.match(lines[0] ?? '', /^steadfast: .*ECONNREFUSED/, name)
      assert.ok((lines[0] ?? '').includes(url.slice('http://'.length)), `${name} names the address: ${stderr}`)
    }
  })

  test('--verbose: the retries are logged before the error', async () => {
    for (const [name, args] of commands('verbose')) {
      const { code, stderr } = await runCli([...args, '--timeout', '1500ms', '--verbose'], { env: USER_ENV })
      assert.equal(code, 1, name)
      const logs = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string, reason?: string })
      assert.ok(logs.some((l) => /^retrying /.test(l.msg) && l.reason === 'econnrefused'), `${name}: ${stderr}`)
      assert.match(stderr, /\nsteadfast: .*\n$/)
    }
  })

  test('a redirect says where it points, not an empty "answered 307:"', async () => {
    const { code, stderr } = await runCli(['connect', 'get', 'orders', '--url', redirectUrl, '--timeout', '2s'], { env: USER_ENV })
    assert.equal(code, 1)
    assert.equal(stderr, `steadfast: Connect GET ${redirectUrl}/connectors/orders answered 307 (a redirect, to https://connect.example:8443/connectors; redirects are not followed: use the URL it points to) [STEADFAST_ERR_HTTP]\n`)
  })
})
