/**
 * Named JSON records in the state database, one row each, kind by kind: rebalance records (the
 * lifecycle's RecordStore) and the connector ownership ledger (the reconciler's OwnershipStore).
 * Each put is one transaction, so a record is never half written. With HA, each change goes to
 * the state topic first (docs/agent.md, "High availability"), then to the database.
 */
import { emptyOwnership, type OwnershipState, type OwnershipStore } from '../../connect/ownership.ts'
import type { RebalanceRecord } from '../../cruise-control/lifecycle.ts'
import type { LockOptions, RecordStore } from '../../cruise-control/state-store.ts'
import { KeyedSerial } from '../../resilience/keyed-serial.ts'
import type { StateReplica } from '../ha/state-topic.ts'
import type { StateDatabase } from './database.ts'

export class SqliteRecordStore<T extends { name: string }> implements RecordStore<T> {
  readonly location: string
  readonly #db: StateDatabase
  readonly #kind: string
  readonly #locks = new KeyedSerial<string>()
  readonly #replica: StateReplica | undefined

  constructor (db: StateDatabase, kind: string, replica?: StateReplica) {
    this.#db = db
    this.#kind = kind
    this.#replica = replica
    this.location = `state database ${db.name}`
  }

  async get (name: string): Promise<T | undefined> {
    const row = this.#db.prepare('SELECT body FROM records WHERE kind = ? AND name = ?').get(this.#kind, name) as { body: string } | undefined
    return row === undefined ? undefined : JSON.parse(row.body) as T
  }

  async put (record: T): Promise<void> {
    const body = JSON.stringify(record)
    await this.#replica?.write(['record', this.#kind, record.name], body)
    this.#db.prepare('INSERT INTO records (kind, name, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at')
      .run(this.#kind, record.name, body, new Date().toISOString())
  }

  async delete (name: string): Promise<boolean> {
    await this.#replica?.write(['record', this.#kind, name], null)
    return this.#db.prepare('DELETE FROM records WHERE kind = ? AND name = ?').run(this.#kind, name).changes > 0
  }

  async list (): Promise<T[]> {
    const rows = this.#db.prepare('SELECT body FROM records WHERE kind = ? ORDER BY name').all(this.#kind) as Array<{ body: string }>
    return rows.map((r) => JSON.parse(r.body) as T)
  }

  /** One agent owns the database (with HA: the lease holder), so a lock within this process is enough. */
  async withLock<R> (name: string, fn: () => Promise<R>, _options?: LockOptions): Promise<R> {
    return await this.#locks.run(name, fn)
  }
}

export function rebalanceStore (db: StateDatabase, replica?: StateReplica): SqliteRecordStore<RebalanceRecord> {
  return new SqliteRecordStore<RebalanceRecord>(db, 'rebalance', replica)
}

/** The reconciler's ledger as one record: it is saved whole after each change. */
export class SqliteOwnershipStore implements OwnershipStore {
  readonly #records: SqliteRecordStore<OwnershipState & { name: string }>
  constructor (db: StateDatabase, replica?: StateReplica) { this.#records = new SqliteRecordStore(db, 'connect-ownership', replica) }

  async load (): Promise<OwnershipState> {
    const stored = await this.#records.get('ledger')
    if (stored === undefined) return emptyOwnership()
    return { clusterId: stored.clusterId, managed: stored.managed, pending: stored.pending, restarts: stored.restarts, grace: stored.grace ?? {} }
  }

  async save (state: OwnershipState): Promise<void> {
    await this.#records.put({ name: 'ledger', ...state })
  }
}
