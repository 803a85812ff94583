/**
 * An abort signal of one's own that follows other signals: it aborts, with the parent's reason,
 * when any parent does (at once if one already has), and its owner can abort it alone, e.g. at a
 * deadline or when one of several parallel steps fails. `unlink` detaches it from the parents, so
 * a long-lived parent (a caller's signal, a client's shutdown) does not keep a listener per call.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal
  abort: (reason?: unknown) => void
  unlink: () => void
}

export function linkSignals (...parents: Array<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController()
  const listening: Array<{ parent: AbortSignal, onAbort: () => void }> = []
  const unlink = (): void => {
    for (const { parent, onAbort } of listening.splice(0)) parent.removeEventListener('abort', onAbort)
  }
  const abort = (reason?: unknown): void => {
    unlink()
    if (!controller.signal.aborted) controller.abort(reason)
  }
  for (const parent of parents) {
    if (parent === undefined) continue
    if (parent.aborted) { abort(parent.reason); break }
    const onAbort = (): void => abort(parent.reason)
    parent.addEventListener('abort', onAbort, { once: true })
    listening.push({ parent, onAbort })
  }
  return { signal: controller.signal, abort, unlink }
}
