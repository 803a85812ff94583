export { createLogger, rootLogger, type Logger, type LoggerOptions } from './logger.ts'
export {
  registry, counter, gauge, histogram, retriesTotal, retryDurationSeconds,
  bulkheadQueueLength, bulkheadActive, bulkheadWaitSeconds,
} from './metrics.ts'
