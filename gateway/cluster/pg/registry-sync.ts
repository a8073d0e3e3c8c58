// The registry in cluster mode: provisioning still happens on one embedded gateway's SQLite database (the
// CLI and console write there); `pushRegistry` copies its registry tables to PostgreSQL in one
// transaction and announces it; every worker keeps a local SQLite copy (`loadRegistry`), so device auth
// and the stores stay synchronous lookups of a few µs, and reloads it when told (`watchRegistry`).
import type pg from 'pg'
import type { Db } from '../../db/open-database.ts'
import { listen } from './pg-listen.ts'

type ColumnType = 'text' | 'bigint' | 'integer' | 'double precision'

interface TableSpec {
  name: RegistryTable
  key: string[]
  columns: Record<string, ColumnType>
}

export type RegistryTable = 'villages' | 'grids' | 'homes' | 'residents' | 'contacts' | 'devices' | 'contact_channels'

/** Parents before children (the order inserts need); deletes run in reverse. Columns as in migrations.ts. */
const TABLES: TableSpec[] = [
  { name: 'villages', key: ['id'], columns: { id: 'text', name: 'text', created_at: 'bigint' } },
  { name: 'grids', key: ['id'], columns: { id: 'text', village_id: 'text', name: 'text', created_at: 'bigint' } },
  { name: 'homes', key: ['id'], columns: { id: 'text', grid_id: 'text', label: 'text', created_at: 'bigint' } },
  { name: 'residents', key: ['id'], columns: { id: 'text', home_id: 'text', name: 'text', birth_year: 'integer', created_at: 'bigint' } },
  {
    name: 'contacts',
    key: ['id'],
    columns: {
      id: 'text', home_id: 'text', grid_id: 'text', village_id: 'text', name: 'text', phone: 'text', role: 'text', priority: 'integer', created_at: 'bigint'
    }
  },
  {
    name: 'devices',
    key: ['id'],
    columns: {
      id: 'text', home_id: 'text', kind: 'text', room: 'text', hub_id: 'text', friendly_name: 'text', secret_hash: 'text',
      created_at: 'bigint', revoked_at: 'bigint', online: 'integer', last_seen: 'bigint', battery: 'double precision',
      rssi: 'double precision', linkquality: 'double precision', fw: 'text', dropped: 'text', config: 'text'
    }
  },
  {
    name: 'contact_channels',
    key: ['contact_id', 'channel'],
    columns: { contact_id: 'text', channel: 'text', config: 'text', enabled: 'integer', updated_at: 'bigint' }
  }
]

export const REGISTRY_TABLES: readonly RegistryTable[] = TABLES.map((t) => t.name)
export const REGISTRY_CHANNEL = 'anju_registry'
/** Serialises concurrent pushes (two admins provisioning at once would otherwise deadlock on row locks). */
const PUSH_LOCK = 0x616e6a72

type Row = Record<string, unknown>

/** Rows of a table from SQLite, in key order (the order loadRegistry writes them back in). */
function sqliteRows (db: Db, table: TableSpec): Row[] {
  return db.prepare(`SELECT ${Object.keys(table.columns).join(', ')} FROM ${table.name} ORDER BY ${table.key.join(', ')}`).all() as Row[]
}

/**
 * Upsert all rows of one table in one statement: one array parameter per column, unnested into rows.
 * The WHERE keeps unchanged rows untouched (no new row versions, no churn for vacuum).
 */
async function upsert (client: pg.PoolClient, table: TableSpec, rows: Row[]): Promise<void> {
  if (rows.length === 0) return
  const names = Object.keys(table.columns)
  const arrays = names.map((c) => rows.map((r) => r[c] ?? null))
  const unnest = names.map((c, i) => `$${i + 1}::${table.columns[c]}[]`).join(', ')
  const rest = names.filter((c) => !table.key.includes(c))
  await client.query(`INSERT INTO ${table.name} (${names.join(', ')}) SELECT * FROM unnest(${unnest})
    ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
    WHERE (${rest.map((c) => `${table.name}.${c}`).join(', ')}) IS DISTINCT FROM (${rest.map((c) => `EXCLUDED.${c}`).join(', ')})`, arrays)
}

