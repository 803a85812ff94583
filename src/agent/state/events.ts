/**
 * Recent events (connector created, rebalance state changed, an annotation carried out or
 * refused, a loop that failed), stored so the status page and `/api/events` survive a restart.
 * The table is trimmed to the newest `keep` rows.
 */
import type { StateDatabase } from './database.ts'

export type EventLevel = 'info' | 'warn' | 'error'

export interface AgentEvent {
  id: number
  at: string
  level: EventLevel
  /** What the event is about: connector, rebalance, group, annotation, loop, config. */
  kind: string
  subject: string
  message: string
}

export class EventLog {
  readonly #db: StateDatabase
  readonly #keep: number
  readonly #listeners = new Set<(event: AgentEvent) => void>()

  constructor (db: StateDatabase, keep = 1000) {
    this.#db = db
    this.#keep = keep
  }

  record (level: EventLevel, kind: string, subject: string, message: string): AgentEvent {
    const at = new Date().toISOString()
    const insert = this.#db.transaction(() => {
      const { lastInsertRowid } = this.#db.prepare('INSERT INTO events (at, level, kind, subject, message) VALUES (?, ?, ?, ?, ?)').run(at, level, kind, subject, message)
      this.#db.prepare('DELETE FROM events WHERE id <= ?').run(Number(lastInsertRowid) - this.#keep)
      return Number(lastInsertRowid)
    })
    const event: AgentEvent = { id: insert(), at, level, kind, subject, message }
    for (const listener of this.#listeners) listener(event)
    return event
  }

  /** Newest first; `after` gives only events with a larger id. */
  recent (limit = 100, after = 0): AgentEvent[] {
    return this.#db.prepare('SELECT id, at, level, kind, subject, message FROM events WHERE id > ? ORDER BY id DESC LIMIT ?').all(after, limit) as AgentEvent[]
  }

  onEvent (listener: (event: AgentEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
