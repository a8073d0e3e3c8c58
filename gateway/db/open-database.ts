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
  cachePreparedStatements(db)
  return db
}

/**
 * A throwaway database with the same schema (cluster mode: a worker's local copy of the registry and of
 * the alert state of the partitions it owns; PostgreSQL holds the durable state).
 */
export function openMemoryDatabase (): Db {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  migrate(db)
  cachePreparedStatements(db)
  return db
}

/** Distinct SQL texts kept compiled; the stores use a few dozen, so this only bounds a mistake. */
const STATEMENT_CACHE_SIZE = 500

/**
 * better-sqlite3 compiles the SQL on every `db.prepare`, and the stores call it per lookup (readable,
 * but at 10,000 devices × 1 msg/s compiling the registry's and places' lookups cost ~1.1 s of CPU per
 * 30 s, measured with `npm run bench -- connections`). Memoise statements by their text. Safe here:
 * nothing on this database switches a statement's mode (.pluck/.raw/.expand) or iterates one, which
 * would leak into the next user of the same cached statement.
 */
function cachePreparedStatements (db: Db): void {
  const compile = db.prepare.bind(db)
  const cache = new Map<string, Database.Statement>()
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql)
    if (statement === undefined) {
      statement = compile(sql)
      if (cache.size < STATEMENT_CACHE_SIZE) cache.set(sql, statement)
    }
    return statement
  }) as Db['prepare']
}
