/**
 * worker.properties for one Kafka Connect distributed worker of the rig. Settings are Connect's
 * own, tuned for tests on a 2-core machine: small internal topics, JSON without schemas, a short
 * group session (a killed worker leaves the group in ~6 s), lost work reassigned at once instead
 * of after the 5-minute scheduled-rebalance delay, offsets flushed every second, and sink
 * consumers with a short session too, so a sink task moved off a killed worker resumes quickly.
 */
import { LOG4J2_PROPERTIES } from './node-config.ts'

export interface WorkerConfigInput {
  bootstrap: string
  groupId: string
  port: number
  /** Replication factor of the internal topics: min(3, brokers). */
  replicationFactor: number
  /** Extra or overriding worker settings. */
  overrides?: Record<string, string | number | boolean>
}

/** The internal topics of a worker group, named after it so several groups can share a cluster. */
export function internalTopics (groupId: string): { config: string, offset: string, status: string } {
  return { config: `${groupId}-configs`, offset: `${groupId}-offsets`, status: `${groupId}-status` }
}

export function workerConfig (input: WorkerConfigInput): string {
  const topics = internalTopics(input.groupId)
  const rf = input.replicationFactor
  const settings: Record<string, string | number | boolean> = {
    'bootstrap.servers': input.bootstrap,
    'group.id': input.groupId,
    listeners: `http://127.0.0.1:${input.port}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': input.port,
    'rest.advertised.listener': 'http',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': false,
    'value.converter.schemas.enable': false,
    'config.storage.topic': topics.config,
    'config.storage.replication.factor': rf,
    'offset.storage.topic': topics.offset,
    'offset.storage.replication.factor': rf,
    'offset.storage.partitions': 3,
    'status.storage.topic': topics.status,
    'status.storage.replication.factor': rf,
    'status.storage.partitions': 1,
    // Plugins come from the classpath (connect-file is on it) through their service manifests;
    // no plugin.path, and no reflective scan of ~100 jars at every start.
    'plugin.discovery': 'service_load',
    'scheduled.rebalance.max.delay.ms': 0,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 1000,
    // A worker that cannot catch up with the config topic leaves the group this long (default 5 min).
    'worker.unsync.backoff.ms': 1000,
    'offset.flush.interval.ms': 1000,
    'task.shutdown.graceful.timeout.ms': 2000,
    'consumer.session.timeout.ms': 6000,
    'consumer.heartbeat.interval.ms': 1000,
    'consumer.max.poll.records': 100,
  }
  Object.assign(settings, input.overrides ?? {})
  return Object.entries(settings).map(([key, value]) => `${key}=${String(value)}`).join('\n') + '\n'
}

/** The broker log4j2 configuration, minus the client config dumps every producer and consumer of a worker logs. */
export const WORKER_LOG4J2_PROPERTIES = `${LOG4J2_PROPERTIES}logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = warn
`
