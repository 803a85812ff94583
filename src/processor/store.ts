/**
 * Local storage of one table partition. A store holds only what Kafka acknowledged, with the
 * offset of the last table record applied, so that after a restart the partition is recovered from
 * that offset on (the tail) and never from a value the topic does not have. Pluggable: in memory by
 * default, SQLite for state that survives a restart (sqlite-store.ts).
 */

export interface Store {
  get: (key: string) => Buffer | undefined
  /** Applies the writes (null deletes) in order and records `offset` as the last applied, atomically. */
  apply: (writes: ReadonlyArray<readonly [string, Buffer | null]>, offset: bigint) => void
  /** The offset of the last table record applied; -1n for none. */
  readonly offset: bigint
  readonly size: number
  entries: () => IterableIterator<[string, Buffer]>
  /** Forgets everything (a store ahead of its topic is rebuilt from the beginning). */
  clear: () => void
  close: () => void
}

/** Makes (or opens) the store of one partition of a table topic. */
export type StoreFactory = (topic: string, partition: number) => Store

export class MemoryStore implements Store {
  readonly #values = new Map<string, Buffer>()
  #offset = -1n

  get (key: string): Buffer | undefined { return this.#values.get(key) }

  apply (writes: ReadonlyArray<readonly [string, Buffer | null]>, offset: bigint): void {
    for (const [key, value] of writes) {
      if (value === null) this.#values.delete(key)
      else this.#values.set(key, value)
    }
    this.#offset = offset
  }

  get offset (): bigint { return this.#offset }
  get size (): number { return this.#values.size }
  entries (): IterableIterator<[string, Buffer]> { return this.#values.entries() }

  clear (): void {
    this.#values.clear()
    this.#offset = -1n
  }

  close (): void {}
}

export const memoryStore: StoreFactory = () => new MemoryStore()
