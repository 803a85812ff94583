import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadDeclared } from '../../src/agent/manifests.ts'
import { ManifestError } from '../../src/connect/manifest.ts'

async function dirWith (t: { after: (fn: () => Promise<void>) => void }, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-manifests-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return dir
}

test('connectors and rebalances mixed in one file, with their annotations', async (t) => {
  const dir = await dirWith(t, {
    'all.yaml': [
      'kind: KafkaConnector',
      'metadata: { name: sink, annotations: { strimzi.io/restart: "true" } }',
      'spec: { class: org.example.Sink, tasksMax: 2 }',
      '---',
      'kind: KafkaRebalance',
      'metadata: { name: grow, annotations: { strimzi.io/rebalance: approve } }',
      'spec: { mode: add-brokers, brokers: [4] }',
    ].join('\n'),
    'notes.txt': 'not a manifest',
  })
  const declared = await loadDeclared(dir)
  assert.deepEqual(declared.connectors.map((c) => [c.manifest.name, c.manifest.tasksMax, c.annotations]), [['sink', 2, { 'strimzi.io/restart': 'true' }]])
  assert.deepEqual(declared.rebalances.map((r) => [r.manifest.metadata.name, r.manifest.spec.brokers, r.annotations, r.source.document]), [['grow', [4], { 'strimzi.io/rebalance': 'approve' }, 2]])
})

test('problems of both kinds, and unknown kinds, at once with file, document, line and key', async (t) => {
  const dir = await dirWith(t, {
    'a.yaml': [
      'kind: KafkaConnector',
      'metadata: { name: sink }',
      'spec:',
      '  class: org.example.Sink',
      '  tasksMax: 0',
      '---',
      'kind: KafkaRebalance',
      'metadata: { name: grow }',
      'spec:',
      '  mode: add-brokers',
      '---',
      'kind: KafkaTopic',
      'metadata: { name: t }',
    ].join('\n'),
    'b.yaml': 'kind: KafkaRebalance\nmetadata: { name: grow }\n',
    'c.yaml': 'kind: KafkaRebalance\nmetadata: { name: grow }\n',
  })
  await assert.rejects(loadDeclared(dir), (error: unknown) => {
    assert.ok(error instanceof ManifestError)
    const found = error.problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line ?? '-'} (${p.document}) ${p.path}: ${p.message}`)
    assert.deepEqual(found, [
      'a.yaml:10 (2) spec.brokers: required when mode is add-brokers',
      'a.yaml:12 (3) kind: must be one of KafkaConnector, KafkaRebalance, got "KafkaTopic"',
      'a.yaml:5 (1) spec.tasksMax: must be an integer >= 1',
      'c.yaml:- (1) metadata.name: rebalance grow is already declared in ' + join(dir, 'b.yaml') + ' (document 1)',
    ])
    return true
  })
})
