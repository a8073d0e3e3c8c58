// Copying whole SQLite tables to PostgreSQL and back, for the parts of cluster mode that are written on
// one node (the admin gateway's SQLite: registry, village content, screens) and read on every worker
// from a local SQLite replica (synchronous lookups of a few µs). A push makes PostgreSQL's tables equal to
// the SQLite snapshot in one transaction and announces it on a channel; a load replaces a replica's rows
// with one PostgreSQL snapshot in one SQLite transaction. registry-sync.ts and content-sync.ts name the
// tables.
import type pg from 'pg'
import type { Db } from '../../db/open-database.ts'
import { listen } from './pg-listen.ts'

export type ColumnType = 'text' | 'bigint' | 'integer' | 'double precision'

export interface TableSpec<Name extends string = string> {
  name: Name
  key: string[]
  columns: Record<string, ColumnType>
}

export type Row = Record<string, unknown>

/** Rows of a table from SQLite, in key order (the order loads write them back in). */
export function localRows (db: Db, table: TableSpec): Row[] {
  return db.prepare(`SELECT ${Object.keys(table.columns).join(', ')} FROM ${table.name} ORDER BY ${table.key.join(', ')}`).all() as Row[]
}

/**
 * Upsert all rows of one table in one statement: one array parameter per column, unnested into rows.
 * The WHERE keeps unchanged rows untouched (no new row versions, no churn for vacuum).
 */
async function upsert (client: pg.PoolClient, table: TableSpec, rows: Row[]): Promise<number> {
  if (rows.length === 0) return 0
  const names = Object.keys(table.columns)
  const arrays = names.map((c) => rows.map((r) => r[c] ?? null))
  const unnest = names.map((c, i) => `$${i + 1}::${table.columns[c]}[]`).join(', ')
  const rest = names.filter((c) => !table.key.includes(c))
  const result = await client.query(`INSERT INTO ${table.name} (${names.join(', ')}) SELECT * FROM unnest(${unnest})
    ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
    WHERE (${rest.map((c) => `${table.name}.${c}`).join(', ')}) IS DISTINCT FROM (${rest.map((c) => `EXCLUDED.${c}`).join(', ')})`, arrays)
  // Rows inserted or changed; an unchanged row is skipped by the WHERE and not counted.
  return result.rowCount ?? 0
}

/** Delete the rows whose key is not among `rows`. */
async function deleteMissing (client: pg.PoolClient, table: TableSpec, rows: Row[]): Promise<number> {
  const keys = table.key.map((c) => rows.map((r) => r[c]))
  const unnest = table.key.map((c, i) => `$${i + 1}::${table.columns[c] ?? 'text'}[]`).join(', ')
  const match = table.key.map((c, i) => `k.k${i} = t.${c}`).join(' AND ')
  const alias = table.key.map((_c, i) => `k${i}`).join(', ')
  const result = await client.query(`DELETE FROM ${table.name} t WHERE NOT EXISTS
    (SELECT 1 FROM unnest(${unnest}) AS k(${alias}) WHERE ${match})`, keys)
  return result.rowCount ?? 0
}

export interface PushOptions {
  /** Parents before children (the order inserts need); deletes run in reverse. */
  tables: readonly TableSpec[]
  /** NOTIFY'd at commit. */
  channel: string
  /** An advisory lock number serialising concurrent pushes (two would otherwise deadlock on row locks). */
  lock: number
}

/**
 * Make PostgreSQL's tables equal to this SQLite database's, in one transaction (workers never see half a
 * push), then notify the workers if any row changed (a push that changes nothing wakes nobody: the admin
 * node pushes after every write it sees, most of which are not to these tables). Returns the rows per
 * table now in PostgreSQL.
 */
