/**
 * server.properties for one KRaft node of the rig. Settings are Kafka's own, tuned so a test
 * cluster on a 2-core machine starts in seconds and reacts quickly: small internal topics, no
 * initial group rebalance delay, a short broker session (a killed broker is fenced in ~6 s), and
 * lowered group session minimums (classic and KIP-848) so tests can use short timeouts.
 */
export type NodeRole = 'combined' | 'broker' | 'controller'

export interface NodePorts {
  /** PLAINTEXT listener (brokers only). */
  plaintext: number
  /** SASL_SSL listener (brokers only, when security is on). */
  saslSsl?: number
  /** CONTROLLER listener (controllers and combined nodes). */
  controller?: number
}

export interface SecurityFiles {
  /** PEM file with the broker's private key and certificate chain. */
  keystore: string
  /** PEM file with the rig's CA certificate. */
  truststore: string
}

export interface NodeConfigInput {
  id: number
  role: NodeRole
  ports: NodePorts
  /** `id@127.0.0.1:port` for every controller. */
  voters: string[]
  logDir: string
  /** Number of brokers in the cluster: caps replication factors of internal topics. */
  brokerCount: number
  security?: SecurityFiles
  /** Extra or overriding settings. */
  overrides?: Record<string, string | number | boolean>
}

export function nodeConfig (input: NodeConfigInput): string {
  const { id, role, ports } = input
  const rf = Math.min(3, input.brokerCount)
  const isBroker = role !== 'controller'
  const isController = role !== 'broker'
  const listeners: string[] = []
  const advertised: string[] = []
  const protocolMap = ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT']
  if (isBroker) {
    listeners.push(`PLAINTEXT://127.0.0.1:${ports.plaintext}`)
    advertised.push(`PLAINTEXT://127.0.0.1:${ports.plaintext}`)
    if (input.security !== undefined && ports.saslSsl !== undefined) {
      listeners.push(`SASL_SSL://127.0.0.1:${ports.saslSsl}`)
      advertised.push(`SASL_SSL://127.0.0.1:${ports.saslSsl}`)
      protocolMap.push('SASL_SSL:SASL_SSL')
    }
  }
  if (isController) listeners.push(`CONTROLLER://127.0.0.1:${ports.controller ?? 0}`)
  const settings: Record<string, string | number | boolean> = {
    'process.roles': role === 'combined' ? 'broker,controller' : role,
    'node.id': id,
    'controller.quorum.voters': input.voters.join(','),
    'controller.listener.names': 'CONTROLLER',
    listeners: listeners.join(','),
    'listener.security.protocol.map': protocolMap.join(','),
    'log.dirs': input.logDir,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'background.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'num.replica.fetchers': 1,
    'num.partitions': 1,
    'default.replication.factor': rf,
    'offsets.topic.replication.factor': rf,
    'offsets.topic.num.partitions': 6,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': Math.min(2, rf),
    'transaction.state.log.num.partitions': 6,
    'share.coordinator.state.topic.replication.factor': rf,
    'share.coordinator.state.topic.min.isr': Math.min(2, rf),
    'share.coordinator.state.topic.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'group.consumer.min.session.timeout.ms': 1000,
    'group.consumer.session.timeout.ms': 10000,
    'group.consumer.min.heartbeat.interval.ms': 500,
    'group.consumer.heartbeat.interval.ms': 1000,
    'broker.session.timeout.ms': 6000,
    'broker.heartbeat.interval.ms': 1000,
    'log.segment.bytes': 16 * 1024 * 1024,
    'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
  }
  if (isBroker) {
    settings['advertised.listeners'] = advertised.join(',')
    settings['inter.broker.listener.name'] = 'PLAINTEXT'
  }
  if (isBroker && input.security !== undefined) {
    Object.assign(settings, {
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.ssl.keystore.type': 'PEM',
      'listener.name.sasl_ssl.ssl.keystore.location': input.security.keystore,
      'listener.name.sasl_ssl.ssl.truststore.type': 'PEM',
      'listener.name.sasl_ssl.ssl.truststore.location': input.security.truststore,
    })
  }
  Object.assign(settings, input.overrides ?? {})
  return Object.entries(settings).map(([key, value]) => `${key}=${String(value)}`).join('\n') + '\n'
}

/** log4j2 configuration: everything to stdout (which the rig sends to the node's log file). */
export const LOG4J2_PROPERTIES = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.state.name = state.change.logger
logger.state.level = warn
logger.jetty.name = org.eclipse.jetty
logger.jetty.level = warn
logger.reflections.name = org.reflections
logger.reflections.level = error
`
