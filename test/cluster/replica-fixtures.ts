// What the replication tests share: throwaway SQLite databases with the gateway's schema, and a table
// dump ("identical" means these dumps are equal).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Db } from '../../gateway/db/open-database.ts'

/** A fresh gateway database; its close and removal are pushed onto `cleanup`. */
export function tempDatabase (cleanup: Array<() => Promise<void> | void>, prefix: string): Db {
  const dir = mkdtempSync(join(tmpdir(), `anju-${prefix}-`))
  const db = openDatabase(dir)
  cleanup.push(() => { db.close(); rmSync(dir, { recursive: true, force: true }) })
  return db
}

/** Every row of each table, in key order (`keys` for tables not keyed by `id`). */
export function dumpTables (db: Db, tables: readonly string[], keys: Record<string, string> = {}): Record<string, unknown[]> {
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY ${keys[t] ?? 'id'}`).all()]))
}
