/** `rebalance create -f` and Strimzi's strimzi.io/rebalance request annotation. */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { manifestsFromOptions } from '../../../src/cli/commands/rebalance.ts'
import { isAutoApproved } from '../../../src/cruise-control/manifest.ts'

describe('strimzi.io/rebalance in a manifest given to rebalance create', () => {
  test('approve is honoured as approval of the proposal; refresh and stop are refused, naming their commands', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'steadfast-rebalance-'))
    t.after(async () => { await rm(dir, { recursive: true, force: true }) })
    const file = async (request: string): Promise<string> => {
      const path = join(dir, `${request}.yaml`)
      await writeFile(path, `kind: KafkaRebalance\nmetadata:\n  name: r1\n  annotations:\n    strimzi.io/rebalance: ${request}\nspec: {}\n`)
      return path
    }
    const options = (path: string): Parameters<typeof manifestsFromOptions>[0] => ({ file: path, name: 'unused', wait: false } as unknown as Parameters<typeof manifestsFromOptions>[0])
    const [approved] = manifestsFromOptions(options(await file('approve')))
    assert.ok(approved !== undefined && isAutoApproved(approved))
    for (const request of ['refresh', 'stop']) {
      const path = await file(request)
      assert.throws(() => manifestsFromOptions(options(path)), (e: unknown) => e instanceof Error &&
        e.message === `${path}: metadata.annotations.strimzi.io/rebalance: "${request}" is refused (only approve is honoured in a manifest): run \`steadfast rebalance ${request} r1\` instead`)
    }
  })
})
