/**
 * Runs bin/steadfast on a pseudo-terminal (util-linux `script`), as a person at a terminal does:
 * stdout and stderr are a TTY, so the CLI draws its spinner and writes readable log lines. Returns
 * what the terminal received (stdout and stderr together, as a screen shows them) and the exit code.
 * `onScreen` sees the screen so far after every chunk, for a test that acts on what is drawn (for
 * example releases a held execution once its progress bar is on screen) instead of betting on time.
 * The exit code is the one the shell inside the terminal saw, printed after the command and taken
 * off the screen: `script -e` answered 0 for a CLI that exited 1 once in CI (its pty's end can
 * beat the child's reaping), so its own status is only the fallback.
 */
import { spawn } from 'node:child_process'
import { BIN } from './run-cli.ts'

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`
const TIMEOUT_MS = 60_000
const EXIT_MARK = '[run-in-terminal: exit '
const EXIT_LINE = /\[run-in-terminal: exit (\d+)\]\n$/

export function runInTerminal (
  args: string[],
  env: Record<string, string | undefined> = {},
  onScreen?: (screen: string) => void
): Promise<{ code: number, screen: string }> {
  const merged: Record<string, string | undefined> = { ...process.env, STEADFAST_FROM_SOURCE: '1', TERM: 'xterm', NO_COLOR: '1', ...env }
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name]
  return new Promise((resolve) => {
    const command = `${[BIN, ...args].map(quote).join(' ')}; printf '%s%d]\\n' ${quote(EXIT_MARK)} "$?"`
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: merged, stdio: ['pipe', 'pipe', 'ignore'] })
    child.stdin.end()
    let raw = ''
    const screen = (): string => raw.replaceAll('\r\n', '\n')
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => { raw += chunk; onScreen?.(screen()) })
    const timer = setTimeout(() => { raw += `\n[runInTerminal: killed after ${TIMEOUT_MS} ms]\n`; child.kill('SIGKILL') }, TIMEOUT_MS)
    child.on('close', (code) => {
      clearTimeout(timer)
      const shown = screen()
      const exit = EXIT_LINE.exec(shown)
      if (exit === null) resolve({ code: code ?? -1, screen: shown })
      else resolve({ code: Number(exit[1]), screen: shown.slice(0, exit.index) })
    })
  })
}
