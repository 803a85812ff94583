/**
 * The agent's state: one SQLite file (better-sqlite3) in the state directory. Every change is one
 * transaction in WAL mode with synchronous=FULL, so a kill -9 (or a power cut) at any point leaves
 * either the old or the new state of each write, and a restarted agent resumes where it was:
 * rebalance records with their User-Task-IDs, the connector ownership ledger and auto-restart
 * counters, annotations already carried out, and recent events.
 * One agent writes one state directory (several agents sharing a lease is out of scope).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS records (
     kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL,
     PRIMARY KEY (kind, name))`,
  `CREATE TABLE IF NOT EXISTS events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, level TEXT NOT NULL,
     kind TEXT NOT NULL, subject TEXT NOT NULL, message TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS marks (
     kind TEXT NOT NULL, name TEXT NOT NULL, annotation TEXT NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL,
     PRIMARY KEY (kind, name, annotation))`,
]

export type StateDatabase = Database.Database

export const DATABASE_FILE = 'agent.db'

/** Opens (creating it if needed) the database in `dir`; a failure names the directory and why. */
export function openStateDatabase (dir: string): StateDatabase {
  let db: StateDatabase
  try {
    mkdirSync(dir, { recursive: true })
    db = new Database(join(dir, DATABASE_FILE))
  } catch (error) {
    throw new Error(`the state directory ${dir} (config \`state\`) cannot hold the agent's database: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 5000')
  for (const statement of SCHEMA) db.exec(statement)
  return db
}