export async function pushTables (pool: pg.Pool, sqlite: Db, options: PushOptions): Promise<Record<string, number>> {
  const { tables } = options
  // One SQLite read transaction: a consistent snapshot even while the CLI writes.
  const snapshot = sqlite.transaction(() => tables.map((t) => localRows(sqlite, t)))()
  const counts: Record<string, number> = {}
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [options.lock])
    let changed = 0
    for (const [i, table] of tables.entries()) {
      changed += await upsert(client, table, snapshot[i] as Row[])
      counts[table.name] = (snapshot[i] as Row[]).length
    }
    for (const [i, table] of [...tables.entries()].reverse()) changed += await deleteMissing(client, table, snapshot[i] as Row[])
    // Delivered at COMMIT, and only if it commits.
    if (changed > 0) await client.query(`NOTIFY ${options.channel}`)
    await client.query('COMMIT')
    return counts
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/** SQLite has no BIGINT type to parse: pg's strings for int8 columns become numbers again. */
function fromPg (table: TableSpec, row: Row): Row {
  const out: Row = {}
  for (const [c, type] of Object.entries(table.columns)) {
    const v = row[c]
    out[c] = type === 'bigint' && v !== null && v !== undefined ? Number(v) : v
  }
  return out
}

/** All rows of the tables from one PostgreSQL snapshot (a push running meanwhile is seen whole or not at all). */
export async function readTables (pool: pg.Pool, tables: readonly TableSpec[]): Promise<Row[][]> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const snapshot: Row[][] = []
    for (const table of tables) {
      const { rows } = await client.query<Row>(`SELECT ${Object.keys(table.columns).join(', ')} FROM ${table.name} ORDER BY ${table.key.map((c) => table.columns[c] === 'text' ? `${c} COLLATE "C"` : c).join(', ')}`)
      snapshot.push(rows.map((r) => fromPg(table, r)))
    }
    await client.query('COMMIT')
    return snapshot
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/**
 * Replace the tables' rows in a local SQLite database (one opened with openDatabase: same schema) with
 * `snapshot` (readTables' answer), in one SQLite transaction, within which `before` runs first (to see
 * the old rows). Returns the rows per table loaded.
 */
export function replaceLocal (into: Db, tables: readonly TableSpec[], snapshot: Row[][], before?: () => void): Record<string, number> {
  const counts: Record<string, number> = {}
  into.transaction(() => {
    before?.()
    // Checked at commit instead of per statement: tables are emptied and refilled, and rows reference
    // rows of the same table. Local rows that would dangle make the commit fail and leave the old copy.
    into.pragma('defer_foreign_keys = ON')
    for (const table of [...tables].reverse()) into.prepare(`DELETE FROM ${table.name}`).run()
    for (const [i, table] of tables.entries()) {
      const names = Object.keys(table.columns)
      const insert = into.prepare(`INSERT INTO ${table.name} (${names.join(', ')}) VALUES (${names.map((c) => `@${c}`).join(', ')})`)
      for (const row of snapshot[i] as Row[]) insert.run(row)
      counts[table.name] = (snapshot[i] as Row[]).length
    }
  })()
  return counts
}

export interface WatchOptions {
  debounceMs?: number
  onError?: (err: Error) => void
}

/**
 * Call `onChange` after each push announced on `channel` (and after a reconnect, when a push may have
 * been missed), at most once per `debounceMs`: a burst of pushes costs one reload. Resolves once
 * listening; the returned function stops.
 */
export async function watchChannel (
  source: string | pg.Pool,
  channel: string,
  onChange: () => void | Promise<void>,
  options: WatchOptions = {}
): Promise<() => Promise<void>> {
  const debounceMs = options.debounceMs ?? 200
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> = Promise.resolve()
  const fire = (): void => {
    timer = null
    // One reload at a time, in order: a slow reload is followed by one more, never overlapped.
    running = running.then(async () => { await onChange() }).catch((err: unknown) => options.onError?.(err as Error))
  }
  const stopListening = await listen(source, channel, {
    onNotify: () => { if (timer === null) timer = setTimeout(fire, debounceMs) },
    onError: options.onError
  })
  return async () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    await stopListening()
    await running
  }
}
