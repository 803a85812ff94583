/**
 * scripts/run-lanes.mjs puts a test file in the real-Kafka lane (two at a time) by its path, so a
 * file that starts Kafka or Connect JVMs must say "real" in its path: one that did not would run
 * in the other lane, beside two clusters, and three clusters at once slow every timing in them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** What a test file names when it starts JVMs itself: the rig's classes, or the sandbox's real engine (in code or on its command line). */
const STARTS_JVMS = /\bRealCluster\b|\brealClusterSuite\b|\bRealConnect\b|engine: 'real'|'--engine', 'real'|support\/real-connect\.ts/

function testFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])
}

test('every test file that starts real Kafka or Connect runs in the real-Kafka lane, and no other file does', () => {
  const files = testFiles('test').sort()
  const listed = execFileSync(process.execPath, ['scripts/run-lanes.mjs', '--list', ...files], { encoding: 'utf8' })
  const lanes = new Map(listed.trimEnd().split('\n').map((line) => line.split('\t') as [string, string]).map(([lane, file]) => [file, lane]))
  assert.deepEqual(files.filter((f) => !lanes.has(f)), [], `every file has a lane; run-lanes --list printed:\n${listed}`)
  assert.equal(lanes.size, files.length, `no other line; run-lanes --list printed:\n${listed}`)
  const starting = files.filter((f) => f !== 'test/lanes.test.ts' && STARTS_JVMS.test(readFileSync(f, 'utf8')))
  assert.ok(starting.length >= 25, `the markers still find the real-Kafka files (${starting.length})`)
  assert.deepEqual(starting.filter((f) => lanes.get(f) !== 'real Kafka'), [], 'files that start JVMs outside the real-Kafka lane')
  const other = files.filter((f) => lanes.get(f) === 'real Kafka' && !starting.includes(f))
  assert.deepEqual(other, ['test/real/delivery-audit.test.ts'], 'the real-Kafka lane holds only those (and the audit helper\'s own test beside them)')
})
