/**
 * The layers of DESIGN.md, plus rest/ (docs/design-notes.md), held to the source: a module imports
 * only from its own folder, its own layer, or layers below it. testkit/ sits beside the stack: it
 * uses the layers up to network/, and only the user-facing layers use it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src')

/** Top to bottom; folders on one line are one layer. */
const LAYERS = [
  ['cli', 'agent'],
  ['processor'],
  ['admin', 'producer', 'consumer'],
  ['connect', 'cruise-control'],
  ['rest'],
  ['cluster'],
  ['network'],
  ['protocol'],
  ['resilience'],
  ['observability'],
]
const TESTKIT_USES = ['network', 'protocol', 'resilience', 'observability']
const TESTKIT_USERS = ['cli', 'agent']

const rank = (folder: string): number => LAYERS.findIndex((layer) => layer.includes(folder))

/** Whether a module in folder `from` may import one in folder `to`; the package entry (src/index.ts) may import anything. */
function allowed (from: string, to: string): boolean {
  if (from === to || from === '') return true
  if (to === 'testkit') return TESTKIT_USERS.includes(from)
  if (from === 'testkit') return TESTKIT_USES.includes(to)
  const a = rank(from)
  const b = rank(to)
  return a >= 0 && b >= 0 && b >= a
}

async function sources (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(entries.map(async (e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return await sources(path)
    return e.name.endsWith('.ts') ? [path] : []
  }))
  return nested.flat()
}

const folderOf = (file: string): string => {
  const parts = relative(SRC, file).split(sep)
  return parts.length > 1 ? parts[0] as string : ''
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm

test('every folder of src/ is in the layer list', async () => {
  const folders = (await readdir(SRC, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  const unplaced = folders.filter((f) => f !== 'testkit' && rank(f) < 0)
  assert.deepEqual(unplaced, [], 'a new folder needs its place in LAYERS (and in docs/design-notes.md)')
})

test('no module imports from a layer above its own', async () => {
  const upward: string[] = []
  const crossings = new Set<string>()
  for (const file of await sources(SRC)) {
    const from = folderOf(file)
    for (const match of (await readFile(file, 'utf8')).matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), match[1] as string)
      const to = folderOf(target)
      if (from !== to) crossings.add(`${from} -> ${to}`)
      if (!allowed(from, to)) upward.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`)
    }
  }
  assert.deepEqual(upward, [])
  // The scan sees imports at all: these crossings are known to exist.
  for (const known of ['connect -> rest', 'cruise-control -> rest', 'rest -> resilience', 'cluster -> network', 'resilience -> observability']) {
    assert.ok(crossings.has(known), `${known} not seen`)
  }
})

test('the rule itself: down and sideways within a layer pass, up and into the testkit do not', () => {
  assert.deepEqual(
    [allowed('connect', 'rest'), allowed('rest', 'resilience'), allowed('cli', 'agent'), allowed('agent', 'testkit'), allowed('testkit', 'network')],
    [true, true, true, true, true])
  assert.deepEqual(
    [allowed('rest', 'connect'), allowed('resilience', 'rest'), allowed('cluster', 'rest'), allowed('producer', 'testkit'), allowed('testkit', 'cluster')],
    [false, false, false, false, false])
})
