/**
 * A spinner for waits: on a terminal's stderr only (never in a pipe or a file), only once a wait
 * has lasted a second, never with `--quiet` or TERM=dumb. It shows what is awaited, for how long,
 * and the last retry the retry loop announced (on its diagnostics channel, whatever the log
 * level), so a long wait on an unreachable cluster shows why at the default level without log
 * lines. It is cleared before the command's own output and error.
 */
import { retryChannel, type RetryDiagnostic } from '../observability/tracing.ts'
import { currentLogSettings } from './logging.ts'
import { clearStatus, showStatus } from './status-line.ts'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const SHOW_AFTER_MS = 1000
const FRAME_MS = 100

export function progressWanted (env: NodeJS.ProcessEnv = process.env): boolean {
  return process.stderr.isTTY && !currentLogSettings().quiet && env.TERM !== 'dumb'
}

/** Runs `wait`, with a spinner saying `label` while it lasts more than a second. */
export async function withProgress<T> (label: string, wait: () => Promise<T>): Promise<T> {
  if (!progressWanted()) return await wait()
  const started = Date.now()
  let retry = ''
  let frame = 0
  const onRetry = (message: unknown): void => {
    const r = message as RetryDiagnostic
    retry = ` · retry ${r.attempt} (${r.reason})`
  }
  const draw = (): void => {
    showStatus(`${FRAMES[frame++ % FRAMES.length] ?? ''} ${label} ${Math.floor((Date.now() - started) / 1000)}s${retry}`)
  }
  let ticker: NodeJS.Timeout | undefined
  const delay = setTimeout(() => {
    draw()
    ticker = setInterval(draw, FRAME_MS)
    ticker.unref()
  }, SHOW_AFTER_MS)
  delay.unref()
  retryChannel.subscribe(onRetry)
  try {
    return await wait()
  } finally {
    clearTimeout(delay)
    clearInterval(ticker)
    retryChannel.unsubscribe(onRetry)
    clearStatus()
  }
}
