/**
 * The metrics registry shared by every layer (prom-client). Components register their instruments
 * here through `counter`, `gauge` and `histogram`, which return the existing instrument when one of
 * the same name is already registered, so modules can declare what they use without coordinating.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export type { Registry }

export const registry = new Registry()

type Config<T extends string> = { name: string, help: string, labelNames?: readonly T[] }

export function counter<T extends string> (config: Config<T>): Counter<T> {
  const existing = registry.getSingleMetric(config.name)
  if (existing !== undefined) return existing as Counter<T>
  return new Counter({ ...config, registers: [registry] })
}

export function gauge<T extends string> (config: Config<T>): Gauge<T> {
  const existing = registry.getSingleMetric(config.name)
  if (existing !== undefined) return existing as Gauge<T>
  return new Gauge({ ...config, registers: [registry] })
}

export function histogram<T extends string> (config: Config<T> & { buckets?: number[] }): Histogram<T> {
  const existing = registry.getSingleMetric(config.name)
  if (existing !== undefined) return existing as Histogram<T>
  return new Histogram({ ...config, registers: [registry] })
}

/** Every retry made by the retry loop, by component, operation and reason. */
export const retriesTotal = counter({
  name: 'steadfast_retries_total',
  help: 'Retries made after a transient failure, by component, operation and reason.',
  labelNames: ['component', 'operation', 'reason'] as const,
})

/** Time from the first failure of an operation to its final outcome. */
export const retryDurationSeconds = histogram({
  name: 'steadfast_retry_duration_seconds',
  help: 'Time spent retrying an operation, from its first failure to its final outcome.',
  labelNames: ['component', 'operation', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
})

export const bulkheadQueueLength = gauge({
  name: 'steadfast_bulkhead_queue_length',
  help: 'Callers waiting for a slot in a concurrency limiter.',
  labelNames: ['limiter'] as const,
})

export const bulkheadActive = gauge({
  name: 'steadfast_bulkhead_active',
  help: 'Calls holding a slot in a concurrency limiter.',
  labelNames: ['limiter'] as const,
})

export const bulkheadWaitSeconds = histogram({
  name: 'steadfast_bulkhead_wait_seconds',
  help: 'Time a call waited for a slot in a concurrency limiter.',
  labelNames: ['limiter'] as const,
  buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
})
