// The registry in cluster mode: provisioning still happens on one embedded gateway's SQLite database (the
// CLI and console write there); `pushRegistry` copies its registry tables to PostgreSQL in one
// transaction and announces it; every worker keeps a local SQLite copy (`loadRegistry`), so device auth
// and the stores stay synchronous lookups of a few µs, and reloads it when told (`watchRegistry`).
import type pg from 'pg'
import type { Db } from '../../db/open-database.ts'
import { pushTables, readTables, replaceLocal, watchChannel, type TableSpec, type WatchOptions } from './table-sync.ts'

export type RegistryTable = 'villages' | 'grids' | 'homes' | 'residents' | 'contacts' | 'devices' | 'contact_channels'

/** Parents before children (the order inserts need); deletes run in reverse. Columns as in migrations.ts. */
const TABLES: Array<TableSpec<RegistryTable>> = [
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

/**
 * Make PostgreSQL's registry equal to this SQLite database's, in one transaction (workers never see half
 * a push), then notify the workers. Returns the rows per table now in PostgreSQL.
 */
export async function pushRegistry (pool: pg.Pool, sqlite: Db): Promise<Record<RegistryTable, number>> {
  return await pushTables(pool, sqlite, { tables: TABLES, channel: REGISTRY_CHANNEL, lock: PUSH_LOCK }) as Record<RegistryTable, number>
}

/**
 * Replace the registry rows of a local SQLite database (one opened with openDatabase: same schema) with
 * PostgreSQL's, in one SQLite transaction, from one PostgreSQL snapshot. Local rows outside the registry
 * that would dangle (a screen of a home deleted in PostgreSQL) make it fail and leave the old copy in
 * place. Returns the rows per table loaded.
 */
export async function loadRegistry (pool: pg.Pool, into: Db): Promise<Record<RegistryTable, number>> {
  return replaceLocal(into, TABLES, await readTables(pool, TABLES)) as Record<RegistryTable, number>
}

/** Call `onChange` after registry pushes (debounced; see watchChannel). Resolves once listening. */
export async function watchRegistry (source: string | pg.Pool, onChange: () => void | Promise<void>, options: WatchOptions = {}): Promise<() => Promise<void>> {
  return await watchChannel(source, REGISTRY_CHANNEL, onChange, options)
}
