/**
 * steadfast/cruise-control: a capacity-aware Cruise Control client and rebalances with the
 * KafkaRebalance lifecycle, stored durably.
 */
export { CruiseControlClient, DEFAULT_RETRY, type AsyncOutcome, type CruiseControlClientOptions, type SendOptions } from './client.ts'
export { classifyCruiseControlResponse, cruiseControlFaults, failureReason, isTransientFailure, type CruiseControlRequestContext } from './faults.ts'
export { normaliseBaseUrl, type BasicAuth, type Params, type RawResponse, type TlsOptions } from './http.ts'
export { DEFAULT_MAX_ACTIVE_USER_TASKS, concurrencyFor, limiterFor } from './limiter.ts'
export {
  addBrokerRequest, demoteBrokerRequest, proposalsRequest, rebalanceRequest, removeBrokerRequest, removeDisksRequest, withDryRun,
  type OperationRequest, type OptimizationOptions,
} from './operations.ts'
export * from './schemas.ts'
export {
  AUTO_APPROVAL_ANNOTATION, REBALANCE_MODES, isAutoApproved, manifestSchema, parseManifests, proposalRequest, rebalanceSpecSchema,
  validateManifest, type RebalanceManifest, type RebalanceMode, type RebalanceSpec,
} from './manifest.ts'
export { JsonStateStore, StateLockedError, type RecordStore, StateStoreError, defaultStateDir, type LockOptions } from './state-store.ts'
export {
  ALLOWED_ACTIONS, REBALANCE_STATES, RebalanceLifecycle,
  type ExecutionProgress, type RebalanceAction, type RebalanceLifecycleOptions, type RebalanceRecord, type RebalanceState,
} from './lifecycle.ts'
