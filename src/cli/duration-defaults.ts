/**
 * A duration option's default, in milliseconds for the code, is shown as a user would type it
 * (`5s`, `2m`, `500ms`): a bare number in `--help` would read as the form parseDuration refuses.
 * Kept apart from options.ts so the program (and `--version`) loads it without the YAML printer.
 */
import type { Command } from 'commander'

export function formatDuration (ms: number): string {
  if (ms === 0) return '0'
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0 && ms >= 120_000) return `${ms / 60_000}m`
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}

/** Sets the shown default of every `<duration>` option with a number default, in `command` and below. */
export function describeDurationDefaults (command: Command): void {
  for (const option of command.options) {
    if (option.flags.includes('<duration>') && typeof option.defaultValue === 'number' && option.defaultValueDescription === undefined) {
      option.defaultValueDescription = formatDuration(option.defaultValue)
    }
  }
  for (const sub of command.commands) describeDurationDefaults(sub)
}
