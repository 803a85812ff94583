/**
 * One running helper process that speaks JSON lines (the mock-cluster helper, the real-cluster
 * control helper): spawns it, waits for its ready line, and matches each request to its one reply by id. A request that gets no reply in time, or is pending when the helper exits,
 * is rejected rather than left hanging. The child and its pipes are unreferenced while idle, so a
 * cluster a test forgot to stop does not keep Node alive (the exit hook then kills it).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Logger } from '../../observability/logger.ts'
import { isReaping, track, untrack } from './reaper.ts'

/** The first line a helper prints: `{"event":"ready", ...}` with whatever else it reports. */
export type ReadyInfo = Record<string, unknown> & { event: 'ready' }

export type Reply = Record<string, unknown> & { id: number | string | null, ok: boolean }

interface Pending {
  op: string
  resolve: (reply: Reply) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

export interface RequestErrorInit { op: string, errorCode?: number, errorName?: string }

export interface HelperOptions {
  binary: string
  args: string[]
  /** How the helper is named in messages, e.g. `mock-cluster helper`. */
  label: string
  startTimeoutMs: number
  requestTimeoutMs: number
  logger: Logger
  /** The helper is missing, did not start, exited, or stopped answering. */
  unavailable: (message: string, cause?: unknown) => Error
  /** The helper answered a request with ok:false; `message` is its explanation. */
  requestFailed: (message: string, init: RequestErrorInit) => Error
}

const STDERR_LINES_KEPT = 20

export class JsonLineHelper<R extends ReadyInfo = ReadyInfo> {
  readonly ready: R
  readonly #child: ChildProcessWithoutNullStreams
  readonly #options: HelperOptions
  readonly #pending = new Map<number, Pending>()
  readonly #stderr: string[]
  readonly #exited: Promise<void>
  #nextId = 1
  /** Callers waiting on the helper (pending requests, exit waiters): while any exist, it keeps Node alive. */
  #holds = 0
  #exitReason: string | undefined

  private constructor (child: ChildProcessWithoutNullStreams, ready: R, stderr: string[], exited: Promise<void>, options: HelperOptions) {
    this.#child = child
    this.ready = ready
    this.#stderr = stderr
    this.#exited = exited
    this.#options = options
    this.#hold(0)
  }

