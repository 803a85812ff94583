/**
 * The testkit's reaper on SIGTERM: with no other listener it kills the helpers at the signal and
 * the process still dies of it; when a foreground command listens too, the helpers are left to
 * that command's graceful stop (they must still be alive in its handler) and killed at exit.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import test from 'node:test'

const reaper = fileURLToPath(new URL('../../../src/testkit/process/reaper.ts', import.meta.url))

/** A process that tracks one `sleep` helper, prints its pid, and (with `owner`) handles SIGTERM itself. */
function script (owner: boolean): string {
  return `
    import { spawn } from 'node:child_process'
    import { track } from ${JSON.stringify(reaper)}
    const helper = spawn('sleep', ['600'], { stdio: ['pipe', 'ignore', 'ignore'] })
    track(helper)
    ${owner
      ? `process.on('SIGTERM', () => {
          // killed: a signal was sent to it by this process (the reaper's kill), whether or not it has died yet.
          const alive = !helper.killed && helper.exitCode === null && helper.signalCode === null
          console.log('helper alive in the owner\\'s handler: ' + alive)
          setTimeout(() => process.exit(0), 50)
        })`
      : ''}
    console.log('helper ' + helper.pid)
    setInterval(() => {}, 1000)
  `
}

async function run (owner: boolean): Promise<{ lines: string[], code: number | null, signal: NodeJS.Signals | null, helperPid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(owner)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  let helperPid = 0
  const started = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l !== '')) {
        lines.push(line)
        const match = /^helper (\d+)$/.exec(line)
        if (match !== null) { helperPid = Number(match[1]); resolve() }
      }
    })
  })
  await started
  child.kill('SIGTERM')
  const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
  return { lines, code, signal, helperPid }
}

async function gone (pid: number): Promise<boolean> {
  // The helper was sent SIGTERM; give the kernel a moment to reap it (bounded wait on an observable state).
  for (let i = 0; i < 100; i++) {
    try { process.kill(pid, 0) } catch { return true }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

test('alone on SIGTERM, the reaper kills the helpers and the process dies of the signal', async () => {
  const { code, signal, helperPid } = await run(false)
  assert.equal(signal, 'SIGTERM')
  assert.equal(code, null)
  assert.ok(await gone(helperPid), `helper ${helperPid} outlived the process`)
})

test('with a foreground command handling SIGTERM, the helpers stay up for its graceful stop and die at exit', async () => {
  const { lines, code, signal, helperPid } = await run(true)
  assert.ok(lines.includes('helper alive in the owner\'s handler: true'), `owner saw: ${lines.join(' | ')}`)
  assert.equal(code, 0)
  assert.equal(signal, null)
  assert.ok(await gone(helperPid), `helper ${helperPid} outlived the process`)
})
