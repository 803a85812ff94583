/**
 * Runs bin/steadfast on a pseudo-terminal (util-linux `script`), as a person at a terminal does:
 * stdout and stderr are a TTY, so the CLI draws its spinner and writes readable log lines. Returns
 * what the terminal received (stdout and stderr together, as a screen shows them) and the exit code.
 */
import { execFile } from 'node:child_process'
import { BIN } from './run-cli.ts'

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`

export function runInTerminal (args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number, screen: string }> {
  const merged: Record<string, string | undefined> = { ...process.env, STEADFAST_FROM_SOURCE: '1', TERM: 'xterm', NO_COLOR: '1', ...env }
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name]
  return new Promise((resolve) => {
    const child = execFile('script', ['-qfec', [BIN, ...args].map(quote).join(' '), '/dev/null'], { env: merged, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, screen: stdout.replaceAll('\r\n', '\n') })
    })
    child.stdin?.end()
  })
}
