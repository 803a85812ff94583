/**
 * Cruise Control's UserTaskManager in miniature. Every request that does not carry a User-Task-ID
 * becomes a task and takes a slot in the active set; a finished task leaves the active set only
 * when the scanner runs (every `scanIntervalMs`, 5 s in Cruise Control), so a burst of cheap calls
 * fills the slots. Finished tasks are then kept for `retentionMs`, at most `maxCompleted` of them.
 */
import { randomUUID } from 'node:crypto'

export type TaskStatus = 'Active' | 'InExecution' | 'Completed' | 'CompletedWithError'

export interface TaskResponse {
  status: number
  body: unknown
}

export interface UserTask {
  id: string
  method: string
  endpoint: string
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
  #completed = new Map<string, UserTask>()
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
    return this.#active.get(id) ?? this.#completed.get(id)
  }

  /** A new task in the active set, or CapacityExceeded when the set is full. */
  create (init: { method: string, endpoint: string, query: string, clientIdentity: string, operation: string }): UserTask {
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

  /** Records the operation's answer; `executing` keeps the task InExecution until `finish` is called. */
  answer (task: UserTask, response: TaskResponse, executing = false): void {
    if (task.response !== undefined) return
    task.response = response
    if (executing) {
      task.status = 'InExecution'
    } else {
      task.status = response.status === 200 ? 'Completed' : 'CompletedWithError'
      task.finishedMs = this.#now()
    }
    task.markAnswered()
  }

  /** An execution ended: the task is Completed. */
  finish (task: UserTask): void {
    task.status = 'Completed'
    task.finishedMs = this.#now()
  }

  /** The scanner: finished tasks leave the active set; old and surplus completed tasks are dropped. */
  scan (): void {
    const now = this.#now()
    for (const [id, task] of this.#active) {
      if (task.status === 'Completed' || task.status === 'CompletedWithError') {
        this.#active.delete(id)
        this.#completed.set(id, task)
      }
    }
    for (const [id, task] of this.#completed) {
      if (now - (task.finishedMs ?? now) > this.#options.retentionMs) this.#completed.delete(id)
    }
    const surplus = this.#completed.size - this.#options.maxCompleted
    if (surplus > 0) {
      for (const id of [...this.#completed.keys()].slice(0, surplus)) this.#completed.delete(id)
    }
  }

  /** Every known task, oldest first. */
  all (): UserTask[] {
    return [...this.#active.values(), ...this.#completed.values()].sort((a, b) => a.startMs - b.startMs)
  }

  /** A restart: every task is forgotten. */
  clear (): void {
    this.#active.clear()
    this.#completed.clear()
  }
}
