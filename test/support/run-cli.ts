/**
 * Runs bin/steadfast as a user runs it: arguments, bytes on stdin, and its exit code and output. It
 * runs the TypeScript sources (STEADFAST_FROM_SOURCE=1), never a build, so a test checks the code
 * as it is and its coverage lands on src/.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/steadfast', import.meta.url))

export interface CliResult {
  /** The exit code; -1 when the command was killed for running past `killAfterMs`. */
  code: number
  stdout: string
  stderr: string
}

export interface CliOptions {
  stdin?: Buffer | string
  /** Added to the environment; an undefined value removes the variable (STEADFAST_LOG_LEVEL is 'silent' unless changed). */
  env?: Record<string, string | undefined>
  /** Kills a command that hangs, so a hang fails the test instead of stalling the suite. */
  killAfterMs?: number
}

export function runCli (args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, STEADFAST_LOG_LEVEL: 'silent', STEADFAST_FROM_SOURCE: '1', ...options.env }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  return new Promise((resolve) => {
    const child = execFile(BIN, args, {
      timeout: options.killAfterMs ?? 30_000,
      maxBuffer: 64 * 1024 * 1024,
      env,
    }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
    })
    child.stdin?.end(options.stdin ?? '')
  })
}
