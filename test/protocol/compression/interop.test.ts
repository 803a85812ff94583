/**
 * Frames written by the reference command-line tools (lz4 1.9.4, zstd 1.5.4, gzip), kept as
 * fixtures: independent and dependent lz4 blocks with block and content checksums, zstd with and
 * without a declared content size (as streaming writers such as Java's make), gzip.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { codecByName } from '../../../src/protocol/compression/index.ts'
import type { CompressionName } from '../../../src/protocol/compression/index.ts'
import { declaredContentSize } from '../../../src/protocol/compression/zstd.ts'

/** The fixtures' input: 2000 lines, 78 670 bytes. */
function fixtureText (): Buffer {
  let text = ''
  for (let i = 0; i < 2000; i++) text += `record ${i} value ${(i * 7919) % 1000} steadfast interop\n`
  return Buffer.from(text)
}

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, import.meta.url))

const CASES: Array<[CompressionName, string]> = [
  ['lz4', 'lz4-cli-independent.lz4'],
  ['lz4', 'lz4-cli-dependent-checksums.lz4'],
  ['zstd', 'zstd-cli-sized.zst'],
  ['zstd', 'zstd-cli-streamed.zst'],
  ['gzip', 'gzip-cli.gz'],
]

for (const [codec, file] of CASES) {
  test(`${codec} reads ${file} from the reference tool`, async () => {
    const expected = fixtureText()
    assert.equal(expected.length, 78670)
    assert.deepEqual(await codecByName(codec).decompress(fixture(file)), expected)
  })
}

test('the lz4 fixtures exercise both block modes with checksums', () => {
  assert.equal(fixture('lz4-cli-independent.lz4')[4] & 0x34, 0x24)
  assert.equal(fixture('lz4-cli-dependent-checksums.lz4')[4] & 0x34, 0x14)
})

test('the streamed zstd fixture declares no content size; the other does', () => {
  assert.equal(declaredContentSize(fixture('zstd-cli-streamed.zst')), undefined)
  assert.equal(declaredContentSize(fixture('zstd-cli-sized.zst')), 78670)
})
