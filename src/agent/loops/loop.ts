/**
 * One periodic job of the agent (reconcile connectors, drive rebalances, read lag). Each loop has
 * its own timer, so a loop that fails or hangs never delays another; a run that outlasts
 * `timeoutMs` is aborted and counted as a timeout. Runs of one loop never overlap: a trigger
 * while a run is in flight (a manifest changed) runs it once more right after. The pause between
 * runs is the interval ± jitter, so several agents (or loops) do not hit a server in step.
 */
import type { Logger } from '../../observability/logger.ts'
import { counter, gauge, histogram } from '../../observability/metrics.ts'
import { AbortedError } from '../../resilience/errors.ts'

const runsTotal = counter({
  name: 'steadfast_agent_loop_runs_total',
  help: 'Runs of each agent loop, by outcome (ok, error, timeout).',
  labelNames: ['loop', 'outcome'] as const,
})

const runSeconds = histogram({
  name: 'steadfast_agent_loop_duration_seconds',
  help: 'Duration of one run of an agent loop (a reconcile pass, a lag read).',
  labelNames: ['loop'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
})

const lastSuccess = gauge({
  name: 'steadfast_agent_loop_last_success_timestamp_seconds',
  help: 'When each agent loop last finished a run without error (Unix time).',
  labelNames: ['loop'] as const,
})

export interface LoopStatus {
  name: string
  intervalMs: number
  running: boolean
  runs: number
  failures: number
  lastRunAt?: string
  lastSuccessAt?: string
  lastError?: string
}

export interface LoopOptions {
  name: string
  intervalMs: number
  /** Fraction of the interval added or taken at random (0 to 1). */
  jitter: number
  /** A run longer than this is aborted (default: 5 intervals, at least 60 s). */
  timeoutMs?: number
  run: (signal: AbortSignal) => Promise<void>
  logger: Logger
  /** Called with the error of a failed run (after it is logged and counted). */
  onError?: (error: unknown) => void
  random?: () => number
}

export class Loop {
  readonly name: string
  readonly #options: LoopOptions
  readonly #random: () => number
  #timer: ReturnType<typeof setTimeout> | undefined
  #current: Promise<void> | undefined
  #controller: AbortController | undefined
  #again = false
  #stopped = true
  #status: LoopStatus

  constructor (options: LoopOptions) {
    this.name = options.name
    this.#options = options
    this.#random = options.random ?? Math.random
    this.#status = { name: options.name, intervalMs: options.intervalMs, running: false, runs: 0, failures: 0 }
  }

  get status (): LoopStatus { return { ...this.#status, running: this.#current !== undefined } }

  /** Runs at once, then every interval ± jitter. */
  start (): void {
    this.#stopped = false
    this.#schedule(0)
  }

  /** Runs now (or right after the run in flight). Resolves when that run has finished. */
  async trigger (): Promise<void> {
    if (this.#stopped) return
    if (this.#current !== undefined) {
      this.#again = true
      await this.#current
      if (this.#current !== undefined) await this.#current
      return
    }
    clearTimeout(this.#timer)
    await this.#runOnce()
  }

  /**
   * Stops scheduling; a run in flight may finish within `graceMs`, after which its signal is
   * aborted and it is awaited (operations honour the signal, so this ends promptly).
   */
  async stop (graceMs: number): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    const current = this.#current
    if (current === undefined) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
    await Promise.race([current, grace])
    clearTimeout(timer)
    this.#controller?.abort(new AbortedError(`agent loop ${this.name}: stopped`))
    await current
  }

  #schedule (delayMs: number): void {
    if (this.#stopped) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => { this.#runOnce().catch(() => {}) }, delayMs)
  }

  #nextDelay (): number {
    const { intervalMs, jitter } = this.#options
    return Math.max(0, Math.round(intervalMs * (1 + jitter * (2 * this.#random() - 1))))
  }

  #runOnce (): Promise<void> {
    const run = this.#execute().finally(() => {
      this.#current = undefined
      if (this.#again) {
        this.#again = false
        // Started here, not on a timer, so a trigger awaiting this run finds the next one in flight.
        if (!this.#stopped) this.#runOnce().catch(() => {})
      } else {
        this.#schedule(this.#nextDelay())
      }
    })
    this.#current = run
    return run
  }

  async #execute (): Promise<void> {
    const { name, logger } = this.#options
    const controller = new AbortController()
    this.#controller = controller
    const timeoutMs = this.#options.timeoutMs ?? Math.max(60_000, 5 * this.#options.intervalMs)
    const timer = setTimeout(() => controller.abort(new AbortedError(`agent loop ${name}: run exceeded ${timeoutMs} ms`)), timeoutMs)
    const end = runSeconds.startTimer({ loop: name })
    this.#status.lastRunAt = new Date().toISOString()
    this.#status.runs++
    try {
      await this.#options.run(controller.signal)
      runsTotal.inc({ loop: name, outcome: 'ok' })
      lastSuccess.set({ loop: name }, Date.now() / 1000)
      this.#status.lastSuccessAt = new Date().toISOString()
      delete this.#status.lastError
    } catch (error) {
      const timedOut = controller.signal.aborted && !this.#stopped
      runsTotal.inc({ loop: name, outcome: timedOut ? 'timeout' : 'error' })
      this.#status.failures++
      this.#status.lastError = error instanceof Error ? error.message : String(error)
      if (!this.#stopped) {
        logger.warn({ loop: name, err: this.#status.lastError }, `agent loop ${name} failed; it runs again at its next interval`)
        this.#options.onError?.(error)
      }
    } finally {
      clearTimeout(timer)
      end()
    }
  }
}
