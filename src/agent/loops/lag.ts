/**
 * The lag loop: watches the groups named in the config, and, when a pattern is given (`*` matches
 * any run of characters), the cluster's groups that match it (listing groups is asked only then:
 * some brokers, librdkafka's mock among them, do not offer ListGroups). It reads each one's lag with the admin's consumerGroupLag
 * (coordinator moves and broker loss are the admin's to ride out) and judges it Burrow-style.
 * One group failing is reported on that group and does not keep the others from being read.
 * A short history of each group's total lag feeds the status page's chart.
 */
import type { Admin } from '../../admin/admin.ts'
import { groupLag, groupStatus } from '../metrics.ts'
import { LagTracker, type GroupStatus, type LagStatus } from '../lag-status.ts'
import type { EventLog } from '../state/events.ts'
import type { WatchedGroup } from '../config.ts'

export interface GroupView extends Partial<Omit<GroupStatus, 'status'>> {
  group: string
  status: LagStatus | 'UNKNOWN'
  error?: string
  /** Total lag over time, oldest first: [unix ms, lag]. */
  history: Array<[number, number]>
}

export interface LagSnapshot { at?: string, groups: GroupView[] }

const HISTORY = 120

export function globToRegExp (pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
}

function lagTopics (topics: string[] | undefined): { topics?: Array<{ topic: string }> } {
  return topics === undefined ? {} : { topics: topics.map((topic) => ({ topic })) }
}

export class LagLoop {
  readonly #admin: Admin
  readonly #named: WatchedGroup[]
  readonly #patterns: Array<{ match: RegExp, topics?: string[] }>
  readonly #tracker: LagTracker
  readonly #events: EventLog
  readonly #history = new Map<string, Array<[number, number]>>()
  readonly #statuses = new Map<string, string>()
  #snapshot: LagSnapshot = { groups: [] }

  constructor (options: { admin: Admin, groups: WatchedGroup[], window: number, events: EventLog }) {
    this.#admin = options.admin
    this.#named = options.groups.filter((g) => !g.name.includes('*'))
    this.#patterns = options.groups.filter((g) => g.name.includes('*')).map((g) => ({ match: globToRegExp(g.name), ...(g.topics === undefined ? {} : { topics: g.topics }) }))
    this.#tracker = new LagTracker(options.window)
    this.#events = options.events
  }

  get snapshot (): LagSnapshot { return this.#snapshot }

  async run (signal: AbortSignal): Promise<void> {
    const listed = this.#patterns.length === 0 ? [] : (await this.#admin.listGroups({ signal })).map((g) => g.groupId)
    const topics = new Map(this.#named.map((g) => [g.name, g.topics]))
    for (const name of listed) {
      const pattern = this.#patterns.find((p) => p.match.test(name))
      if (pattern !== undefined && !topics.has(name)) topics.set(name, pattern.topics)
    }
    const names = [...topics.keys()].sort()
    const at = Date.now()
    const views = await Promise.all(names.map(async (group): Promise<GroupView> => {
      try {
        const status = this.#tracker.observe(group, await this.#admin.consumerGroupLag(group, { signal, ...lagTopics(topics.get(group)) }), at)
        const history = [...(this.#history.get(group) ?? []), [at, Number(status.totalLag)] as [number, number]].slice(-HISTORY)
        this.#history.set(group, history)
        return { ...status, history }
      } catch (error) {
        if (signal.aborted) throw error
        return { group, status: 'UNKNOWN', error: (error as Error).message, history: this.#history.get(group) ?? [] }
      }
    }))
    const keep = new Set(names)
    this.#tracker.forget(keep)
    for (const g of this.#history.keys()) if (!keep.has(g)) this.#history.delete(g)
    for (const v of views) this.#noteStatus(v)
    this.#snapshot = { at: new Date(at).toISOString(), groups: views }
    groupLag.reset()
    groupStatus.reset()
    for (const v of views) {
      for (const s of ['OK', 'WARN', 'ERR', 'UNKNOWN']) groupStatus.set({ group: v.group, status: s }, s === v.status ? 1 : 0)
      for (const p of v.partitions ?? []) groupLag.set({ group: v.group, topic: p.topic, partition: String(p.partition) }, Number(p.lag))
    }
  }

  #noteStatus (v: GroupView): void {
    if (this.#statuses.get(v.group) === v.status) return
    const first = !this.#statuses.has(v.group)
    this.#statuses.set(v.group, v.status)
    if (first && v.status === 'OK') return
    const why = v.error ?? v.partitions?.find((p) => p.status === v.status)?.reason ?? ''
    this.#events.record(v.status === 'OK' ? 'info' : v.status === 'WARN' ? 'warn' : 'error', 'group', v.group, `${v.status}${why === '' ? '' : `: ${why}`}`)
  }
}
