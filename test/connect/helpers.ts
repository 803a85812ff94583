/** Shared set-up for the Connect tests: a simulator, fast retry policies and captured logs. */
import { createLogger, type Logger } from '../../src/observability/logger.ts'
import { registry } from '../../src/observability/metrics.ts'

export const FAST_POLICY = { initialDelayMs: 5, maxDelayMs: 40, multiplier: 2, maxAttempts: 200, deadlineMs: 5_000 }

export const SOURCE = { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', topic: 'orders', 'tasks.max': '2' }

/** A logger whose JSON lines are kept in memory, parsed and as written (to see repeated keys). */
export function captureLogs (): { logger: Logger, lines: Array<Record<string, unknown>>, raw: string[] } {
  const lines: Array<Record<string, unknown>> = []
  const raw: string[] = []
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => { raw.push(s); lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  return { logger, lines, raw }
}

/** steadfast_retries_total for the labels given. */
export async function retryCount (labels: { component: string, operation: string, reason: string }): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_retries_total')?.get()
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
  return match?.value ?? 0
}

/** steadfast_retries_total of one component, summed over operations and reasons. */
export async function retryTotal (component: string): Promise<number> {
  const metric = await registry.getSingleMetric('steadfast_retries_total')?.get()
  return (metric?.values ?? []).filter((v) => v.labels.component === component).reduce((sum, v) => sum + v.value, 0)
}

export function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` until it returns true (bounded by attempts, not by a timing assertion). */
export async function eventually (check: () => boolean | Promise<boolean>, attempts = 200, everyMs = 10): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return
    await sleep(everyMs)
  }
  throw new Error('condition not reached')
}

/** A logger that drops everything, for clients whose retries would otherwise fill the test output. */
export const quiet: Logger = createLogger({ level: 'silent' })