/** Delete the rows whose key is not among `rows`. */
async function deleteMissing (client: pg.PoolClient, table: TableSpec, rows: Row[]): Promise<number> {
  const keys = table.key.map((c) => rows.map((r) => r[c]))
  const unnest = table.key.map((_c, i) => `$${i + 1}::text[]`).join(', ')
  const match = table.key.map((c, i) => `k.k${i} = t.${c}`).join(' AND ')
  const alias = table.key.map((_c, i) => `k${i}`).join(', ')
  const result = await client.query(`DELETE FROM ${table.name} t WHERE NOT EXISTS
    (SELECT 1 FROM unnest(${unnest}) AS k(${alias}) WHERE ${match})`, keys)
  return result.rowCount ?? 0
}

/**
 * Make PostgreSQL's registry equal to this SQLite database's, in one transaction (workers never see half
 * a push), then notify the workers. Returns the rows per table now in PostgreSQL.
 */
export async function pushRegistry (pool: pg.Pool, sqlite: Db): Promise<Record<RegistryTable, number>> {
  // One SQLite read transaction: a consistent snapshot even while the CLI writes.
  const snapshot = sqlite.transaction(() => TABLES.map((t) => sqliteRows(sqlite, t)))()
  const counts = {} as Record<RegistryTable, number>
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK])
    for (const [i, table] of TABLES.entries()) {
      await upsert(client, table, snapshot[i] as Row[])
      counts[table.name] = (snapshot[i] as Row[]).length
    }
    for (const [i, table] of [...TABLES.entries()].reverse()) await deleteMissing(client, table, snapshot[i] as Row[])
    // Delivered at COMMIT, and only if it commits.
    await client.query(`NOTIFY ${REGISTRY_CHANNEL}`)
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

/**
 * Replace the registry rows of a local SQLite database (one opened with openDatabase: same schema) with
 * PostgreSQL's, in one SQLite transaction. Read from one PostgreSQL snapshot, so a push running
 * meanwhile is seen whole or not at all. Returns the rows per table loaded.
 */
export async function loadRegistry (pool: pg.Pool, into: Db): Promise<Record<RegistryTable, number>> {
  const client = await pool.connect()
  let snapshot: Row[][]
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    snapshot = []
    for (const table of TABLES) {
      const { rows } = await client.query<Row>(`SELECT ${Object.keys(table.columns).join(', ')} FROM ${table.name} ORDER BY ${table.key.map((c) => `${c} COLLATE "C"`).join(', ')}`)
      snapshot.push(rows.map((r) => fromPg(table, r)))
    }
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }

  const counts = {} as Record<RegistryTable, number>
  into.transaction(() => {
    // Checked at commit instead of per statement: tables are emptied and refilled, and devices
    // reference devices. Local rows outside the registry (a screen of a home deleted in PostgreSQL)
    // make the commit fail and leave the old copy in place, rather than dangle.
    into.pragma('defer_foreign_keys = ON')
    for (const table of [...TABLES].reverse()) into.prepare(`DELETE FROM ${table.name}`).run()
    for (const [i, table] of TABLES.entries()) {
      const names = Object.keys(table.columns)
      const insert = into.prepare(`INSERT INTO ${table.name} (${names.join(', ')}) VALUES (${names.map((c) => `@${c}`).join(', ')})`)
      for (const row of snapshot[i] as Row[]) insert.run(row)
      counts[table.name] = (snapshot[i] as Row[]).length
    }
  })()
  return counts
}

/**
 * Call `onChange` after each registry push (and after a reconnect, when a push may have been missed),
 * at most once per `debounceMs`: a burst of pushes costs one reload. Resolves once listening; the
 * returned function stops.
 */
export async function watchRegistry (
  source: string | pg.Pool,
  onChange: () => void | Promise<void>,
  options: { debounceMs?: number, onError?: (err: Error) => void } = {}
): Promise<() => Promise<void>> {
  const debounceMs = options.debounceMs ?? 200
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> = Promise.resolve()
  const fire = (): void => {
    timer = null
    // One reload at a time, in order: a slow reload is followed by one more, never overlapped.
    running = running.then(async () => { await onChange() }).catch((err: unknown) => options.onError?.(err as Error))
  }
  const stopListening = await listen(source, REGISTRY_CHANNEL, {
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
