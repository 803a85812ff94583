/**
 * A `steadfast` command that runs in the foreground (testkit cluster, kafka, proxy), as a user
 * starts it: through bin/steadfast, its stdout read line by line, its stderr kept for messages,
 * and SIGKILLed when the test ends if it is still running. Like run-cli.ts, it runs the sources.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/steadfast', import.meta.url))

export interface ForegroundRun {
  child: ChildProcessWithoutNullStreams
  lines: AsyncIterator<string>
  stderr: () => string
}

export function runForeground (t: { after: (fn: () => void) => void }, args: string[]): ForegroundRun {
  const child = spawn(BIN, args, { env: { ...process.env, STEADFAST_LOG_LEVEL: 'warn', STEADFAST_FROM_SOURCE: '1' } })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), stderr: () => stderr }
}

/** The next line the command prints; an error with its stderr when it ended its output instead. */
export async function nextLine (run: ForegroundRun): Promise<string> {
  const { value, done } = await run.lines.next()
  if (done === true) throw new Error(`the CLI ended its output early; stderr: ${run.stderr()}`)
  return value
}

export async function exitOf (child: ChildProcessWithoutNullStreams): Promise<[number | null, string | null]> {
  if (child.exitCode !== null || child.signalCode !== null) return [child.exitCode, child.signalCode]
  return await once(child, 'exit') as [number | null, string | null]
}
