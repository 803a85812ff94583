/**
 * Which input offsets may be committed. Every record gets an entry that is done once its callback
 * finished, every emit and table write it made was acknowledged, and every `ctx.defer()` it took
 * was called. Entries finish in any order; a topic's committable position only moves over a
 * prefix of done entries, so a commit never covers a record still in flight (at-least-once).
 */

export interface TrackedRecord {
  readonly topic: string
  readonly offset: bigint
  /** Outstanding parts: the callback itself, sends, deferrals. */
  remaining: number
  /** Called when nothing remains, for a visit's writes (visits are not in the tracker: they have no offset to commit). */
  readonly done?: () => void
}

export class OffsetTracker {
  #entries: TrackedRecord[] = []
  #head = 0
  /** topic → the next offset to read (everything before is done). */
  readonly done = new Map<string, bigint>()

  add (topic: string, offset: bigint): TrackedRecord {
    const entry = { topic, offset, remaining: 1 }
    this.#entries.push(entry)
    return entry
  }

  /** One part of `entry` finished; returns true when the committable position moved. */
  settle (entry: TrackedRecord): boolean {
    entry.remaining--
    let moved = false
    while (this.#head < this.#entries.length && (this.#entries[this.#head] as TrackedRecord).remaining === 0) {
      const e = this.#entries[this.#head++] as TrackedRecord
      this.done.set(e.topic, e.offset + 1n)
      moved = true
    }
    // Compact now and then rather than shifting on every record.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head)
      this.#head = 0
    }
    return moved
  }

  /** Records not done yet. */
  get inFlight (): number { return this.#entries.length - this.#head }

  /** Forgets the records not done (a restart reads them again). */
  dropPending (): void {
    this.#entries = []
    this.#head = 0
  }
}
