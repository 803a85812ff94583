/**
 * A wake-up signal between the consumer's loops: a waiter takes `next()` before it looks at the
 * state it waits on, so a `notify()` that comes in between is never missed.
 */
export class Notifier {
  #waiters: Array<() => void> = []

  /** Resolves at the next `notify()`. */
  next (): Promise<void> {
    return new Promise((resolve) => { this.#waiters.push(resolve) })
  }

  notify (): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }
}

/** Resolves when `wakeup` resolves, after `ms` (when given), or when `signal` aborts; never rejects. */
export async function waitFor (wakeup: Promise<void>, ms: number | undefined, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    await Promise.race([
      wakeup,
      new Promise<void>((resolve) => {
        onAbort = resolve
        signal.addEventListener('abort', onAbort, { once: true })
        if (ms !== undefined) timer = setTimeout(resolve, Math.max(0, ms))
      }),
    ])
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}
