/**
 * Where a client's bootstrap list comes from: a fixed list, a function (asked again whenever the
 * cluster needs a fresh list, e.g. a service-discovery lookup), or a file (`{ file }`, watched:
 * its list replaces the old one as soon as it changes). A fixed list can only be tried again (DNS
 * is resolved anew by every connection attempt); the other two can name brokers that moved to
 * new endpoints, which the cluster asks for when no endpoint it knows answers.
 * Asking again is rate-limited, so a cluster that is down does not spin on its source.
 */
import { readFileSync, statSync, unwatchFile, watch, watchFile, type FSWatcher, type Stats } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from '../observability/logger.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { formatAddress, parseBootstrap, type BrokerAddress } from './bootstrap.ts'

type BootstrapList = string | readonly string[]

export type BootstrapSource =
  | BootstrapList
  | (() => BootstrapList | Promise<BootstrapList>)
  | { file: string }

/**
 * How often a watched file is stat-polled. The poll is the floor: it survives editors that replace
 * the file and file systems where the directory watch reports nothing (network mounts); where the
 * watch works, a change is seen at once instead of up to one interval later.
 */
const FILE_POLL_MS = 500

export interface BootstrapResolverOptions {
  logger: Logger
  /** The least time between two calls of a function source (default 1000 ms). */
  minRefreshIntervalMs?: number
  /** Told the new list whenever it differs from the one before. */
  onChange?: (list: readonly BrokerAddress[]) => void
  /** How often a watched file is stat-polled besides its directory watch (default 500 ms). */
  filePollMs?: number
}

export class BootstrapResolver {
  readonly #source: BootstrapSource
  readonly #logger: Logger
  readonly #minIntervalMs: number
  readonly #onChange: ((list: readonly BrokerAddress[]) => void) | undefined
  readonly #filePollMs: number
  #current: BrokerAddress[]
  #lastCallAt = -Infinity
  #calling: Promise<BrokerAddress[]> | undefined
  #watching: ((current: Stats) => void) | undefined
  #firstLook: NodeJS.Timeout | undefined
  #directoryWatch: FSWatcher | undefined

  constructor (source: BootstrapSource, options: BootstrapResolverOptions) {
    this.#source = source
    this.#logger = options.logger
    this.#minIntervalMs = options.minRefreshIntervalMs ?? 1000
    this.#onChange = options.onChange
    this.#filePollMs = options.filePollMs ?? FILE_POLL_MS
    if (typeof source === 'function') this.#current = []
    else if (isFileSource(source)) this.#current = this.#watch(source.file)
    else if (typeof source === 'string' || Array.isArray(source)) this.#current = parseBootstrap(source)
    else throw new InvalidArgumentError(`bootstrap must be host:port[,…], a list of them, a function returning one, or { file }, got ${JSON.stringify(source)}`)
  }

  /** The list as last resolved (empty for a function source not asked yet). */
  get current (): readonly BrokerAddress[] {
    return this.#current
  }

  /** True when asking again can give a different list (a function or a file). */
  get dynamic (): boolean {
    return typeof this.#source === 'function' || isFileSource(this.#source)
  }

  /**
   * The newest list: a function source is called (at most once per interval; concurrent callers
   * share the call; a failed call keeps the list it had), a file is already current by its watch.
   */
  async refresh (): Promise<readonly BrokerAddress[]> {
    const source = this.#source
    if (typeof source !== 'function') return this.#current
    if (this.#calling !== undefined) return await this.#calling
    if (this.#current.length > 0 && Date.now() - this.#lastCallAt < this.#minIntervalMs) return this.#current
    this.#lastCallAt = Date.now()
    this.#calling = (async () => {
      try {
        this.#replace(parseBootstrap(await source()), 'the bootstrap function')
      } catch (error) {
        this.#logger.warn({ err: (error as Error).message }, 'the bootstrap function failed; keeping the list it gave before')
      } finally {
        this.#calling = undefined
      }
      return this.#current
    })()
    return await this.#calling
  }

