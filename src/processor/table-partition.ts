/**
 * One partition of the group table as the callbacks see it: the store (what Kafka acknowledged)
 * under an overlay of writes sent and not yet acknowledged, so a callback reads its own writes
 * while the store never holds a value the topic may not have. Acknowledged writes reach the store
 * in batches (one SQLite transaction per turn of the event loop rather than per record), with the
 * offset Kafka gave the last of them.
 */
import type { Store } from './store.ts'

/** A write sent and not yet in the store; `offset` is Kafka's once acknowledged. */
export interface PendingWrite { readonly key: string, readonly value: Buffer | null, readonly seq: number, offset: bigint }

export class TablePartition {
  readonly store: Store
  readonly #overlay = new Map<string, PendingWrite>()
  #seq = 0
  #acked: PendingWrite[] = []
  #flushScheduled = false

  constructor (store: Store) {
    this.store = store
  }

  get (key: string): Buffer | undefined {
    const pending = this.#overlay.get(key)
    if (pending !== undefined) return pending.value ?? undefined
    return this.store.get(key)
  }

  /** A write the callback made; give it to `acknowledge` once Kafka acknowledged it. */
  write (key: string, value: Buffer | null): PendingWrite {
    const write = { key, value, seq: ++this.#seq, offset: -1n }
    this.#overlay.set(key, write)
    return write
  }

  /** Kafka wrote `write` at `offset`: it reaches the store at the next flush. */
  acknowledge (write: PendingWrite, offset: bigint): void {
    write.offset = offset
    this.#acked.push(write)
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      setImmediate(() => { this.flush() })
    }
  }

  /** Moves acknowledged writes into the store (in acknowledgement order, which is offset order within a partition). */
  flush (): void {
    this.#flushScheduled = false
    if (this.#acked.length === 0) return
    const acked = this.#acked
    this.#acked = []
    let offset = this.store.offset
    for (const a of acked) if (a.offset > offset) offset = a.offset
    this.store.apply(acked.map((a) => [a.key, a.value] as const), offset)
    for (const a of acked) {
      // A later write of the same key stays in the overlay until it is acknowledged too.
      if (this.#overlay.get(a.key)?.seq === a.seq) this.#overlay.delete(a.key)
    }
  }

  /** Drops the writes not acknowledged (a partition restarting re-reads the topic, which has whichever of them were written). */
  discardPending (): void {
    this.flush()
    this.#overlay.clear()
  }

  /** The keys a callback would find a value for now: the store's, with the writes not yet acknowledged over them. */
  keys (): string[] {
    const keys = new Set<string>()
    for (const [key] of this.store.entries()) keys.add(key)
    for (const [key, write] of this.#overlay) {
      if (write.value === null) keys.delete(key)
      else keys.add(key)
    }
    return [...keys]
  }

  get pendingWrites (): number { return this.#overlay.size }
}
