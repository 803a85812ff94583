/**
 * Credentials over cleartext and CA files that are not CA files. Credentials sent to http:// URLs
 * went without a word; a non-PEM --ca-file was accepted and only surfaced later as "self-signed
 * certificate". Now: one warning line (silenced by --allow-insecure-auth), and the CA file is
 * refused at once, naming it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { closedPort } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'

const VALID_CA = fileURLToPath(new URL('../cruise-control/tls/server-cert.pem', import.meta.url))
const WARNING = /^steadfast: warning: credentials go in cleartext to (.*) \(http:\/\/, not https:\/\/\); --allow-insecure-auth silences this$/m

describe('credentials over cleartext', () => {
  let url: string
  let other: string
  before(async () => {
    url = `http://127.0.0.1:${await closedPort()}`
    other = `http://127.0.0.1:${await closedPort()}`
  })

  test('connect --user to two http:// workers warns once, naming both', async () => {
    const { code, stderr } = await runCli(['connect', 'get', '--url', `${url},${other}`, '--user', 'alice', '--timeout', '500ms'], { env: { STEADFAST_CONNECT_PASSWORD: 'pw-123' } })
    assert.equal(code, 1)
    assert.equal(stderr.match(new RegExp(WARNING.source, 'gm'))?.length, 1, stderr)
    assert.equal(WARNING.exec(stderr)?.[1], `${url}, ${other}`)
  })

  test('cc with --user warns; a credential header and a URL password count too', async () => {
    const cc = await runCli(['cc', 'state', '--url', url, '--user', 'alice', '--timeout', '500ms'], { env: { STEADFAST_CRUISE_CONTROL_PASSWORD: 'pw-123' } })
    assert.match(cc.stderr, WARNING)
    const header = await runCli(['connect', 'get', '--url', url, '--header', 'Authorization=Bearer abcDEF123', '--timeout', '500ms'])
    assert.match(header.stderr, WARNING)
    const inUrl = await runCli(['connect', 'get', '--url', url.replace('http://', 'http://bob:pw-in-url@'), '--timeout', '500ms'])
    assert.equal(WARNING.exec(inUrl.stderr)?.[1], url, 'the warning names the URL without its credentials')
    assert.doesNotMatch(inUrl.stderr, /pw-in-url/)
  })

  test('no warning without credentials, or with --allow-insecure-auth', async () => {
    const bare = await runCli(['connect', 'get', '--url', url, '--timeout', '500ms'])
    assert.equal(bare.code, 1)
    assert.doesNotMatch(bare.stderr, /warning/)
    const allowed = await runCli(['cc', 'state', '--url', url, '--user', 'alice', '--allow-insecure-auth', '--timeout', '500ms'], { env: { STEADFAST_CRUISE_CONTROL_PASSWORD: 'pw-123' } })
    assert.equal(allowed.code, 1)
    assert.doesNotMatch(allowed.stderr, /warning/)
  })
})

describe('--ca-file that is not a CA file', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'steadfast-ca-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  test('a file without PEM certificates is refused at once, naming it', async () => {
    const file = join(dir, 'not-a-ca.pem')
    await writeFile(file, 'this is not a certificate\n')
    for (const command of [['connect', 'get'], ['cc', 'state']]) {
      const { code, stderr } = await runCli([...command, '--url', 'https://127.0.0.1:1', '--ca-file', file, '--timeout', '500ms'])
      assert.equal(code, 2)
      assert.equal(stderr, `steadfast: --ca-file: ${file} holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks) [STEADFAST_ERR_INVALID_ARGUMENT]\n`)
    }
  })

  test('a PEM block that does not parse is refused, naming the certificate and the file', async () => {
    const file = join(dir, 'broken.pem')
    await writeFile(file, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n')
    const { code, stderr } = await runCli(['cc', 'state', '--url', 'https://127.0.0.1:1', '--ca-file', file, '--timeout', '500ms'])
    assert.equal(code, 2)
    assert.match(stderr, new RegExp(`^steadfast: --ca-file: certificate 1 in ${file} cannot be read: `))
  })

  test('a missing file is named; a valid PEM file is accepted (the command then fails on the connection)', async () => {
    const missing = await runCli(['cc', 'state', '--url', 'https://127.0.0.1:1', '--ca-file', join(dir, 'missing.pem'), '--timeout', '500ms'])
    assert.match(missing.stderr, /^steadfast: --ca-file: cannot read .*missing\.pem: ENOENT/)
    const valid = await runCli(['cc', 'state', '--url', `https://127.0.0.1:${await closedPort()}`, '--ca-file', VALID_CA, '--timeout', '500ms'])
    assert.equal(valid.code, 1)
    assert.doesNotMatch(valid.stderr, /--ca-file/)
    assert.match(valid.stderr, /ECONNREFUSED/)
  })
})
