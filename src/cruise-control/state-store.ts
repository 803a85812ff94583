/**
 * Durable rebalance state: one JSON file per rebalance in a state directory, written to a temporary
 * file, flushed and renamed over the old one, so a crash leaves either the old or the new record and
 * never half of one. This is what lets a restarted steadfast resume polling the same User-Task-ID.
 *
 * Several processes may work on one rebalance (`status --watch` in one terminal, `stop` in another),
 * so read-change-write runs under a lock file per record (`<name>.lock`, created exclusively). A
 * lock whose owner process is gone (same host) or that is older than `staleLockMs` is taken over.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { homedir, hostname } from 'node:os'
import { join } from 'node:path'
import { redactDeep } from '../observability/redact.ts'
import { sleep, systemClock } from '../resilience/clock.ts'
import { InvalidArgumentError, SteadfastError } from '../resilience/errors.ts'

/**
 * The default state directory: $STEADFAST_STATE_DIR, else $XDG_STATE_HOME/steadfast/cruise-control,
 * else ~/.local/state/steadfast/cruise-control.
 */
export function defaultStateDir (env: NodeJS.ProcessEnv = process.env): string {
  if (env.STEADFAST_STATE_DIR !== undefined && env.STEADFAST_STATE_DIR !== '') return env.STEADFAST_STATE_DIR
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state')
  return join(base, 'steadfast', 'cruise-control')
}

/** A stored record that cannot be read back. */
export class StateStoreError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_STATE_STORE'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { action: 'fatal', reason: 'state-store', cause: options.cause })
  }
}

/** Another process holds a record's lock for longer than we were willing to wait. */
export class StateLockedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_STATE_LOCKED'
  constructor (message: string) {
    super(message, { action: 'fatal', reason: 'state-locked' })
  }
}

export interface LockOptions {
  /** How long to wait for another holder to finish. Default 60 s. */
  waitMs?: number
  signal?: AbortSignal
}

interface LockOwner { token: string, pid: number, host: string, at: string }

/**
 * What the rebalance lifecycle needs from a store of records: the JSON directory below, or the
 * agent's SQLite database. `withLock` keeps a read-change-write of one record from interleaving
 * with another holder's; `location` names the store in errors.
 */
export interface RecordStore<T extends { name: string }> {
  readonly location: string
  get: (name: string) => Promise<T | undefined>
  put: (record: T) => Promise<void>
  delete: (name: string) => Promise<boolean>
  list: () => Promise<T[]>
  withLock: <R>(name: string, fn: () => Promise<R>, options?: LockOptions) => Promise<R>
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/

export class JsonStateStore<T extends { name: string }> implements RecordStore<T> {
  readonly dir: string
  readonly #kind: string
  readonly #staleLockMs: number

  /** `staleLockMs`: a lock older than this is taken over even when its owner looks alive (default 10 min). */
  constructor (dir: string, kind = 'rebalance', options: { staleLockMs?: number } = {}) {
    this.dir = dir
    this.#kind = kind
    this.#staleLockMs = options.staleLockMs ?? 600_000
  }

  get location (): string { return `state directory ${this.dir}` }

  /**
   * Runs `fn` holding the lock of record `name` against every other process using this directory.
   * Waits (polling) while someone else holds it; throws StateLockedError naming the holder after `waitMs`.
   */
  async withLock<R> (name: string, fn: () => Promise<R>, options: LockOptions = {}): Promise<R> {
    const file = `${this.#file(name)}.lock`
    await mkdir(this.dir, { recursive: true })
    const owner: LockOwner = { token: randomUUID(), pid: process.pid, host: hostname(), at: new Date().toISOString() }
    const waitMs = options.waitMs ?? 60_000
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600)
        try { await handle.writeFile(JSON.stringify(owner)) } finally { await handle.close() }
        break
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw new StateStoreError(`cannot create ${file}: ${(error as Error).message}`, { cause: error })
      }
      const holder = await this.#holder(file)
      if (holder === 'stale') continue
      if (Date.now() - started >= waitMs || options.signal?.aborted === true) {
        const who = holder === undefined ? 'another process' : `process ${holder.pid} on ${holder.host} (since ${holder.at})`
        throw new StateLockedError(`${this.#kind} ${name} is being updated by ${who}; gave up after ${waitMs} ms (lock file ${file})`)
      }
      await sleep(systemClock, Math.min(200, 10 * 2 ** Math.min(attempt, 4)))
    }
    try {
      return await fn()
    } finally {
      const current = await this.#readLock(file)
      if (current?.token === owner.token) await rm(file, { force: true })
    }
  }

  /** The lock's owner, or 'stale' after removing a lock left by a dead process or held too long. */
  async #holder (file: string): Promise<LockOwner | undefined | 'stale'> {
    const holder = await this.#readLock(file)
    let age: number
    try {
      age = Date.now() - (await stat(file)).mtimeMs
    } catch {
      return 'stale'
    }
    const dead = holder !== undefined && holder.host === hostname() && !alive(holder.pid)
    if (!dead && age < this.#staleLockMs) return holder
    // Move the stale lock aside first so that two processes taking it over cannot both win.
    const aside = `${file}.${randomUUID()}.stale`
    try {
      await rename(file, aside)
    } catch {
      return 'stale'
    }
    const moved = await this.#readLock(aside)
    if (moved !== undefined && holder !== undefined && moved.token !== holder.token) {
      // Someone took the lock over between our look and our move: give it back.
      await rename(aside, file).catch(() => {})
      return moved
    }
    await rm(aside, { force: true })
    return 'stale'
  }

  async #readLock (file: string): Promise<LockOwner | undefined> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as LockOwner
    } catch {
      return undefined
    }
  }

  #file (name: string): string {
    if (!NAME.test(name)) throw new InvalidArgumentError(`${this.#kind} name "${name}" must be lower-case letters, digits, "-" or "."`)
    return join(this.dir, `${name}.json`)
  }

  async get (name: string): Promise<T | undefined> {
    const file = this.#file(name)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined
      throw new StateStoreError(`cannot read ${file}: ${(error as Error).message}`, { cause: error })
    }
    try {
      return JSON.parse(text) as T
    } catch (error) {
      throw new StateStoreError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error })
    }
  }

  /** Writes atomically: temporary file, fsync, rename. */
  async put (record: T): Promise<void> {
    const file = this.#file(record.name)
    await mkdir(this.dir, { recursive: true })
    const temporary = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`
    const handle = await open(temporary, 'w', 0o600)
    try {
      // Records keep errors as Cruise Control worded them, which may echo credentials.
      await handle.writeFile(JSON.stringify(redactDeep(record), null, 2) + '\n')
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await rename(temporary, file)
    } catch (error) {
      await rm(temporary, { force: true })
      throw error
    }
  }

  async delete (name: string): Promise<boolean> {
    const file = this.#file(name)
    const existed = await this.get(name) !== undefined
    await rm(file, { force: true })
    return existed
  }

  async list (): Promise<T[]> {
    let entries: string[]
    try {
      entries = await readdir(this.dir)
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return []
      throw error
    }
    const records: T[] = []
    for (const entry of entries.sort()) {
      if (!entry.endsWith('.json')) continue
      const record = await this.get(entry.slice(0, -'.json'.length))
      if (record !== undefined) records.push(record)
    }
    return records
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM'
  }
}
