/**
 * A typed client for the whole Kafka Connect REST API. Every call goes through ConnectTransport,
 * whose fault policy (faults.ts) decides: rebalance 409s and the 500 "a rebalance is expected" are retried under the policy's attempts
 * and deadline, "already exists" and other 4xx fail at once with the server's message, and a
 * restart that meets a rebalance comes back as `superseded` (the rebalance restarts it anyway).
 */
import { InvalidArgumentError } from '../resilience/errors.ts'
import { isSupersededRestart } from './faults.ts'
import type { ConnectClientOptions } from './options.ts'
import { ConnectTransport, type RequestSpec } from './transport.ts'
import { workerUrls } from './worker-discovery.ts'
import type {
  ConfigDefinition, ConfigValidation, ConnectorInfo, ConnectorOffset, ConnectorOffsetChange, ConnectorStatus,
  ExpandedConnector, LoggerLevel, PluginInfo, RestartResult, ServerInfo, TargetState, TaskInfo, TaskStatus, WorkerHealth,
} from './types.ts'

export interface CallOptions {
  /** Aborts the call, retries included. */
  signal?: AbortSignal
}

function segment (value: string, what: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`connect: ${what} must be a non-empty string, got ${JSON.stringify(value)}`)
  return encodeURIComponent(value)
}

function taskSegment (task: number): string {
  if (!Number.isInteger(task) || task < 0) throw new InvalidArgumentError(`connect: task id must be an integer >= 0, got ${String(task)}`)
  return String(task)
}

export class ConnectClient {
  readonly transport: ConnectTransport
  /** With discoverWorkers: the configured URL learned worker URLs are modelled on. */
  readonly #discoverFrom: string | undefined

  constructor (options: ConnectClientOptions) {
    this.transport = new ConnectTransport(options)
    this.#discoverFrom = options.discoverWorkers === true ? [options.urls].flat()[0] : undefined
  }

