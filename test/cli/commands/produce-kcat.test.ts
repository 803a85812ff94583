/**
 * kcat parity for `steadfast produce`: the same input and the equivalent flags given to `kcat -P`
 * and to `steadfast produce`, each writing to its own topic of the mock cluster, and kcat reading
 * both back (JSON envelope: key, value, headers, partition, with nulls told apart from empties).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { MockCluster } from '../../../src/testkit/mock-cluster/mock-cluster.ts'
import { runCli } from '../../support/run-cli.ts'

const run = promisify(execFile)

interface Stored { partition: number, key: string | null, payload: string | null, headers: string[] | null }

async function readAll (bootstrap: string, topic: string): Promise<Stored[]> {
  const { stdout } = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-J'], { timeout: 20_000 })
  return stdout.split('\n').filter((l) => l !== '').map((l) => {
    const r = JSON.parse(l) as Stored & Record<string, unknown>
    return { partition: r.partition, key: r.key, payload: r.payload, headers: r.headers ?? null }
  }).sort((a, b) => a.partition - b.partition)
}

async function kcatProduce (bootstrap: string, topic: string, args: string[], stdin: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', ['-P', '-b', bootstrap, '-t', topic, ...args], { timeout: 20_000 }, (error) => { if (error === null) resolve(); else reject(error) })
    child.stdin?.end(stdin)
  })
}

const CASES: Array<{ name: string, kcat: string[], steadfast: string[], stdin: string, records: number }> = [
  { name: 'key separator -K', kcat: ['-p', '0', '-K', ':'], steadfast: ['-p', '0', '-K', ':'], stdin: 'k1:v1\nk2:v:2\n', records: 2 },
  { name: 'fixed key -k, headers -H', kcat: ['-p', '1', '-k', 'user-7', '-H', 'a=1', '-H', 'b=x=y'], steadfast: ['-p', '1', '-k', 'user-7', '-H', 'a=1', '-H', 'b=x=y'], stdin: 'one\ntwo\n', records: 2 },
  { name: 'record delimiter -D', kcat: ['-p', '0', '-D', ';;'], steadfast: ['-p', '0', '-D', ';;'], stdin: 'a\nb;;c;;;d', records: 3 },
  { name: 'empty values as null (kcat -Z)', kcat: ['-p', '0', '-K', ':', '-Z'], steadfast: ['-p', '0', '-K', ':', '--null-value', ''], stdin: 'k1:\nk2:v2\n', records: 2 },
  { name: 'count -c', kcat: ['-p', '0', '-c', '2'], steadfast: ['-p', '0', '-c', '2'], stdin: 'a\nb\nc\nd\n', records: 2 },
]

describe('steadfast produce writes what kcat -P writes', { timeout: 120_000 }, () => {
  let mock: MockCluster
  let dir: string
  const topics = CASES.flatMap((_, i) => [`kcat-${i}`, `steadfast-${i}`]).concat(['kcat-file', 'steadfast-file', 'kcat-json', 'steadfast-json'])
  before(async () => {
    mock = await MockCluster.start({ brokers: 1, topics: topics.map((name) => ({ name, partitions: 3 })) })
    dir = await mkdtemp(join(tmpdir(), 'steadfast-produce-'))
  })
  after(async () => {
    await mock.stop()
    await rm(dir, { recursive: true, force: true })
  })

  for (const [i, c] of CASES.entries()) {
    test(c.name, async () => {
      await kcatProduce(mock.bootstrap, `kcat-${i}`, c.kcat, c.stdin)
      const ours = await runCli(['produce', '-b', mock.bootstrap, '-t', `steadfast-${i}`, ...c.steadfast], { stdin: c.stdin })
      assert.equal(ours.code, 0, ours.stderr)
      const expected = await readAll(mock.bootstrap, `kcat-${i}`)
      assert.equal(expected.length, c.records)
      assert.deepEqual(await readAll(mock.bootstrap, `steadfast-${i}`), expected)
    })
  }

  test('--file reads the lines of a file, as kcat -l does', async () => {
    const file = join(dir, 'records.txt')
    await writeFile(file, 'k1:from file\nk2:again\n')
    await run('kcat', ['-P', '-b', mock.bootstrap, '-t', 'kcat-file', '-p', '2', '-K', ':', '-l', file], { timeout: 20_000 })
    const ours = await runCli(['produce', '-b', mock.bootstrap, '-t', 'steadfast-file', '-p', '2', '-K', ':', '--file', file])
    assert.equal(ours.code, 0, ours.stderr)
    assert.deepEqual(await readAll(mock.bootstrap, 'steadfast-file'), await readAll(mock.bootstrap, 'kcat-file'))
    assert.equal((await readAll(mock.bootstrap, 'steadfast-file')).length, 2)
  })

  test('--format json: key, value, headers and partition per line; null key and value', async () => {
    await kcatProduce(mock.bootstrap, 'kcat-json', ['-p', '1', '-K', ':', '-H', 'h=x'], 'k:v1\n')
    // kcat -Z sends an empty key and an empty value as nulls (it skips an empty line).
    await kcatProduce(mock.bootstrap, 'kcat-json', ['-p', '2', '-K', ':', '-H', 'h=x', '-Z'], ':\n')
    const lines = ['{"key":"k","value":"v1","headers":{"h":"x"},"partition":1}', '{"key":null,"value":null,"headers":{"h":"x"},"partition":2}']
    const ours = await runCli(['produce', '-b', mock.bootstrap, '-t', 'steadfast-json', '--format', 'json'], { stdin: lines.join('\n') + '\n' })
    assert.equal(ours.code, 0, ours.stderr)
    const expected = await readAll(mock.bootstrap, 'kcat-json')
    assert.deepEqual(expected.map((r) => [r.partition, r.key, r.payload]), [[1, 'k', 'v1'], [2, null, null]])
    assert.deepEqual(await readAll(mock.bootstrap, 'steadfast-json'), expected)
  })

  test('bad input: a line that is not a record object fails alone; clashing flags are usage errors', async () => {
    const bad = await runCli(['produce', '-b', mock.bootstrap, '-t', 'steadfast-json', '--format', 'json', '-o', 'json'], { stdin: '{"value":"ok","partition":0}\n[1]\n{"valu":"typo"}\n' })
    assert.equal(bad.code, 1)
    const summary = JSON.parse(bad.stdout)
    assert.deepEqual(summary.results.filter((r: { error?: string }) => r.error !== undefined), [
      { line: 2, error: 'line 2 is not a JSON object' },
      { line: 3, error: 'line 3 has unknown field(s) valu (known: key, value, headers, partition)' },
    ])
    const both = await runCli(['produce', '-b', mock.bootstrap, '-t', 'steadfast-0', '-k', 'x', '-K', ':'])
    assert.equal(both.code, 2)
    assert.match(both.stderr, /--key and --key-separator exclude each other/)
    const escape = await runCli(['produce', '-b', mock.bootstrap, '-t', 'steadfast-0', '-D', '\\q'])
    assert.equal(escape.code, 2)
    assert.match(escape.stderr, /--delimiter: "\\q" is not an escape/)
  })
})
