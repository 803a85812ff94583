/**
 * Cruise Control's UserTaskManager in miniature. Every request that does not carry a User-Task-ID
 * becomes a task and takes a slot in the active set; a finished task leaves the active set only
 * when the scanner runs (every `scanIntervalMs`, 5 s in Cruise Control), so a burst of cheap calls
 * fills the slots. A task whose execution began leaves the active set at once and is held apart
 * until the execution ends, as in Cruise Control. Finished tasks are then kept for `retentionMs`,
 * at most `maxCompleted` of them per endpoint type.
 */
import { randomUUID } from 'node:crypto'
import type { EndpointType } from './endpoints.ts'

export type TaskStatus = 'Active' | 'InExecution' | 'Completed' | 'CompletedWithError'

export interface TaskResponse {
  status: number
  body: unknown
}

export interface UserTask {
  id: string
  method: string
  endpoint: string
  type: EndpointType
  /** The query string without json=, used to match polls to their task. */
  query: string
  /** As user_tasks shows it: "POST /kafkacruisecontrol/rebalance?dryrun=false". */
  requestUrl: string
  clientIdentity: string
  startMs: number
  status: TaskStatus
  /** The operation's name in progress reports (Rebalance, Add brokers, ...). */
  operation: string
  /** Set once the operation produced its answer (which may precede the end of an execution). */
  response: TaskResponse | undefined
  /** Resolves when `response` is set. */
  answered: Promise<void>
  markAnswered: () => void
  finishedMs: number | undefined
}

export interface UserTaskManagerOptions {
  maxActiveUserTasks: number
  scanIntervalMs: number
  retentionMs: number
  maxCompleted: number
  now?: () => number
}

export class CapacityExceeded extends Error {
  constructor (active: number) {
    super(`There are already ${active} active user tasks, which has reached the servlet capacity.`)
    this.name = 'java.lang.RuntimeException'
  }
}

export class UserTaskManager {
  readonly #options: UserTaskManagerOptions
  readonly #now: () => number
  #active = new Map<string, UserTask>()
  #inExecution = new Map<string, UserTask>()
  /** Finished tasks by endpoint type, oldest first. */
  #completed = new Map<EndpointType, Map<string, UserTask>>()
  #scanner: ReturnType<typeof setInterval> | undefined

  constructor (options: UserTaskManagerOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  start (): void {
    this.#scanner ??= setInterval(() => this.scan(), this.#options.scanIntervalMs)
  }

  stop (): void {
    clearInterval(this.#scanner)
    this.#scanner = undefined
  }

  get activeCount (): number { return this.#active.size }

  get (id: string): UserTask | undefined {
    return this.#active.get(id) ?? this.#inExecution.get(id) ?? this.all().find((t) => t.id === id)
  }

  /** A new task in the active set, or CapacityExceeded when the set is full. */
  create (init: { method: string, endpoint: string, type: EndpointType, query: string, clientIdentity: string, operation: string }): UserTask {
    if (this.#active.size >= this.#options.maxActiveUserTasks) throw new CapacityExceeded(this.#active.size)
    let markAnswered = (): void => {}
    const answered = new Promise<void>((resolve) => { markAnswered = resolve })
    const suffix = init.query === '' ? '' : `?${init.query}`
    const task: UserTask = {
      ...init,
      id: randomUUID(),
      requestUrl: `${init.method} /kafkacruisecontrol/${init.endpoint}${suffix}`,
      startMs: this.#now(),
      status: 'Active',
      response: undefined,
      answered,
      markAnswered,
      finishedMs: undefined,
    }
    this.#active.set(task.id, task)
    return task
  }

  /** Records the operation's answer; `executing` holds the task InExecution, out of the active set, until `finish` is called. */
  answer (task: UserTask, response: TaskResponse, executing = false): void {
    if (task.response !== undefined) return
    task.response = response
    if (executing) {
      task.status = 'InExecution'
      if (this.#active.delete(task.id)) this.#inExecution.set(task.id, task)
    } else {
      task.status = response.status === 200 ? 'Completed' : 'CompletedWithError'
      task.finishedMs = this.#now()
    }
    task.markAnswered()
  }

  /** An execution ended: Completed, or CompletedWithError when it was stopped or failed (as Cruise Control's executor reports it). */
  finish (task: UserTask, withError = false): void {
    if (!this.#inExecution.delete(task.id)) return
    task.status = withError ? 'CompletedWithError' : 'Completed'
    task.finishedMs = this.#now()
    this.#keep(task)
  }

  #keep (task: UserTask): void {
    const cache = this.#completed.get(task.type) ?? new Map<string, UserTask>()
    cache.set(task.id, task)
    this.#completed.set(task.type, cache)
  }

  /** The scanner: finished tasks leave the active set; old and surplus completed tasks are dropped, per endpoint type. */
  scan (): void {
    const now = this.#now()
    for (const [id, task] of this.#active) {
      if (task.status === 'Completed' || task.status === 'CompletedWithError') {
        this.#active.delete(id)
        this.#keep(task)
      }
    }
    for (const cache of this.#completed.values()) {
      for (const [id, task] of cache) {
        if (now - (task.finishedMs ?? now) > this.#options.retentionMs) cache.delete(id)
      }
      const surplus = cache.size - this.#options.maxCompleted
      if (surplus > 0) {
        for (const id of [...cache.keys()].slice(0, surplus)) cache.delete(id)
      }
    }
  }

  /** Every known task, oldest first. */
  all (): UserTask[] {
    const completed = [...this.#completed.values()].flatMap((cache) => [...cache.values()])
    return [...this.#active.values(), ...this.#inExecution.values(), ...completed].sort((a, b) => a.startMs - b.startMs)
  }

  /** A restart: every task is forgotten. */
  clear (): void {
    this.#active.clear()
    this.#inExecution.clear()
    this.#completed.clear()
  }
}
