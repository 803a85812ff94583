/**
 * Durable rebalance state: one JSON file per rebalance in a state directory, written to a temporary
 * file, flushed and renamed over the old one, so a crash leaves either the old or the new record and
 * never half of one. This is what lets a restarted steadfast resume polling the same User-Task-ID.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
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

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/

export class JsonStateStore<T extends { name: string }> {
  readonly dir: string
  readonly #kind: string

  constructor (dir: string, kind = 'rebalance') {
    this.dir = dir
    this.#kind = kind
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
      await handle.writeFile(JSON.stringify(record, null, 2) + '\n')
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
