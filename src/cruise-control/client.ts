/**
 * The Cruise Control REST client. Every exchange goes through the shared REST transport, inside the
 * process-wide limiter for its server and inside the one retry loop, with the fault policy of
 * faults.ts, so the capacity 500 ("There are already N active user
 * tasks…") is retried with backoff on every endpoint and never reaches the caller unless the
 * deadline runs out. Async operations keep their User-Task-ID and are polled by re-sending the same
 * request with it; a task Cruise Control no longer knows is requested again.
 */
import type { z } from 'zod'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { defineCounter, Metrics, type Registry } from '../observability/metrics.ts'
import type { BackoffPolicy } from '../resilience/backoff.ts'
import type { Bulkhead } from '../resilience/bulkhead.ts'
import { sleep, systemClock } from '../resilience/clock.ts'
import { AbortedError, DeadlineExceededError, SteadfastError } from '../resilience/errors.ts'
import { RestTransport } from '../rest/transport.ts'
import { cruiseControlFaults, isUnknownTask, type CruiseControlRequestContext } from './faults.ts'
import { errorText, normaliseBaseUrl, queryString, type BasicAuth, type Params, type RawResponse, type TlsOptions } from './http.ts'
import { DEFAULT_MAX_ACTIVE_USER_TASKS, limiterFor } from './limiter.ts'
import { checkCruiseControlOptions } from './options.ts'
import {
  addBrokerRequest, demoteBrokerRequest, proposalsRequest, rebalanceRequest, removeBrokerRequest, removeDisksRequest,
  type OperationRequest, type OptimizationOptions,
} from './operations.ts'
import {
  clusterStateSchema, loadSchema, messageSchema, optimizationResultSchema, parseResponse, partitionLoadSchema,
  progressSchema, stateSchema, userTasksSchema,
  type ClusterLoad, type CruiseControlState, type KafkaClusterState, type MessageResponse, type OperationProgress,
  type OptimizationResult, type PartitionLoad, type UserTaskStatus, type UserTasks,
} from './schemas.ts'

export interface CruiseControlClientOptions {
  /** Base URL, e.g. http://cruise-control:9090 (the /kafkacruisecontrol prefix is added when missing). */
  url: string
  auth?: BasicAuth
  tls?: TlsOptions
  /** The server's max.active.user.tasks; steadfast runs at most this minus one request at once. Default 5. */
  maxActiveUserTasks?: number
  /** Longest wait for one HTTP exchange. Default 30 s (Cruise Control blocks async requests up to 10 s). */
  requestTimeoutMs?: number
  /** Backoff for transient failures of one request. Default: 250 ms doubling to 5 s, 120 s deadline. */
  retry?: Partial<BackoffPolicy>
  /** Longest wait for an async operation to finish in the convenience methods. Default 300 s. */
  operationTimeoutMs?: number
  /** Pause between polls of an async operation that answered 202. Default 500 ms. */
  pollIntervalMs?: number
  userAgent?: string
  logger?: Logger
  /** Where the client's metrics go (default: the shared registry). */
  registry?: Registry
  /** The client_id label of its metrics (default steadfast-cruise-control). */
  clientId?: string
}

export interface SendOptions {
  /** Poll this task instead of creating a new one. */
  userTaskId?: string
  signal?: AbortSignal
  /** Failure reasons to hand to the caller at once instead of retrying (e.g. not-enough-valid-windows). */
  stopOn?: string[]
}

export type AsyncOutcome<T> =
  | { done: true, userTaskId: string | undefined, result: T }
  | { done: false, userTaskId: string, progress: OperationProgress }

export const DEFAULT_RETRY: Partial<BackoffPolicy> = {
  initialDelayMs: 250,
  multiplier: 2,
  maxDelayMs: 5_000,
  maxAttempts: Infinity,
  deadlineMs: 120_000,
  jitter: 'equal',
}

const REQUESTS_TOTAL = defineCounter('steadfast_cruise_control_requests_total',
  'HTTP exchanges with Cruise Control, by endpoint and status (0 when no response arrived).', ['endpoint', 'status'] as const)

export class CruiseControlClient {
  readonly baseUrl: string
  readonly limiter: Bulkhead
  /** Where this client counts: its registry, with its clientId as the client_id label. */
  readonly metrics: Metrics
  readonly #transport: RestTransport<CruiseControlRequestContext>
  readonly #operationTimeoutMs: number
  readonly #pollIntervalMs: number
  readonly #logger: Logger

