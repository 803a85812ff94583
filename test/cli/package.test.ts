/**
 * The package as a checkout offers it after set-up: `import … from 'steadfast'` resolves through
 * package.json's exports to the build, and bin/steadfast runs that build only while it is fresh.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const run = promisify(execFile)

describe('the package from the checkout', () => {
  it('imports by its name in a fresh node, through the exports of package.json', async () => {
    const script = "import { Producer, Admin } from 'steadfast'; import { ConnectClient } from 'steadfast/connect'; import { MockCluster } from 'steadfast/testkit'; console.log([Producer, Admin, ConnectClient, MockCluster].map((c) => typeof c).join(' '))"
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })
    assert.equal(stdout.trim(), 'function function function function')
  })
})

describe('bin/steadfast picks the build or the sources', () => {
  /** A checkout in miniature: bin/steadfast, a src/ and a dist/ main that say which one ran. */
  async function miniCheckout (): Promise<{ dir: string, bin: string, stamp: string, source: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'steadfast-bin-'))
    await mkdir(join(dir, 'bin'))
    await mkdir(join(dir, 'src/cli'), { recursive: true })
    await mkdir(join(dir, 'dist/cli'), { recursive: true })
    await mkdir(join(dir, 'node_modules'))
    await symlink(join(ROOT, 'node_modules/tsx'), join(dir, 'node_modules/tsx'))
    const bin = join(dir, 'bin/steadfast')
    await copyFile(join(ROOT, 'bin/steadfast'), bin)
    await chmod(bin, 0o755)
    const source = join(dir, 'src/cli/main.ts')
    await writeFile(source, "const from: string = 'sources'\nconsole.log(from, process.argv.slice(2).join(' '))\n")
    await writeFile(join(dir, 'dist/cli/main.js'), "console.log('build', process.argv.slice(2).join(' '))\n")
    const stamp = join(dir, 'dist/.build-stamp')
    await writeFile(stamp, '')
    const past = new Date(Date.now() - 60_000)
    await utimes(source, past, past)
    return { dir, bin, stamp, source }
  }

  it('runs the build while no source is newer, the sources once one is, and the sources when asked', async (t) => {
    const mini = await miniCheckout()
    t.after(async () => { await rm(mini.dir, { recursive: true, force: true }) })
    const env = { ...process.env, STEADFAST_FROM_SOURCE: '' }
    assert.equal((await run(mini.bin, ['a', 'b'], { env })).stdout, 'build a b\n')
    assert.equal((await run(mini.bin, ['a'], { env: { ...env, STEADFAST_FROM_SOURCE: '1' } })).stdout, 'sources a\n')
    const now = new Date()
    await utimes(mini.source, now, now)
    await utimes(mini.stamp, new Date(now.getTime() - 1000), new Date(now.getTime() - 1000))
    assert.equal((await run(mini.bin, ['c'], { env })).stdout, 'sources c\n')
    await rm(mini.stamp)
    assert.equal((await run(mini.bin, ['d'], { env })).stdout, 'sources d\n', 'no stamp: never built by scripts/build.sh')
  })
})
