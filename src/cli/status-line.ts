/**
 * The one line at the bottom of a terminal's stderr that a progress spinner redraws. Everything
 * else the CLI writes to stderr (log lines, the final error) goes through `writeStderr`, which
 * clears that line first and redraws it after, so no log line ever lands inside the spinner.
 */
const CLEAR_LINE = '\r\x1b[2K'

let shown = ''

/** Shows `text` as the status line, replacing the previous one. Only for a terminal's stderr. */
export function showStatus (text: string): void {
  shown = text
  process.stderr.write(CLEAR_LINE + text)
}

/** Removes the status line, leaving the cursor at the start of an empty line. */
export function clearStatus (): void {
  if (shown === '') return
  shown = ''
  process.stderr.write(CLEAR_LINE)
}

/** Writes `text` (whole lines) to stderr above the status line. */
export function writeStderr (text: string): void {
  process.stderr.write(shown === '' ? text : CLEAR_LINE + text + shown)
}
