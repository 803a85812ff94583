/**
 * A reader that closes our stdout early (`steadfast produce --output json | head -c 100`) makes
 * writes fail with EPIPE. Like other Unix tools, the command then ends quietly: no stack trace,
 * nothing more written, exit status 141 (128 + SIGPIPE, what a shell reports for a tool killed by
 * SIGPIPE). Commands that stream output watch `stdoutClosed` to stop taking new input.
 */
const SIGPIPE_EXIT_CODE = 141

const closed = new AbortController()

/** Aborts when stdout's reader has gone away. */
export const stdoutClosed: AbortSignal = closed.signal

/** Turns EPIPE on stdout into `stdoutClosed`; any other stdout failure is reported on stderr once. */
export function watchStdout (): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (closed.signal.aborted) return
    closed.abort(error)
    if (error.code !== 'EPIPE') process.stderr.write(`steadfast: cannot write to stdout: ${error.message}\n`)
  })
}

/** The exit status once stdout has failed (141 for EPIPE, else 1), or undefined while it works. */
export function stdoutExitCode (): number | undefined {
  if (!closed.signal.aborted) return undefined
  return (closed.signal.reason as NodeJS.ErrnoException).code === 'EPIPE' ? SIGPIPE_EXIT_CODE : 1
}
