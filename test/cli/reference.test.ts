/** docs/cli-options.md lists every option of every command as the command tree has them now. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

test('docs/cli-options.md is what scripts/cli-reference.ts writes from the commands', async () => {
  const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/cli-reference.ts', '--check'], { cwd: ROOT })
    .catch((error: { stderr: string }) => assert.fail(error.stderr))
  assert.equal(stderr, '')
})
