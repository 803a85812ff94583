/**
 * Annotations already carried out. Strimzi removes `strimzi.io/restart` from the resource once it
 * has restarted the connector; the agent does not edit the user's files, so it remembers the value
 * it acted on instead: the same value is acted on once, a new value (or the annotation removed and
 * added again) acts again.
 */
import type { StateReplica } from '../ha/state-topic.ts'
import type { StateDatabase } from './database.ts'

/** With HA, each change goes to the state topic first, then to the database. */
export class AnnotationMarks {
  readonly #db: StateDatabase
  readonly #replica: StateReplica | undefined
  constructor (db: StateDatabase, replica?: StateReplica) {
    this.#db = db
    this.#replica = replica
  }

  done (kind: string, name: string, annotation: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM marks WHERE kind = ? AND name = ? AND annotation = ?').get(kind, name, annotation) as { value: string } | undefined
    return row?.value
  }

  async mark (kind: string, name: string, annotation: string, value: string): Promise<void> {
    await this.#replica?.write(['mark', kind, name, annotation], value)
    this.#db.prepare('INSERT INTO marks (kind, name, annotation, value, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, name, annotation) DO UPDATE SET value = excluded.value, at = excluded.at')
      .run(kind, name, annotation, value, new Date().toISOString())
  }

  /** Forgets marks whose annotation is no longer present, so adding it again acts again. */
  async clear (kind: string, name: string, keep: string[]): Promise<void> {
    const rows = this.#db.prepare('SELECT annotation FROM marks WHERE kind = ? AND name = ?').all(kind, name) as Array<{ annotation: string }>
    for (const { annotation } of rows) {
      if (keep.includes(annotation)) continue
      await this.#replica?.write(['mark', kind, name, annotation], null)
      this.#db.prepare('DELETE FROM marks WHERE kind = ? AND name = ? AND annotation = ?').run(kind, name, annotation)
    }
  }
}
