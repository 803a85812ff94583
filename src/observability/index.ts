export { createLogger, rootLogger, serializeError, withComponent, type Logger, type LoggerOptions } from './logger.ts'
export {
  registry, counter, gauge, histogram, retriesTotal, retryDurationSeconds,
  bulkheadQueueLength, bulkheadActive, bulkheadWaitSeconds,
  Metrics, sharedMetrics, defineCounter, defineGauge, defineHistogram, CLIENT_ID_LABEL,
  type MetricDefinition, type MetricsOptions, type Registry,
} from './metrics.ts'
export { requestChannel, retryChannel, traceRequest, type RequestDiagnostic, type RetryDiagnostic } from './tracing.ts'
