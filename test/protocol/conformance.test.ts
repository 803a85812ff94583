/**
 * Holds every descriptor against Kafka's own JSON message definitions, when the folder
 * ../shared/kafka-message-specs (relative to the repository root) is present.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { apis, parseRange } from '../../src/protocol/index.ts'
import type { Field } from '../../src/protocol/index.ts'

const specDir = fileURLToPath(new URL('../../../shared/kafka-message-specs/', import.meta.url))

interface SpecField {
  name: string
  type: string
  versions: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  default?: string
  fields?: SpecField[]
}

interface Spec {
  apiKey: number
  validVersions: string
  flexibleVersions: string
  fields: SpecField[]
  commonStructs?: Array<{ name: string, fields: SpecField[] }>
}

function readSpec (name: string): Spec {
  const text = readFileSync(`${specDir}${name}.json`, 'utf8')
  return JSON.parse(text.split('\n').filter(line => !line.trimStart().startsWith('//')).join('\n'))
}

function camel (name: string): string {
  return name[0].toLowerCase() + name.slice(1)
}

function expectedDefault (field: SpecField): unknown {
  if (field.default === undefined) return undefined
  if (field.default === 'null') return null
  if (field.type === 'bool') return field.default === 'true'
  if (field.type === 'int64') return BigInt(field.default)
  if (field.type === 'string') return field.default
  return Number(field.default)
}

function compareFields (actual: readonly Field[], expected: SpecField[], common: Map<string, SpecField[]>, path: string): void {
  assert.deepEqual(actual.map(field => field.name), expected.map(field => camel(field.name)), `${path}: field names and order`)
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i]
    const have = actual[i]
    const where = `${path}.${have.name}`
    assert.equal(have.type, want.type, `${where}: type`)
    assert.deepEqual(have.versions, parseRange(want.versions), `${where}: versions`)
    assert.deepEqual(have.nullableVersions, want.nullableVersions === undefined ? null : parseRange(want.nullableVersions), `${where}: nullableVersions`)
    assert.deepEqual(have.taggedVersions, want.taggedVersions === undefined ? null : parseRange(want.taggedVersions), `${where}: taggedVersions`)
    assert.equal(have.tag, want.tag ?? null, `${where}: tag`)
    assert.equal(have.default, expectedDefault(want), `${where}: default`)
    const inner = want.type.replace(/^\[\]/, '')
    const nested = want.fields ?? common.get(inner)
    if (nested === undefined) assert.equal(have.fields, null, `${where}: scalar field has no nested fields`)
    else compareFields(have.fields ?? [], nested, common, where)
  }
}

test('descriptors match Kafka\'s message definitions', (t) => {
  if (!existsSync(specDir)) {
    t.diagnostic(`${specDir} is absent: conformance not checked`)
    t.skip('Kafka message definitions not present')
    return
  }
  for (const api of Object.values(apis)) {
    for (const side of ['Request', 'Response'] as const) {
      const spec = readSpec(`${api.name}${side}`)
      const where = `${api.name}${side}`
      assert.equal(api.apiKey, spec.apiKey, `${where}: apiKey`)
      assert.deepEqual([api.minVersion, api.maxVersion], parseRange(spec.validVersions), `${where}: validVersions`)
      const flexible = parseRange(spec.flexibleVersions)
      assert.equal(api.flexibleFrom, flexible === null ? null : flexible[0], `${where}: flexibleVersions`)
      const common = new Map((spec.commonStructs ?? []).map(struct => [struct.name, struct.fields]))
      compareFields(side === 'Request' ? api.request : api.response, spec.fields, common, where)
    }
  }
})
