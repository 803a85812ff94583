/**
 * Hostile manifests. A YAML alias bomb said `Excessive alias count…` with no file and no code; a
 * garbage manifest of 1 MB produced 18 MB of error text; a file that cannot be read (ELOOP,
 * EISDIR) hid the problems found in the others.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadManifests, ManifestError, PROBLEMS_LISTED } from '../../src/connect/manifest.ts'
import { runCli } from '../support/run-cli.ts'

/** Nine aliases per level, eight levels: 9^8 nodes once expanded. */
function aliasBomb (): string {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
  for (let i = 1; i <= 8; i++) {
    const prev = String.fromCharCode(96 + i)
    const name = String.fromCharCode(97 + i)
    levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`)
  }
  return levels.join('\n') + '\n'
}

const GOOD = 'kind: KafkaConnector\nmetadata: {name: orders}\nspec: {class: FileStreamSource}\n'
const BAD = 'kind: KafkaConnector\nmetadata: {name: audit}\nspec: {class: FileStreamSource, tasksMax: 0}\n'

describe('hostile manifests', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'steadfast-manifests-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  test('an alias bomb is a problem naming the file, for connect apply and rebalance create', async () => {
    const file = join(dir, 'bomb.yaml')
    await writeFile(file, aliasBomb())
    const apply = await runCli(['connect', 'apply', '-f', file, '--dry-run', '--url', 'http://127.0.0.1:1'])
    // 2, a usage error, as for rebalance create: with --dry-run, 1 would read as "there are changes".
    assert.equal(apply.code, 2)
    assert.equal(apply.stderr, `steadfast: invalid connector manifest:\n  ${file} (document 1): YAML: Excessive alias count indicates a resource exhaustion attack [STEADFAST_ERR_MANIFEST]\n`)
    const create = await runCli(['rebalance', 'create', '-f', file, '--url', 'http://127.0.0.1:1', '--state-dir', dir])
    assert.equal(create.code, 2)
    assert.equal(create.stderr, `steadfast: ${file}: not valid YAML: Excessive alias count indicates a resource exhaustion attack [STEADFAST_ERR_INVALID_ARGUMENT]\n`)
  })

  test('an invalid agent config is a usage error too: exit 2, the file, line and key named', async () => {
    const file = join(dir, 'agent.yaml')
    await writeFile(file, 'foo: 1\n')
    assert.deepEqual(await runCli(['agent', '--config', file]), { code: 2, stdout: '', stderr: `steadfast: invalid agent config:\n  ${file}:1: foo: unknown field [STEADFAST_ERR_AGENT_CONFIG]\n` })
  })

  test('a garbage manifest lists the first problems and counts the rest', async () => {
    const file = join(dir, 'garbage', 'garbage.yaml')
    await mkdir(join(dir, 'garbage'))
    await writeFile(file, 'kind: Foo\n---\n'.repeat(20_000))
    await assert.rejects(loadManifests(file), (e: unknown) => {
      assert.ok(e instanceof ManifestError)
      assert.equal(e.problems.length, 60_000, 'every problem is kept for callers')
      const lines = e.message.split('\n')
      assert.equal(lines.length, 1 + PROBLEMS_LISTED + 1)
      assert.equal(lines.at(-1), `  … and ${60_000 - PROBLEMS_LISTED} more problem(s)`)
      return true
    })
    const { code, stderr } = await runCli(['connect', 'apply', '-f', file, '--dry-run', '--url', 'http://127.0.0.1:1'])
    assert.equal(code, 2)
    assert.ok(stderr.length < 4096, `${stderr.length} bytes of error text`)
    assert.match(stderr, /… and 59980 more problem\(s\) \[STEADFAST_ERR_MANIFEST\]\n$/)
  })

  test('files that cannot be read (ELOOP, EISDIR) are problems beside those of the other files', async () => {
    const mixed = join(dir, 'mixed')
    await mkdir(mixed)
    await writeFile(join(mixed, 'a-good.yaml'), GOOD)
    await writeFile(join(mixed, 'b-bad.yaml'), BAD)
    await symlink(join(mixed, 'c-loop.yaml'), join(mixed, 'c-loop.yaml'))
    await mkdir(join(mixed, 'd-dir.yaml'))
    await assert.rejects(loadManifests(mixed), (e: unknown) => {
      assert.ok(e instanceof ManifestError)
      assert.deepEqual(e.problems.map((p) => [p.file.slice(mixed.length + 1), p.path, p.message.split(':')[0]]), [
        ['b-bad.yaml', 'spec.tasksMax', 'must be an integer >= 1'],
        ['c-loop.yaml', '', 'cannot read'],
        ['d-dir.yaml', '', 'not a regular file (a FIFO, socket, device or directory); manifests are read from regular files only'],
      ])
      assert.match(e.problems[1]?.message ?? '', /ELOOP/)
      return true
    })
  })
})
