/** For commands that run in the foreground until Ctrl-C (SIGINT) or SIGTERM. */

/**
 * Starts listening for SIGINT and SIGTERM at once (call it before printing "Press Ctrl-C") and
 * resolves with the first one; both listeners are removed then, so a second signal behaves as usual.
 */
export function waitForStopSignal (): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
      resolve(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
