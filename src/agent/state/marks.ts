/**
 * Annotations already carried out. Strimzi removes `strimzi.io/restart` from the resource once it
 * has restarted the connector; the agent does not edit the user's files, so it remembers the value
 * it acted on instead: the same value is acted on once, a new value (or the annotation removed and
 * added again) acts again.
 */
import type { StateDatabase } from './database.ts'

export class AnnotationMarks {
  readonly #db: StateDatabase
  constructor (db: StateDatabase) { this.#db = db }

  done (kind: string, name: string, annotation: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM marks WHERE kind = ? AND name = ? AND annotation = ?').get(kind, name, annotation) as { value: string } | undefined
    return row?.value
  }

  mark (kind: string, name: string, annotation: string, value: string): void {
    this.#db.prepare('INSERT INTO marks (kind, name, annotation, value, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, name, annotation) DO UPDATE SET value = excluded.value, at = excluded.at')
      .run(kind, name, annotation, value, new Date().toISOString())
  }

  /** Forgets marks whose annotation is no longer present, so adding it again acts again. */
  clear (kind: string, name: string, keep: string[]): void {
    const rows = this.#db.prepare('SELECT annotation FROM marks WHERE kind = ? AND name = ?').all(kind, name) as Array<{ annotation: string }>
    for (const { annotation } of rows) {
      if (!keep.includes(annotation)) this.#db.prepare('DELETE FROM marks WHERE kind = ? AND name = ? AND annotation = ?').run(kind, name, annotation)
    }
  }
}
