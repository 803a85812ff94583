/**
 * Metrics (prom-client). Each client counts into a `Metrics`: a registry (the shared one unless the
 * service gives its own) and the constant `client_id` label, added to every series the client
 * writes, so two clients in one process, or one service embedding steadfast next to its own
 * metrics, stay apart. Instruments are described once (`MetricDefinition`) and made in a registry
 * on first use there; `counter`, `gauge` and `histogram` make process-level instruments (the
 * agent's) in the shared registry.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export type { Registry }

/** The registry every client uses unless given another; the agent serves it at /metrics. */
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

/** One instrument a client writes, described once; `Metrics` makes it in a registry. */
export interface MetricDefinition<T extends string> {
  kind: 'counter' | 'gauge' | 'histogram'
  name: string
  help: string
  labelNames: readonly T[]
  buckets?: number[]
}

export function defineCounter<T extends string> (name: string, help: string, labelNames: readonly T[]): MetricDefinition<T> {
  return { kind: 'counter', name, help, labelNames }
}

export function defineGauge<T extends string> (name: string, help: string, labelNames: readonly T[]): MetricDefinition<T> {
  return { kind: 'gauge', name, help, labelNames }
}

export function defineHistogram<T extends string> (name: string, help: string, labelNames: readonly T[], buckets: number[]): MetricDefinition<T> {
  return { kind: 'histogram', name, help, labelNames, buckets }
}

type Labels<T extends string> = Partial<Record<T, string | number>>

export interface ClientCounter<T extends string> { inc: (labels?: Labels<T>, value?: number) => void }
export interface ClientGauge<T extends string> { inc: (labels?: Labels<T>, value?: number) => void, set: (labels: Labels<T>, value: number) => void }
export interface ClientHistogram<T extends string> { observe: (labels: Labels<T>, value: number) => void }

/** The label every client adds to its series. */
export const CLIENT_ID_LABEL = 'client_id'

export interface MetricsOptions {
  /** Default: the shared registry. */
  registry?: Registry | undefined
  /** The `client_id` label's value. */
  clientId?: string | undefined
}

export class Metrics {
  readonly registry: Registry
  readonly clientId: string
  readonly #bound = new Map<MetricDefinition<string>, unknown>()

  constructor (options: MetricsOptions = {}) {
    this.registry = options.registry ?? registry
    this.clientId = options.clientId ?? 'steadfast'
  }

  counter<T extends string> (definition: MetricDefinition<T>): ClientCounter<T> {
    return this.#bind(definition, (metric: Counter) => ({ inc: (labels = {}, value = 1) => metric.inc(this.#labels(labels), value) }))
  }

  gauge<T extends string> (definition: MetricDefinition<T>): ClientGauge<T> {
    return this.#bind(definition, (metric: Gauge) => ({
      inc: (labels = {}, value = 1) => metric.inc(this.#labels(labels), value),
      set: (labels, value) => metric.set(this.#labels(labels), value),
    }))
  }

  histogram<T extends string> (definition: MetricDefinition<T>): ClientHistogram<T> {
    return this.#bind(definition, (metric: Histogram) => ({ observe: (labels, value) => metric.observe(this.#labels(labels), value) }))
  }

  #bind<M, B> (definition: MetricDefinition<string>, make: (metric: M) => B): B {
    let bound = this.#bound.get(definition) as B | undefined
    if (bound === undefined) {
      bound = make(this.instrument(definition) as M)
      this.#bound.set(definition, bound)
    }
    return bound
  }

  /** The prom-client instrument of `definition` in this registry, made on first use. */
  instrument<T extends string> (definition: MetricDefinition<T>): Counter | Gauge | Histogram {
    const existing = this.registry.getSingleMetric(definition.name)
    if (existing !== undefined) return existing as Counter | Gauge | Histogram
    const config = { name: definition.name, help: definition.help, labelNames: [...definition.labelNames, CLIENT_ID_LABEL], registers: [this.registry] }
    switch (definition.kind) {
      case 'counter': return new Counter(config)
      case 'gauge': return new Gauge(config)
      case 'histogram': return new Histogram({ ...config, ...(definition.buckets === undefined ? {} : { buckets: definition.buckets }) })
    }
  }

  #labels (labels: Labels<string>): Record<string, string | number> {
    const out: Record<string, string | number> = { [CLIENT_ID_LABEL]: this.clientId }
    for (const [k, v] of Object.entries(labels)) if (v !== undefined) out[k] = v
    return out
  }
}

/** What callers that belong to no client (the CLI's own steps, tests) count into. */
export const sharedMetrics = new Metrics()

export const RETRIES_TOTAL = defineCounter('steadfast_retries_total',
  'Retries made after a transient failure, by component, operation and reason.', ['component', 'operation', 'reason'] as const)

export const RETRY_DURATION_SECONDS = defineHistogram('steadfast_retry_duration_seconds',
  'Time spent retrying an operation, from its first failure to its final outcome.', ['component', 'operation', 'outcome'] as const,
  [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120])

/** The shared registry's instruments of the retry loop, for readers of the shared registry. */
export const retriesTotal = sharedMetrics.instrument(RETRIES_TOTAL) as Counter
export const retryDurationSeconds = sharedMetrics.instrument(RETRY_DURATION_SECONDS) as Histogram

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
