import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { desiredConfig, loadManifests, ManifestError, parseManifests, type ManifestProblem } from '../../src/connect/manifest.ts'

const GOOD = `apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: orders-source
  labels:
    team: data
spec:
  class: org.apache.kafka.connect.file.FileStreamSourceConnector
  tasksMax: 2
  state: paused
  autoRestart:
    maxRestarts: 5
  config:
    topic: orders
    batch.size: 100
    compact: true
`

describe('connector manifests', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'steadfast-manifests-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  test('a Strimzi-style KafkaConnector becomes a manifest with string config and defaults', () => {
    const [m] = parseManifests(GOOD, 'good.yaml')
    assert.deepEqual(m, {
      name: 'orders-source',
      class: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
      tasksMax: 2,
      config: { topic: 'orders', 'batch.size': '100', compact: 'true' },
      state: 'paused',
      autoRestart: { enabled: true, maxRestarts: 5 },
      labels: { team: 'data' },
      source: { file: 'good.yaml', document: 1 },
    })
    assert.deepEqual(desiredConfig(m!), {
      topic: 'orders', 'batch.size': '100', compact: 'true', 'connector.class': m!.class, 'tasks.max': '2', name: 'orders-source',
    })
    const [minimal] = parseManifests('kind: KafkaConnector\nmetadata: {name: m}\nspec: {class: FileStreamSource}\n', 'min.yaml')
    assert.equal(minimal?.tasksMax, 1)
    assert.equal(minimal?.state, 'running')
    assert.deepEqual(minimal?.autoRestart, { enabled: false })
  })

  test('every problem names the file, the document, the path inside it, the line and what is wrong', () => {
    const problems: ManifestProblem[] = []
    const text = `kind: KafkaConnector
metadata:
  name: a
spec:
  class: X
  tasksMax: two
  state: running
  config:
    tasks.max: 3
    nested: [1]
  bogus: 1
---
kind: Deployment
metadata: {}
spec:
  class: Y
  state: sleeping
---
kind: KafkaConnector
metadata: {name: b}
spec: {class: Z, config: {connector.class: Q}}
`
    assert.deepEqual(parseManifests(text, 'bad.yaml', problems), [])
    const summary = problems.map((p) => `${p.file}:${p.line ?? '?'} doc ${p.document} ${p.path}: ${p.message}`)
    assert.deepEqual(summary, [
      'bad.yaml:6 doc 1 spec.tasksMax: must be an integer >= 1, got "two"',
      'bad.yaml:10 doc 1 spec.config.nested: must be a string, number or boolean',
      'bad.yaml:11 doc 1 spec.bogus: unknown field',
      'bad.yaml:13 doc 2 kind: must be KafkaConnector, got "Deployment"',
      'bad.yaml:14 doc 2 metadata.name: is required',
      'bad.yaml:17 doc 2 spec.state: must be running, paused or stopped, got "sleeping"',
      'bad.yaml:21 doc 3 spec.config.connector.class: set by spec.class; remove it from spec.config',
    ])
  })

  test('tasksMax is bounded like Connect\'s tasks.max, a Java int', () => {
    const doc = (n: string): string => `kind: KafkaConnector\nmetadata: {name: m}\nspec:\n  class: C\n  tasksMax: ${n}\n`
    const problems: ManifestProblem[] = []
    assert.equal(parseManifests(doc('2147483647'), 'max.yaml', problems)[0]?.tasksMax, 2147483647)
    for (const n of ['2147483648', '999999999999', '1e400']) parseManifests(doc(n), 'big.yaml', problems)
    assert.deepEqual(problems.map((p) => `${p.file}:${p.line ?? '?'} ${p.path}: ${p.message}`), [
      'big.yaml:5 spec.tasksMax: must be at most 2147483647 (tasks.max is a Java int)',
      'big.yaml:5 spec.tasksMax: must be at most 2147483647 (tasks.max is a Java int)',
      'big.yaml:5 spec.tasksMax: must be an integer >= 1, got Infinity',
    ])
  })

  test('YAML syntax errors are reported with their line', () => {
    const problems: ManifestProblem[] = []
    parseManifests('kind: KafkaConnector\nmetadata: {name: a\n', 'syntax.yaml', problems)
    assert.equal(problems.length > 0, true)
    assert.equal(problems[0]?.file, 'syntax.yaml')
    assert.match(problems[0]?.message ?? '', /^YAML syntax: /)
  })

  test('a directory is read file by file; duplicates across files and bad files fail as one ManifestError', async () => {
    await writeFile(join(dir, 'a.yaml'), GOOD)
    await writeFile(join(dir, 'b.yml'), GOOD.replace('tasksMax: 2', 'tasksMax: 0'))
    await writeFile(join(dir, 'c.yaml'), GOOD)
    await writeFile(join(dir, 'notes.txt'), 'not a manifest')
    await assert.rejects(loadManifests(dir), (e: unknown) => {
      assert.ok(e instanceof ManifestError)
      assert.equal(e.code, 'STEADFAST_ERR_MANIFEST')
      assert.deepEqual(e.problems.map((p) => `${p.file.slice(dir.length + 1)} ${p.path}: ${p.message}`), [
        'b.yml spec.tasksMax: must be an integer >= 1',
        `c.yaml metadata.name: connector orders-source is already declared in ${join(dir, 'a.yaml')} (document 1)`,
      ])
      assert.match(e.message, /b\.yml:9 \(document 1\): spec\.tasksMax: must be an integer >= 1/)
      return true
    })
    await rm(join(dir, 'b.yml'))
    await rm(join(dir, 'c.yaml'))
    assert.deepEqual((await loadManifests(dir)).map((m) => m.name), ['orders-source'])
    assert.deepEqual((await loadManifests(join(dir, 'a.yaml'))).map((m) => m.name), ['orders-source'])
    await assert.rejects(loadManifests(join(dir, 'missing.yaml')), /cannot read .*missing\.yaml/)
    await mkdir(join(dir, 'folder.yaml'))
    await assert.rejects(loadManifests(dir), (e: unknown) => e instanceof ManifestError &&
      e.message === `invalid connector manifest:\n  ${join(dir, 'folder.yaml')}: not a regular file (a FIFO, socket, device or directory); manifests are read from regular files only`)
  })

  test('any valid name, class and integer tasksMax round-trips through YAML', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9._-]{0,30}$/)
    fc.assert(fc.property(name, fc.integer({ min: 1, max: 1000 }), fc.dictionary(fc.stringMatching(/^[a-z][a-z.]{0,10}$/), fc.string()), (n, tasks, config) => {
      fc.pre(!['name', 'tasks.max', 'connector.class'].includes(n))
      const clean = Object.fromEntries(Object.entries(config).filter(([k]) => !['name', 'tasks.max', 'connector.class'].includes(k)))
      const yaml = `kind: KafkaConnector\nmetadata:\n  name: ${JSON.stringify(n)}\nspec:\n  class: C\n  tasksMax: ${tasks}\n  config: ${JSON.stringify(clean)}\n`
      const problems: ManifestProblem[] = []
      const [m] = parseManifests(yaml, 'p.yaml', problems)
      assert.deepEqual(problems, [])
      assert.equal(m?.name, n)
      assert.equal(m?.tasksMax, tasks)
      assert.deepEqual(m?.config, clean)
    }), { numRuns: 100 })
  })
})