  constructor (options: CruiseControlClientOptions) {
    checkCruiseControlOptions(options)
    this.baseUrl = normaliseBaseUrl(options.url)
    const limiter = limiterFor(this.baseUrl, options.maxActiveUserTasks ?? DEFAULT_MAX_ACTIVE_USER_TASKS)
    this.limiter = limiter
    this.#logger = options.logger ?? rootLogger()
    const metrics = new Metrics({ registry: options.registry, clientId: options.clientId ?? 'steadfast-cruise-control' })
    this.metrics = metrics
    this.#transport = new RestTransport({
      component: 'cruise-control',
      name: 'cruise-control',
      peer: 'server',
      urls: [this.baseUrl],
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      // Cruise Control shows the User-Agent as the task's ClientIdentity when no auth is used.
      headers: { 'user-agent': options.userAgent ?? 'steadfast' },
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      policy: { ...DEFAULT_RETRY, ...options.retry },
      faults: cruiseControlFaults,
      serverMessage: (body) => errorText(body),
      // 202: an async operation still running; every other status is an error.
      success: (status) => status === 200 || status === 202,
      admit: async (attempt, signal) => await limiter.run(attempt, { signal }),
      onExchange: (request, status) => metrics.counter(REQUESTS_TOTAL).inc({ endpoint: request.operation, status: String(status) }),
      metrics,
      logger: this.#logger,
    })
    this.#operationTimeoutMs = options.operationTimeoutMs ?? 300_000
    this.#pollIntervalMs = options.pollIntervalMs ?? 500
  }

  /**
   * One request: waits for a limiter slot, sends, and retries transient failures (capacity 500s,
   * connection failures, NotEnoughValidWindows unless listed in `stopOn`) with backoff. Connection
   * failures of an executing request (POST with dryrun=false) are not retried: they are thrown.
   */
  async send (request: OperationRequest, options: SendOptions = {}): Promise<RawResponse> {
    const polling = options.userTaskId !== undefined
    const context: CruiseControlRequestContext = {
      polling,
      executing: !polling && request.method === 'POST' && request.params.dryrun === false,
      stopOn: new Set(options.stopOn ?? []),
    }
    const response = await this.#transport.request({
      operation: request.endpoint,
      method: request.method,
      path: `/${request.endpoint}?${queryString(request.params)}`,
      ...(options.userTaskId === undefined ? {} : { headers: { 'user-task-id': options.userTaskId } }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      context,
    })
    return { status: response.status, userTaskId: response.header('user-task-id'), body: response.body }
  }

  /** Starts (or, with `userTaskId`, polls) an async operation: done with its result, or still running with progress. */
  async submit<S extends z.ZodType> (request: OperationRequest, schema: S, options: SendOptions = {}): Promise<AsyncOutcome<z.infer<S>>> {
    const response = await this.send(request, options)
    if (response.status === 202) {
      const userTaskId = response.userTaskId ?? options.userTaskId
      if (userTaskId === undefined) {
        throw new SteadfastError(`cruise-control ${request.endpoint} answered 202 without a User-Task-ID header`, { reason: 'bad-response' })
      }
      return { done: false, userTaskId, progress: parseResponse(progressSchema, response.body, request.endpoint) }
    }
    return { done: true, userTaskId: response.userTaskId ?? options.userTaskId, result: parseResponse(schema, response.body, request.endpoint) }
  }

  /**
   * Runs an async operation to its end: polls by User-Task-ID while it answers 202, requests again
   * when Cruise Control forgot the task (it restarted, or the task expired), and gives up with
   * DeadlineExceededError after operationTimeoutMs.
   */
  async complete<S extends z.ZodType> (request: OperationRequest, schema: S, options: { signal?: AbortSignal, onProgress?: (progress: OperationProgress, userTaskId: string) => void } = {}): Promise<z.infer<S>> {
    const started = Date.now()
    const deadline = started + this.#operationTimeoutMs
    const signal = options.signal === undefined
      ? AbortSignal.timeout(this.#operationTimeoutMs)
      : AbortSignal.any([options.signal, AbortSignal.timeout(this.#operationTimeoutMs)])
    let userTaskId: string | undefined
    let polls = 0
    for (;;) {
      let outcome: AsyncOutcome<z.infer<S>>
      try {
        outcome = await this.submit(request, schema, { userTaskId, signal })
      } catch (error) {
        if (userTaskId !== undefined && isUnknownTask(error)) {
          this.#logger.warn({ component: 'cruise-control', endpoint: request.endpoint, userTaskId }, 'cruise-control forgot the task; requesting again')
          userTaskId = undefined
          continue
        }
        if (Date.now() >= deadline && options.signal?.aborted !== true) {
          throw new DeadlineExceededError(`cruise-control ${request.endpoint} did not finish within ${this.#operationTimeoutMs} ms${error instanceof Error ? `: ${error.message}` : ''}`,
            { attempts: polls + 1, elapsedMs: Date.now() - started, cause: error })
        }
        throw error
      }
      if (outcome.done) return outcome.result
      userTaskId = outcome.userTaskId
      polls++
      options.onProgress?.(outcome.progress, userTaskId)
      await sleep(systemClock, this.#pollIntervalMs, signal).catch((error: unknown) => {
        // The caller's abort is an abort, as it is when it lands during a request; only the operation timeout is a deadline.
        if (options.signal?.aborted === true) throw new AbortedError(`cruise-control ${request.endpoint} aborted while polling task ${userTaskId}`, { cause: options.signal.reason })
        throw new DeadlineExceededError(`cruise-control ${request.endpoint} did not finish within ${this.#operationTimeoutMs} ms (task ${userTaskId})`,
          { attempts: polls, elapsedMs: Date.now() - started, cause: error })
      })
    }
  }

  async #sync<S extends z.ZodType> (request: OperationRequest, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const response = await this.send(request, { signal })
    return parseResponse(schema, response.body, request.endpoint)
  }

  /** GET state. `substates` narrows it (analyzer, monitor, executor, anomaly_detector). */
  async state (options: { substates?: string[], verbose?: boolean, signal?: AbortSignal } = {}): Promise<CruiseControlState> {
    return await this.complete({ method: 'GET', endpoint: 'state', params: { substates: options.substates?.join(','), verbose: options.verbose } }, stateSchema, options)
  }

  async load (options: { signal?: AbortSignal } = {}): Promise<ClusterLoad> {
    return await this.complete({ method: 'GET', endpoint: 'load', params: {} }, loadSchema, options)
  }

  async partitionLoad (options: { resource?: string, entries?: number, topic?: string, signal?: AbortSignal } = {}): Promise<PartitionLoad> {
    const params: Params = { resource: options.resource, entries: options.entries, topic: options.topic }
    return await this.complete({ method: 'GET', endpoint: 'partition_load', params }, partitionLoadSchema, options)
  }

  async kafkaClusterState (options: { verbose?: boolean, signal?: AbortSignal } = {}): Promise<KafkaClusterState> {
    return await this.#sync({ method: 'GET', endpoint: 'kafka_cluster_state', params: { verbose: options.verbose } }, clusterStateSchema, options.signal)
  }

  async proposals (options: Parameters<typeof proposalsRequest>[0] & { signal?: AbortSignal } = {}): Promise<OptimizationResult> {
    return await this.complete(proposalsRequest(options), optimizationResultSchema, options)
  }

  async rebalance (options: OptimizationOptions & { rebalanceDisk?: boolean, signal?: AbortSignal } = {}): Promise<OptimizationResult> {
    return await this.complete(rebalanceRequest(options), optimizationResultSchema, options)
  }

  async addBroker (brokers: number[], options: OptimizationOptions & { signal?: AbortSignal } = {}): Promise<OptimizationResult> {
    return await this.complete(addBrokerRequest(brokers, options), optimizationResultSchema, options)
  }

  async removeBroker (brokers: number[], options: OptimizationOptions & { signal?: AbortSignal } = {}): Promise<OptimizationResult> {
    return await this.complete(removeBrokerRequest(brokers, options), optimizationResultSchema, options)
  }

  async demoteBroker (brokers: number[], options: Parameters<typeof demoteBrokerRequest>[1] & { signal?: AbortSignal } = {}): Promise<OptimizationResult> {
    return await this.complete(demoteBrokerRequest(brokers, options), optimizationResultSchema, options)
  }

  async removeDisks (logDirsByBroker: Record<number, string[]>, options: OptimizationOptions & { signal?: AbortSignal } = {}): Promise<OptimizationResult> {
    return await this.complete(removeDisksRequest(logDirsByBroker, options), optimizationResultSchema, options)
  }

  async stopProposalExecution (options: { forceStop?: boolean, signal?: AbortSignal } = {}): Promise<MessageResponse> {
    return await this.#sync({ method: 'POST', endpoint: 'stop_proposal_execution', params: { force_stop: options.forceStop } }, messageSchema, options.signal)
  }

  async pauseSampling (options: { reason?: string, signal?: AbortSignal } = {}): Promise<MessageResponse> {
    return await this.#sync({ method: 'POST', endpoint: 'pause_sampling', params: { reason: options.reason } }, messageSchema, options.signal)
  }

  async resumeSampling (options: { reason?: string, signal?: AbortSignal } = {}): Promise<MessageResponse> {
    return await this.#sync({ method: 'POST', endpoint: 'resume_sampling', params: { reason: options.reason } }, messageSchema, options.signal)
  }

  /** GET user_tasks, optionally narrowed; `fetchCompletedTask` adds each task's originalResponse. */
  async userTasks (options: { userTaskIds?: string[], clientIds?: string[], endpoints?: string[], types?: UserTaskStatus[], entries?: number, fetchCompletedTask?: boolean, signal?: AbortSignal } = {}): Promise<UserTasks> {
    const params: Params = {
      user_task_ids: options.userTaskIds?.join(','),
      client_ids: options.clientIds?.join(','),
      endpoints: options.endpoints?.join(','),
      types: options.types?.join(','),
      entries: options.entries,
      fetch_completed_task: options.fetchCompletedTask,
    }
    return await this.#sync({ method: 'GET', endpoint: 'user_tasks', params }, userTasksSchema, options.signal)
  }

  async close (): Promise<void> {
    await this.#transport.close()
  }
}