  /** Stops watching a file source. */
  close (): void {
    if (this.#watching !== undefined && isFileSource(this.#source)) unwatchFile(this.#source.file, this.#watching)
    this.#watching = undefined
    clearTimeout(this.#firstLook)
    this.#firstLook = undefined
    this.#directoryWatch?.close()
    this.#directoryWatch = undefined
  }

  #watch (file: string): BrokerAddress[] {
    // Stat before reading: a change between the two is then seen as a change, and read again. A
    // missing file is left to readList, whose error names it.
    const before = statSync(file, { throwIfNoEntry: false })
    const initial = readList(file)
    let seen = before ?? statSync(file)
    const check = (current: Stats): void => {
      if (current.mtimeMs === seen.mtimeMs && current.size === seen.size) return
      seen = current
      try {
        this.#replace(readList(file), `bootstrap file ${file}`)
      } catch (error) {
        // Half-written or removed for a moment: the next change brings a whole list.
        this.#logger.warn({ file, err: (error as Error).message }, 'bootstrap file unreadable; keeping the list it had')
      }
    }
    const look = (): void => {
      const current = statSync(file, { throwIfNoEntry: false })
      // Removed for a moment: the next event or poll sees it when it is back.
      if (current !== undefined) check(current)
    }
    this.#watching = (current) => { check(current) }
    // Like the client's sockets, the watch keeps the process alive until the client closes.
    watchFile(file, { interval: this.#filePollMs }, this.#watching)
    this.#directoryWatch = this.#watchDirectory(file, look)
    // watchFile reports changes against its own first stat, taken a moment after it starts: a change
    // written before that one is never reported (Node 24 missed 4 of 10 written right after the
    // start). One look of our own, once that first stat is surely taken, catches it.
    this.#firstLook = setTimeout(() => {
      this.#firstLook = undefined
      look()
    }, this.#filePollMs)
    return initial
  }

  /**
   * The file's directory, watched (inotify on Linux): every event in it is a reason to look, since
   * a file replaced by a rename, or a Kubernetes ConfigMap's symlink swap, shows up under another
   * name. A directory that cannot be watched (inotify limits, permissions) leaves the poll alone.
   */
  #watchDirectory (file: string, look: () => void): FSWatcher | undefined {
    try {
      const watcher = watch(dirname(file), { persistent: false }, () => { look() })
      watcher.on('error', (error) => {
        this.#logger.debug({ file, err: error.message }, 'bootstrap file directory watch failed; polling only')
        watcher.close()
      })
      return watcher
    } catch (error) {
      this.#logger.debug({ file, err: (error as Error).message }, 'bootstrap file directory cannot be watched; polling only')
      return undefined
    }
  }

  #replace (next: BrokerAddress[], from: string): void {
    const before = this.#current.map(formatAddress).join(',')
    this.#current = next
    const after = next.map(formatAddress).join(',')
    if (before === after) return
    this.#logger.info({ from, bootstrap: after }, 'bootstrap list changed')
    this.#onChange?.(next)
  }
}

function isFileSource (source: BootstrapSource): source is { file: string } {
  return typeof source === 'object' && source !== null && !Array.isArray(source) && typeof (source as { file?: unknown }).file === 'string'
}

/** A file's list: `host:port` entries separated by commas or lines; `#` starts a comment. */
function readList (file: string): BrokerAddress[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new InvalidArgumentError(`bootstrap file ${file} cannot be read: ${(error as Error).message}`, { cause: error })
  }
  const entries = text.split('\n').map((line) => line.replace(/#.*/, '').trim()).filter((line) => line !== '')
  try {
    return parseBootstrap(entries)
  } catch (error) {
    throw new InvalidArgumentError(`bootstrap file ${file}: ${(error as Error).message}`, { cause: error })
  }
}
