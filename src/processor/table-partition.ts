/**
 * One partition of the group table as the callbacks see it: the store (what Kafka acknowledged)
 * under an overlay of writes sent and not yet acknowledged, so a callback reads its own writes
 * while the store never holds a value the topic may not have. Acknowledged writes reach the store
 * in batches (one SQLite transaction per turn of the event loop rather than per record), with the
 * offset Kafka gave the last of them, and only in the order they were made: acknowledgements can
 * come back out of that order (a batch of writes to several partitions settles when its slowest
 * partition answers), so the store takes the prefix of writes that are all acknowledged, and a
 * key's older value never overwrites a newer one.
 */
import type { Store } from './store.ts'

/** A write sent and not yet in the store; `offset` is Kafka's once acknowledged. */
export interface PendingWrite { readonly key: string, readonly value: Buffer | null, readonly seq: number, offset: bigint, acked: boolean }

export class TablePartition {
  readonly store: Store
  readonly #overlay = new Map<string, PendingWrite>()
  #seq = 0
  /** Writes in the order made (their offset order: one partition), from the first not yet in the store. */
  #sent: PendingWrite[] = []
  #sentHead = 0
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
    const write = { key, value, seq: ++this.#seq, offset: -1n, acked: false }
    this.#overlay.set(key, write)
    this.#sent.push(write)
    return write
  }

  /** Kafka wrote `write` at `offset`: it reaches the store at the next flush once every write before it was acknowledged too. */
  acknowledge (write: PendingWrite, offset: bigint): void {
    write.offset = offset
    write.acked = true
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      setImmediate(() => { this.flush() })
    }
  }

  /** Moves the acknowledged prefix of the writes into the store. */
  flush (): void {
    this.#flushScheduled = false
    let end = this.#sentHead
    while (end < this.#sent.length && (this.#sent[end] as PendingWrite).acked) end++
    if (end === this.#sentHead) return
    const acked = this.#sent.slice(this.#sentHead, end)
    if (end === this.#sent.length) {
      this.#sent = []
      this.#sentHead = 0
    } else {
      this.#sentHead = end
      // Compact now and then rather than shifting on every flush.
      if (this.#sentHead > 1024 && this.#sentHead * 2 > this.#sent.length) {
        this.#sent = this.#sent.slice(this.#sentHead)
        this.#sentHead = 0
      }
    }
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
    this.#sent = []
    this.#sentHead = 0
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
