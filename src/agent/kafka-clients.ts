/**
 * The connection options every Kafka client of the agent shares (the lag loop's admin, and with
 * HA the lease's consumer and the state topic's producer and reader), built once from `kafka:`.
 */
import type { AgentConfig, TlsConfig } from './config.ts'

export interface KafkaClientOptions {
  bootstrap: string
  clientId: string
  tls?: Record<string, unknown>
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: string, password: string }
}

export function tlsOf (tls: TlsConfig | undefined): Record<string, unknown> | undefined {
  if (tls === undefined) return undefined
  const { key, ...rest } = tls
  return { ...rest, ...(key === undefined ? {} : { key: key.reveal() }) }
}

export function kafkaClientOptions (kafka: NonNullable<AgentConfig['kafka']>): KafkaClientOptions {
  const tls = tlsOf(kafka.tls)
  return {
    bootstrap: kafka.bootstrap,
    clientId: kafka.clientId,
    ...(tls === undefined ? {} : { tls }),
    ...(kafka.sasl === undefined ? {} : { sasl: { mechanism: kafka.sasl.mechanism, username: kafka.sasl.username, password: kafka.sasl.password.reveal() } }),
  }
}
