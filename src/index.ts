/**
 * steadfast: the library entry point. Kafka clients are exported here as they land; the REST
 * clients, the stream processor and the testkit have their own subpath exports.
 */
export * from './resilience/index.ts'
export * from './observability/index.ts'
