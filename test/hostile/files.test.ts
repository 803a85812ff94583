/**
 * Files that never end: `-f` on a FIFO used to block `connect apply` and `rebalance create`
 * forever, past --timeout (a synchronous read cannot be interrupted). Only regular files are read.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadManifests, ManifestError } from '../../src/connect/manifest.ts'
import { runCli } from '../support/run-cli.ts'

const GOOD = 'kind: KafkaConnector\nmetadata: {name: orders}\nspec: {class: FileStreamSource}\n'
/** Long enough to be sure a blocked read is a hang, short of the test's own timeout. */
const KILL_AFTER_MS = 20_000

describe('-f on a FIFO or a device', () => {
  let dir: string
  let fifo: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steadfast-fifo-'))
    fifo = join(dir, 'pipe.yaml')
    execFileSync('mkfifo', [fifo])
    await writeFile(join(dir, 'good.yaml'), GOOD)
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  test('connect apply -f <fifo> is refused at once, naming the file', async () => {
    const { code, stderr } = await runCli(['connect', 'apply', '-f', fifo, '--url', 'http://127.0.0.1:1', '--timeout', '2s'], { killAfterMs: KILL_AFTER_MS })
    // A usage error (a bad file), as for rebalance create -f <fifo> below.
    assert.equal(code, 2)
    assert.match(stderr, new RegExp(`${fifo}: not a regular file`))
  })

  test('a FIFO among a directory\'s manifests is reported as one problem and not read', async () => {
    await assert.rejects(loadManifests(dir), (e: unknown) => {
      assert.ok(e instanceof ManifestError)
      assert.deepEqual(e.problems.map((p) => [p.file, p.message.split(';')[0]]), [[fifo, 'not a regular file (a FIFO, socket, device or directory)']])
      return true
    })
  })

  test('rebalance create -f <fifo> and -f /dev/zero are refused at once, naming the file', async () => {
    for (const file of [fifo, '/dev/zero']) {
      const { code, stderr } = await runCli(['rebalance', 'create', '-f', file, '--url', 'http://127.0.0.1:1', '--timeout', '2s', '--state-dir', dir], { killAfterMs: KILL_AFTER_MS })
      assert.equal(code, 2, file)
      assert.match(stderr, new RegExp(`^steadfast: -f: ${file} is not a regular file \\((a FIFO|a device)\\)`))
    }
  })

  test('connect offsets alter --offsets @<fifo> and --ca-file <fifo> are refused at once', async () => {
    const offsets = await runCli(['connect', 'offsets', 'alter', 'orders', '--offsets', `@${fifo}`, '--url', 'http://127.0.0.1:1', '--timeout', '2s'], { killAfterMs: KILL_AFTER_MS })
    assert.equal(offsets.code, 2)
    assert.match(offsets.stderr, /--offsets: .*pipe\.yaml is not a regular file \(a FIFO\)/)
    const ca = await runCli(['cc', 'state', '--ca-file', fifo, '--url', 'https://127.0.0.1:1', '--timeout', '2s'], { killAfterMs: KILL_AFTER_MS })
    assert.equal(ca.code, 2)
    assert.match(ca.stderr, /--ca-file: .*pipe\.yaml is not a regular file \(a FIFO\)/)
  })
})
