export { CruiseControlSimulator, type CruiseControlSimulatorOptions, type ExecutionRecord, type RequestRecord } from './simulator.ts'
export { ClusterModel, DEFAULT_TOPICS, type ClusterSpec, type SimBrokerSpec, type SimTopicSpec, type Move, type Plan } from './cluster-model.ts'