  static async spawn<R extends ReadyInfo> (options: HelperOptions): Promise<JsonLineHelper<R>> {
    const child = spawn(options.binary, options.args, { stdio: ['pipe', 'pipe', 'pipe'] })
    track(child)
    const stderr: string[] = []
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr.push(line)
      if (stderr.length > STDERR_LINES_KEPT) stderr.shift()
      options.logger.debug({ pid: child.pid, line }, `${options.label} stderr`)
    })
    /* 'close' comes after 'exit' once stdout and stderr are drained, so no reply or last words are lost. */
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
    const lines = createInterface({ input: child.stdout })
    /* Where lines go after the ready line; until the helper object exists they wait in `early`. */
    const early: string[] = []
    let route = (line: string): void => { early.push(line) }
    let readySeen = false
    child.stdin.on('error', (error) => options.logger.debug({ pid: child.pid, err: error }, `${options.label} stdin closed`))
    const ready = await new Promise<R>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer)
        child.removeListener('error', onError)
        child.removeListener('close', onExit)
      }
      const fail = (message: string, cause?: unknown): void => {
        settle()
        child.kill('SIGKILL')
        reject(options.unavailable(`${message}${tail(stderr)}`, cause))
      }
      const onError = (error: Error): void => fail(`cannot start ${options.label} ${options.binary}: ${error.message}`, error)
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`${options.label} exited before it was ready (${describeExit(code, signal)})`)
      const timer = setTimeout(() => fail(`${options.label} ${options.binary} did not report ready within ${options.startTimeoutMs} ms`), options.startTimeoutMs)
      child.once('error', onError)
      child.once('close', onExit)
      lines.on('line', (line) => {
        if (readySeen) {
          route(line)
          return
        }
        const parsed = parseLine(line)
        if (parsed?.event === 'ready') {
          settle()
          readySeen = true
          resolve(parsed as R)
        } else {
          fail(`${options.label} printed an unexpected first line: ${line.slice(0, 200)}`)
        }
      })
    })
    const helper = new JsonLineHelper<R>(child, ready, stderr, exited, options)
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => helper.#onExit(code, signal))
    route = (line) => helper.#onLine(line)
    for (const line of early) helper.#onLine(line)
    return helper
  }

  get pid (): number {
    return this.#child.pid ?? Number(this.ready.pid)
  }

  /** Resolves when the helper process has exited, for whatever reason. */
  async exited (): Promise<void> {
    this.#hold(1)
    try {
      await this.#exited
    } finally {
      this.#hold(-1)
    }
  }

  /** Why the helper stopped serving, or undefined while it runs. */
  get exitReason (): string | undefined {
    return this.#exitReason
  }

  get running (): boolean {
    return this.#exitReason === undefined
  }

  /** Sends one request and resolves with the helper's reply; rejects when it answers ok:false. */
  async request (op: string, fields: Record<string, unknown> = {}): Promise<Reply> {
    if (this.#exitReason !== undefined) {
      throw this.#options.unavailable(`${this.#options.label} is not running (${this.#exitReason}); cannot ${op}`)
    }
    const id = this.#nextId++
    const line = JSON.stringify({ ...fields, id, op }) + '\n'
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(id)
        reject(this.#options.unavailable(`${this.#options.label} did not answer ${op} within ${this.#options.requestTimeoutMs} ms`))
      }, this.#options.requestTimeoutMs)
      this.#pending.set(id, { op, resolve, reject, timer })
      this.#hold(1)
      this.#child.stdin.write(line)
    })
    if (!reply.ok) {
      const init: RequestErrorInit = { op }
      if (typeof reply.errorCode === 'number') init.errorCode = reply.errorCode
      if (typeof reply.errorName === 'string') init.errorName = reply.errorName
      throw this.#options.requestFailed(String(reply.error), init)
    }
    return reply
  }

  /** Closes stdin (the helper's signal to shut down) and waits for it to exit; SIGKILL after the timeout. */
  async close (timeoutMs = 5000): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#exitReason ??= 'it was stopped'
      this.#hold(1)
      this.#child.stdin.end()
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs)
      await this.#exited
      clearTimeout(timer)
    }
    untrack(this.#child)
  }

  #onLine (line: string): void {
    const reply = parseLine(line)
    const id = reply?.id
    const pending = typeof id === 'number' ? this.#settle(id) : undefined
    if (pending === undefined || reply === undefined) {
      this.#options.logger.warn({ line: line.slice(0, 500) }, `${this.#options.label} sent a line that answers no pending request`)
      return
    }
    pending.resolve(reply as Reply)
  }

  #onExit (code: number | null, signal: NodeJS.Signals | null): void {
    const reason = describeExit(code, signal)
    const expected = this.#exitReason !== undefined || isReaping()
    this.#exitReason ??= `helper exited: ${reason}`
    if (!expected) this.#options.logger.warn({ pid: this.pid, reason, stderr: this.#stderr }, `${this.#options.label} exited unexpectedly`)
    for (const id of [...this.#pending.keys()]) {
      const pending = this.#settle(id)
      pending?.reject(this.#options.unavailable(`${this.#options.label} exited (${reason}) while ${pending.op} was pending${tail(this.#stderr)}`))
    }
  }

  #settle (id: number): Pending | undefined {
    const pending = this.#pending.get(id)
    if (pending === undefined) return undefined
    clearTimeout(pending.timer)
    this.#pending.delete(id)
    this.#hold(-1)
    return pending
  }

  #hold (delta: number): void {
    this.#holds += delta
    const on = this.#holds > 0
    const child = this.#child
    const streams = [child.stdin, child.stdout, child.stderr] as unknown as Array<{ ref?: () => void, unref?: () => void }>
    if (on) child.ref()
    else child.unref()
    for (const stream of streams) {
      if (on) stream.ref?.()
      else stream.unref?.()
    }
  }
}

function parseLine (line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

function describeExit (code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code ?? 'unknown'}`
}

function tail (stderr: string[]): string {
  return stderr.length === 0 ? '' : `; helper stderr:\n${stderr.join('\n')}`
}
