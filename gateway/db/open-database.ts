// One SQLite database per gateway (better-sqlite3, synchronous: a registry lookup is a few µs).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from './migrations.ts'

export type Db = Database.Database

export function openDatabase (dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'anju.db'))
  // WAL lets the CLI provision while the gateway runs; NORMAL sync is durable across process crashes.
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}