  async #call<T> (spec: Omit<RequestSpec, 'signal'>, options: CallOptions): Promise<T> {
    const response = await this.transport.request(options.signal === undefined ? spec : { ...spec, signal: options.signal })
    return response.body as T
  }

  serverInfo (options: CallOptions = {}): Promise<ServerInfo> {
    return this.#call({ operation: 'serverInfo', method: 'GET', path: '/' }, options)
  }

  /** The worker's health; a starting (503) or unhealthy (500) worker is reported, not thrown. */
  async health (options: CallOptions = {}): Promise<WorkerHealth> {
    const spec: RequestSpec = { operation: 'health', method: 'GET', path: '/health', accept: [500, 503] }
    const response = await this.transport.request(options.signal === undefined ? spec : { ...spec, signal: options.signal })
    const body = (response.body ?? {}) as { status?: string, message?: string }
    return { status: body.status ?? 'unknown', ...(body.message === undefined ? {} : { message: body.message }), httpStatus: response.status }
  }

  listConnectors (options: CallOptions = {}): Promise<string[]> {
    return this.#call({ operation: 'listConnectors', method: 'GET', path: '/connectors' }, options)
  }

  /** Every connector with its status and/or info, in one request. With discoverWorkers, the statuses' workers are learned. */
  async listConnectorsExpanded (expand: { status?: boolean, info?: boolean } = { status: true, info: true }, options: CallOptions = {}): Promise<Record<string, ExpandedConnector>> {
    const query = [expand.status === true ? 'expand=status' : '', expand.info === true ? 'expand=info' : ''].filter((q) => q !== '').join('&')
    if (query === '') throw new InvalidArgumentError('connect: listConnectorsExpanded needs status or info (or both)')
    const body = await this.#call<Record<string, ExpandedConnector>>({ operation: 'listConnectorsExpanded', method: 'GET', path: `/connectors?${query}` }, options)
    if (this.#discoverFrom !== undefined && expand.status === true) this.transport.setLearnedUrls(workerUrls(body, this.#discoverFrom))
    return body
  }

  createConnector (request: { name: string, config: Record<string, string>, initialState?: TargetState }, options: CallOptions = {}): Promise<ConnectorInfo> {
    segment(request.name, 'connector name')
    const body: Record<string, unknown> = { name: request.name, config: request.config }
    if (request.initialState !== undefined) body.initial_state = request.initialState
    return this.#call({ operation: 'createConnector', method: 'POST', path: '/connectors', body }, options)
  }

  getConnector (name: string, options: CallOptions = {}): Promise<ConnectorInfo> {
    return this.#call({ operation: 'getConnector', method: 'GET', path: `/connectors/${segment(name, 'connector name')}` }, options)
  }

  getConnectorConfig (name: string, options: CallOptions = {}): Promise<Record<string, string>> {
    return this.#call({ operation: 'getConnectorConfig', method: 'GET', path: `/connectors/${segment(name, 'connector name')}/config` }, options)
  }

  /** Creates (201, `created: true`) or replaces (200) the connector's config. */
  async putConnectorConfig (name: string, config: Record<string, string>, options: CallOptions = {}): Promise<{ created: boolean, info: ConnectorInfo }> {
    const spec: RequestSpec = { operation: 'putConnectorConfig', method: 'PUT', path: `/connectors/${segment(name, 'connector name')}/config`, body: config }
    const response = await this.transport.request(options.signal === undefined ? spec : { ...spec, signal: options.signal })
    return { created: response.status === 201, info: response.body as ConnectorInfo }
  }

  /** Changes some keys; a null value removes the key. */
  patchConnectorConfig (name: string, patch: Record<string, string | null>, options: CallOptions = {}): Promise<ConnectorInfo> {
    return this.#call({ operation: 'patchConnectorConfig', method: 'PATCH', path: `/connectors/${segment(name, 'connector name')}/config`, body: patch }, options)
  }

  getConnectorStatus (name: string, options: CallOptions = {}): Promise<ConnectorStatus> {
    return this.#call({ operation: 'getConnectorStatus', method: 'GET', path: `/connectors/${segment(name, 'connector name')}/status` }, options)
  }

  getTasks (name: string, options: CallOptions = {}): Promise<TaskInfo[]> {
    return this.#call({ operation: 'getTasks', method: 'GET', path: `/connectors/${segment(name, 'connector name')}/tasks` }, options)
  }

  getTaskStatus (name: string, task: number, options: CallOptions = {}): Promise<TaskStatus> {
    return this.#call({ operation: 'getTaskStatus', method: 'GET', path: `/connectors/${segment(name, 'connector name')}/tasks/${taskSegment(task)}/status` }, options)
  }

  async pauseConnector (name: string, options: CallOptions = {}): Promise<void> {
    await this.#call({ operation: 'pauseConnector', method: 'PUT', path: `/connectors/${segment(name, 'connector name')}/pause` }, options)
  }

  async resumeConnector (name: string, options: CallOptions = {}): Promise<void> {
    await this.#call({ operation: 'resumeConnector', method: 'PUT', path: `/connectors/${segment(name, 'connector name')}/resume` }, options)
  }

  async stopConnector (name: string, options: CallOptions = {}): Promise<void> {
    await this.#call({ operation: 'stopConnector', method: 'PUT', path: `/connectors/${segment(name, 'connector name')}/stop` }, options)
  }

  /** Restarts the connector, and with `includeTasks` its tasks (with `onlyFailed`, only failed instances). */
  restartConnector (name: string, flags: { includeTasks?: boolean, onlyFailed?: boolean } = {}, options: CallOptions = {}): Promise<RestartResult> {
    const query = `?includeTasks=${flags.includeTasks === true}&onlyFailed=${flags.onlyFailed === true}`
    return this.#restart({ operation: 'restartConnector', method: 'POST', path: `/connectors/${segment(name, 'connector name')}/restart${query}` }, options)
  }

  restartTask (name: string, task: number, options: CallOptions = {}): Promise<RestartResult> {
    return this.#restart({ operation: 'restartTask', method: 'POST', path: `/connectors/${segment(name, 'connector name')}/tasks/${taskSegment(task)}/restart` }, options)
  }

  async #restart (spec: Omit<RequestSpec, 'signal'>, options: CallOptions): Promise<RestartResult> {
    try {
      const response = await this.transport.request(options.signal === undefined ? spec : { ...spec, signal: options.signal })
      return response.status === 202 && response.body !== undefined
        ? { outcome: 'restarting', status: response.body as ConnectorStatus }
        : { outcome: 'restarted' }
    } catch (error) {
      if (isSupersededRestart(error)) {
        this.transport.logger.info({ operation: spec.operation, path: spec.path, status: error.status },
          'connect restart superseded by a worker-group rebalance, which restarts every connector and task')
        return { outcome: 'superseded', message: error.serverMessage ?? error.message }
      }
      throw error
    }
  }

  async deleteConnector (name: string, options: CallOptions = {}): Promise<void> {
    await this.#call({ operation: 'deleteConnector', method: 'DELETE', path: `/connectors/${segment(name, 'connector name')}` }, options)
  }

  /** The topics the connector has used since its topics were last reset. */
  async getConnectorTopics (name: string, options: CallOptions = {}): Promise<string[]> {
    const body = await this.#call<Record<string, { topics?: string[] }>>({ operation: 'getConnectorTopics', method: 'GET', path: `/connectors/${segment(name, 'connector name')}/topics` }, options)
    return body[name]?.topics ?? []
  }

  async resetConnectorTopics (name: string, options: CallOptions = {}): Promise<void> {
    await this.#call({ operation: 'resetConnectorTopics', method: 'PUT', path: `/connectors/${segment(name, 'connector name')}/topics/reset` }, options)
  }

  async getOffsets (name: string, options: CallOptions = {}): Promise<ConnectorOffset[]> {
    const body = await this.#call<{ offsets?: ConnectorOffset[] }>({ operation: 'getOffsets', method: 'GET', path: `/connectors/${segment(name, 'connector name')}/offsets` }, options)
    return body.offsets ?? []
  }

  /** Alters offsets (the connector must be STOPPED); answers the server's confirmation message. */
  async alterOffsets (name: string, offsets: ConnectorOffsetChange[], options: CallOptions = {}): Promise<string> {
    const body = await this.#call<{ message?: string }>({ operation: 'alterOffsets', method: 'PATCH', path: `/connectors/${segment(name, 'connector name')}/offsets`, body: { offsets } }, options)
    return body?.message ?? ''
  }

  /** Resets every offset (the connector must be STOPPED). */
  async resetOffsets (name: string, options: CallOptions = {}): Promise<string> {
    const body = await this.#call<{ message?: string }>({ operation: 'resetOffsets', method: 'DELETE', path: `/connectors/${segment(name, 'connector name')}/offsets` }, options)
    return body?.message ?? ''
  }

  listPlugins (filter: { connectorsOnly?: boolean } = {}, options: CallOptions = {}): Promise<PluginInfo[]> {
    return this.#call({ operation: 'listPlugins', method: 'GET', path: `/connector-plugins?connectorsOnly=${filter.connectorsOnly !== false}` }, options)
  }

  getPluginConfig (plugin: string, options: CallOptions = {}): Promise<ConfigDefinition[]> {
    return this.#call({ operation: 'getPluginConfig', method: 'GET', path: `/connector-plugins/${segment(plugin, 'plugin')}/config` }, options)
  }

  validateConfig (plugin: string, config: Record<string, string>, options: CallOptions = {}): Promise<ConfigValidation> {
    return this.#call({ operation: 'validateConfig', method: 'PUT', path: `/connector-plugins/${segment(plugin, 'plugin')}/config/validate`, body: config }, options)
  }

  listLoggers (options: CallOptions = {}): Promise<Record<string, LoggerLevel>> {
    return this.#call({ operation: 'listLoggers', method: 'GET', path: '/admin/loggers' }, options)
  }

  getLogger (logger: string, options: CallOptions = {}): Promise<LoggerLevel> {
    return this.#call({ operation: 'getLogger', method: 'GET', path: `/admin/loggers/${segment(logger, 'logger')}` }, options)
  }

  /** Sets a level; `worker` scope answers the loggers changed on this worker, `cluster` scope applies to every worker. */
  async setLogger (logger: string, level: string, scope: 'worker' | 'cluster' = 'worker', options: CallOptions = {}): Promise<string[]> {
    const body = await this.#call<string[] | undefined>({ operation: 'setLogger', method: 'PUT', path: `/admin/loggers/${segment(logger, 'logger')}?scope=${scope}`, body: { level } }, options)
    return body ?? []
  }

  close (): Promise<void> {
    return this.transport.close()
  }
}
