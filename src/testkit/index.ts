/**
 * steadfast/testkit: the fault-injection rig, for this project's tests and for users testing their
 * own services against the same faults.
 */
export { MockCluster } from './mock-cluster/mock-cluster.ts'
export type { MockClusterOptions, BrokerInfo, InjectedError, TrackedRequest, CoordinatorType } from './mock-cluster/mock-cluster.ts'
export type { TopicSpec } from './mock-cluster/topic-spec.ts'
export { parseTopicSpec } from './mock-cluster/topic-spec.ts'
export { ApiKey, TRANSPORT_ERROR, type ApiKeyName } from './mock-cluster/api-keys.ts'
export { MockClusterRequestError, MockClusterUnavailableError } from './mock-cluster/errors.ts'
export { CruiseControlSimulator, ClusterModel, DEFAULT_TOPICS } from './cruise-control-sim/index.ts'
export type { CruiseControlSimulatorOptions, RequestRecord, ClusterSpec, SimBrokerSpec, SimTopicSpec, Move, Plan } from './cruise-control-sim/index.ts'
export { ConnectSimulator, CONNECT_MESSAGES, CONNECT_PLUGINS } from './connect-sim/index.ts'
export type { ConnectSimulatorOptions, StormOptions, ConnectRequestRecord, HealthState, InstanceState as ConnectInstanceState, TargetState as ConnectTargetState, PluginInfo as ConnectPluginInfo } from './connect-sim/index.ts'
export { RealCluster, DEFAULT_JVM_OPTIONS, DEFAULT_SASL_USERS } from './real-cluster/real-cluster.ts'
export type { RealClusterOptions, RealBroker, RealPartition, RealGroup, RealRecord } from './real-cluster/real-cluster.ts'
export { RealConnect, DEFAULT_WORKER_JVM_OPTIONS } from './real-cluster/real-connect.ts'
export type { RealConnectOptions, RealWorker } from './real-cluster/real-connect.ts'
export { RealClusterControlError, RealClusterUnavailableError } from './real-cluster/errors.ts'
export { locateKafka, pinnedKafkaVersions, resolveKafkaVersion } from './real-cluster/install.ts'
export { ChaosProxy } from './chaos-proxy/chaos-proxy.ts'
export type { ChaosProxyOptions, ChaosProxyEvents, ProxiedBroker, RequestEvent } from './chaos-proxy/chaos-proxy.ts'
export type { ChaosProxyStats, BrokerStats as ChaosProxyBrokerStats } from './chaos-proxy/stats.ts'
export { ChaosProxyUnavailableError } from './chaos-proxy/errors.ts'
