export { ConnectSimulator, type ConnectSimulatorOptions, type StormOptions } from './simulator.ts'
export { MESSAGES as CONNECT_MESSAGES, type InstanceState, type TargetState } from './group.ts'
export type { RequestRecord as ConnectRequestRecord, HealthState } from './worker.ts'
export { PLUGINS as CONNECT_PLUGINS, type PluginInfo } from './plugins.ts'
