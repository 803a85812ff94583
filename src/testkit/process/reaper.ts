/**
 * Makes sure no helper outlives this process. Helpers already exit when their stdin closes (which
 * the kernel does when this process dies, even by SIGKILL); this adds a kill on normal exit and on
 * SIGINT/SIGTERM, with the handlers installed once for all clusters.
 *
 * A signal that someone else also listens for belongs to them: a foreground command (the sandbox,
 * `testkit kafka`) stops its clusters itself, in order, after the agent and the traffic that use
 * them have finished. Killing the helpers at the signal would take the clusters away under that
 * graceful stop, whose in-flight calls would then retry against dead brokers until their own
 * timeouts (minutes). So the reaper kills at the signal only when its handler is the only one, and
 * then re-raises the signal so the process still ends as it would have; otherwise the exit hook
 * kills whatever the owner's stop left.
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
  if (process.listenerCount(signal) > 1) return
  killAll()
  process.removeListener(signal, onSignal)
  process.kill(process.pid, signal)
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
