/** steadfast/connect: the Kafka Connect client, declared connectors and their reconciler. */
export { ConnectClient, type CallOptions } from './client.ts'
export { CONNECT_DEFAULT_POLICY, type ConnectClientOptions, type ConnectTlsOptions } from './options.ts'
export type * from './types.ts'
