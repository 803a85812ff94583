/**
 * A fetch session with one broker (KIP-227, Fetch v7+): the broker remembers the partitions of
 * the last request, so each next one (incremental) names only the partitions that are new or
 * whose fetch position or leader epoch changed, and lists those to drop as forgotten; its answer
 * names only partitions with something to say. The first request (epoch 0) asks for a session;
 * a broker that does not make one (sessionId 0: its cache is full, or too old a version) gets a
 * full request every time.
 *
 * What the session holds mirrors what the broker holds: the position each partition was last
 * sent with. A partition that got records has a new position, so it is sent again, or, when it
 * is not fetched next time (paused, buffer full, backing off, moved), forgotten; the broker never
 * serves from a position the consumer has left. Any failed request ends the session (`reset`): the
 * next one is full and opens a new one.
 *
 * The session is keyed by topic and partition, as the broker's is: a partition given up and given
 * back (a new PartitionState for the same partition, as a cooperative rebalance does) is sent, and
 * never also forgotten in the same request — the broker applies the forgotten list after the sent
 * one, so it would drop the partition while the consumer went on thinking it was fetched.
 */
import type { PartitionState } from './partition-state.ts'

/** What the session has sent for a partition: the position and epoch the broker fetches it from. */
export interface SessionEntry {
  state: PartitionState
  offset: bigint
  leaderEpoch: number
  /** The partition's version when it was sent: an answer for an older one is dropped. */
  version: number
}

export interface SessionRequest {
  sessionId: number
  sessionEpoch: number
  /** Partitions this request names, with the positions it names them at. */
  send: SessionEntry[]
  forget: PartitionState[]
}

const INITIAL_EPOCH = 0
const INT32_MAX = 2_147_483_647

export class FetchSession {
  #id = 0
  #epoch = INITIAL_EPOCH
  /** By PartitionState.key (topic and partition). */
  readonly #entries = new Map<string, SessionEntry>()
  #pending: SessionRequest | undefined
  /** The pending request's partitions, for the answer. */
  #pendingSent = new Map<string, SessionEntry>()

  /** The request for the partitions to fetch now, in the order given (a full one has all of them). */
  next (ready: readonly PartitionState[]): SessionRequest {
    const entry = (state: PartitionState): SessionEntry => ({ state, offset: state.fetchOffset, leaderEpoch: state.leaderEpoch, version: state.version })
    let request: SessionRequest
    if (this.#id === 0) {
      request = { sessionId: 0, sessionEpoch: INITIAL_EPOCH, send: ready.map(entry), forget: [] }
    } else {
      const wanted = new Set(ready.map((state) => state.key))
      const changed = ready.filter((state) => {
        const held = this.#entries.get(state.key)
        return held === undefined || held.state !== state || held.offset !== state.fetchOffset || held.leaderEpoch !== state.leaderEpoch || held.version !== state.version
      })
      const forget = [...this.#entries].filter(([key]) => !wanted.has(key)).map(([, held]) => held.state)
      request = { sessionId: this.#id, sessionEpoch: this.#epoch, send: changed.map(entry), forget }
    }
    this.#pending = request
    this.#pendingSent = new Map(request.send.map((e) => [e.state.key, e]))
    return request
  }

  /**
   * The Sent record of a partition the answer names: what this request sent, else what the session
   * holds, if it was sent for this very state (an answer about a partition since given up and back is dropped).
   */
  entryOf (state: PartitionState): SessionEntry | undefined {
    const entry = this.#pendingSent.get(state.key) ?? this.#entries.get(state.key)
    return entry?.state === state ? entry : undefined
  }

  /** The broker answered the pending request (no top-level error) with this session id. */
  answered (sessionId: number): void {
    const request = this.#pending
    this.#pending = undefined
    this.#pendingSent = new Map()
    if (request === undefined) return
    if (request.sessionId === 0) {
      this.#entries.clear()
      if (sessionId === 0) return
      this.#id = sessionId
      this.#epoch = INITIAL_EPOCH
    }
    for (const state of request.forget) this.#entries.delete(state.key)
    for (const e of request.send) this.#entries.set(e.state.key, e)
    this.#epoch = this.#epoch >= INT32_MAX ? 1 : this.#epoch + 1
  }

  /** The request failed, or the broker lost the session: the next request is full. */
  reset (): void {
    this.#id = 0
    this.#epoch = INITIAL_EPOCH
    this.#entries.clear()
    this.#pending = undefined
    this.#pendingSent = new Map()
  }

  get id (): number {
    return this.#id
  }
}
