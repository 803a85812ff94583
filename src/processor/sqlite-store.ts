/**
 * A persistent store in SQLite (better-sqlite3, as the agent's state): one database file per
 * table partition, the values and the last applied offset written in one transaction, so the
 * offset never claims more than the values hold. WAL with synchronous=NORMAL: a power loss can
 * drop the last transactions, which only makes the recovered tail longer (the offset goes back
 * with the values). Reads are served from SQLite; writes come in batches (the processor applies
 * what Kafka acknowledged, the recovery applies each fetched batch).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { InvalidArgumentError } from '../resilience/errors.ts'
import type { Store, StoreFactory } from './store.ts'

export class SqliteStore implements Store {
  readonly #db: Database.Database
  readonly #get: Database.Statement<[string], { value: Buffer }>
  readonly #put: Database.Statement<[string, Buffer]>
  readonly #delete: Database.Statement<[string]>
  readonly #setOffset: Database.Statement<[bigint]>
  readonly #count: Database.Statement<[], { n: number }>
  readonly #all: Database.Statement<[], { key: string, value: Buffer }>
  readonly #apply: (writes: ReadonlyArray<readonly [string, Buffer | null]>, offset: bigint) => void
  #offset: bigint

  constructor (file: string) {
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = NORMAL')
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 0), applied INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (id, applied) VALUES (0, -1);
    `)
    this.#get = this.#db.prepare('SELECT value FROM kv WHERE key = ?')
    this.#put = this.#db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    this.#delete = this.#db.prepare('DELETE FROM kv WHERE key = ?')
    this.#setOffset = this.#db.prepare('UPDATE meta SET applied = ? WHERE id = 0')
    this.#count = this.#db.prepare('SELECT count(*) AS n FROM kv')
    this.#all = this.#db.prepare('SELECT key, value FROM kv ORDER BY key')
    const row = this.#db.prepare('SELECT applied FROM meta WHERE id = 0').safeIntegers(true).get() as { applied: bigint }
    this.#offset = row.applied
    this.#apply = this.#db.transaction((writes: ReadonlyArray<readonly [string, Buffer | null]>, offset: bigint) => {
      for (const [key, value] of writes) {
        if (value === null) this.#delete.run(key)
        else this.#put.run(key, value)
      }
      this.#setOffset.run(offset)
    })
  }

  get (key: string): Buffer | undefined { return this.#get.get(key)?.value }

  apply (writes: ReadonlyArray<readonly [string, Buffer | null]>, offset: bigint): void {
    this.#apply(writes, offset)
    this.#offset = offset
  }

  get offset (): bigint { return this.#offset }
  get size (): number { return (this.#count.get() as { n: number }).n }

  * entries (): IterableIterator<[string, Buffer]> {
    for (const row of this.#all.iterate()) yield [row.key, row.value]
  }

  clear (): void {
    this.#db.transaction(() => {
      this.#db.exec('DELETE FROM kv')
      this.#setOffset.run(-1n)
    })()
    this.#offset = -1n
  }

  close (): void { this.#db.close() }
}

/** One SQLite file per table partition under `directory` (created if missing): `<topic>.<partition>.sqlite`. */
export function sqliteStore (directory: string): StoreFactory {
  if (typeof directory !== 'string' || directory === '') throw new InvalidArgumentError(`sqliteStore: directory must be a path, got ${String(directory)}`)
  mkdirSync(directory, { recursive: true })
  return (topic, partition) => new SqliteStore(join(directory, `${topic}.${partition}.sqlite`))
}
