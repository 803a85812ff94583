/** steadfast/connect: the Kafka Connect client, declared connectors and their reconciler. */
export { ConnectClient, type CallOptions } from './client.ts'
export { CONNECT_DEFAULT_POLICY, type ConnectClientOptions, type ConnectTlsOptions } from './options.ts'
export { ConnectTransport } from './transport.ts'
export { classifyConnectResponse, classifyForMethod, connectFaults, isConnectRestart } from './faults.ts'
export {
  loadManifests, parseManifests, desiredConfig, targetState, ManifestError,
  type ConnectorManifest, type DeclaredState, type ManifestProblem,
} from './manifest.ts'
export { Reconciler, autoRestartDelayMinutes, type ReconcilerOptions, type ReconcileResult, type ConnectorReport, type Plan, type PassOptions } from './reconciler.ts'
export { FileOwnershipStore, MemoryOwnershipStore, emptyOwnership, type OwnershipStore, type OwnershipState, type RestartBook } from './ownership.ts'
export { diffConfig, formatPlan, type PlanAction, type ConfigChange } from './plan.ts'
export { assess, type Condition } from './conditions.ts'
export { DEFAULT_REBALANCE_GRACE_MS, isReassigning } from './rebalance-grace.ts'
export type * from './types.ts'
