/**
 * Makes sure no helper outlives this process. Helpers already exit when their stdin closes (which
 * the kernel does when this process dies, even by SIGKILL); this adds a kill on normal exit and on
 * SIGINT/SIGTERM, with the handlers installed once for all clusters. When our handler is the only
 * one for the signal, it re-raises the signal afterwards so the process still ends as it would have.
 */
import type { ChildProcess } from 'node:child_process'

const live = new Set<ChildProcess>()
let installed = false
let reaping = false

/** True once the exit or signal hook has started killing helpers, so their exits are expected. */
export function isReaping (): boolean {
  return reaping
}

function killAll (): void {
  reaping = true
  for (const child of live) child.kill('SIGTERM')
  live.clear()
}

function onSignal (signal: NodeJS.Signals): void {
  killAll()
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal)
    process.kill(process.pid, signal)
  }
}

function install (): void {
  if (installed) return
  installed = true
  process.on('exit', killAll)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

export function track (child: ChildProcess): void {
  install()
  live.add(child)
  child.once('exit', () => live.delete(child))
}

export function untrack (child: ChildProcess): void {
  live.delete(child)
}
