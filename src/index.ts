/**
 * steadfast: the library entry point. The Kafka clients (admin, producer, consumer), the resilience core
 * every client uses and the observability registry. The REST clients and the testkit have their
 * own subpath exports (`steadfast/connect`, `steadfast/cruise-control`, `steadfast/testkit`).
 */
export * from './resilience/index.ts'
export * from './observability/index.ts'
export * from './admin/index.ts'
export * from './producer/index.ts'
export * from './consumer/index.ts'
export {
  Cluster, BrokerConnection, UnsupportedApiError, parseBootstrap,
  type ClusterOptions, type CoordinatorType, type SaslOptions, type BrokerInfo, type PartitionInfo, type TopicInfo,
  type ClusterMetadata, type BrokerChanges, type NegotiatedApi,
} from './cluster/index.ts'
