// Village content and screens in cluster mode. Clerks publish on the admin node (its console and API write
// its SQLite, as in the embedded gateway); `pushContent` copies the content tables and the screens to
// PostgreSQL in one transaction and announces it; every worker serving the TV app keeps them in its local
// SQLite replica (`loadContent`), where the unchanged ContentService and ScreenStore read them, and
// reloads when told (`watchContent`). A load reports the villages whose content changed, so only their
// screens are told to refetch.
import type pg from 'pg'
import type { Db } from '../../db/open-database.ts'
import { localRows, pushTables, readTables, replaceLocal, watchChannel, type Row, type TableSpec, type WatchOptions } from './table-sync.ts'

export type ContentTable = 'notices' | 'meetings' | 'care_visits' | 'broadcasts' | 'finance_statements' | 'finance_entries' | 'screens'

/** Parents before children; columns as in gateway/db/migrations.ts. */
const TABLES: Array<TableSpec<ContentTable>> = [
  {
    name: 'notices',
    key: ['id'],
    columns: {
      id: 'text', village_id: 'text', grid_id: 'text', category: 'text', title: 'text', body: 'text', images: 'text', priority: 'text',
      starts_at: 'bigint', ends_at: 'bigint', published_at: 'bigint', withdrawn_at: 'bigint', created_by: 'text', created_at: 'bigint', updated_at: 'bigint'
    }
  },
  {
    name: 'meetings',
    key: ['id'],
    columns: {
      id: 'text', village_id: 'text', kind: 'text', title: 'text', starts_at: 'bigint', ends_at: 'bigint', place: 'text', note: 'text',
      cancelled_at: 'bigint', created_by: 'text', created_at: 'bigint'
    }
  },
  {
    name: 'care_visits',
    key: ['id'],
    columns: {
      id: 'text', village_id: 'text', starts_at: 'bigint', ends_at: 'bigint', team: 'text', place: 'text', services: 'text',
      cancelled_at: 'bigint', created_by: 'text', created_at: 'bigint'
    }
  },
  {
    name: 'broadcasts',
    key: ['id'],
    columns: {
      id: 'text', village_id: 'text', kind: 'text', title: 'text', body: 'text', started_at: 'bigint', ends_at: 'bigint', ended_at: 'bigint',
      ended_by: 'text', created_by: 'text', created_at: 'bigint'
    }
  },
  {
    name: 'finance_statements',
    key: ['id'],
    columns: {
      id: 'text', village_id: 'text', period_kind: 'text', period_start: 'text', period_end: 'text', title: 'text', status: 'text',
      revision: 'integer', supersedes_id: 'text', correction_reason: 'text', created_by: 'text', created_at: 'bigint', submitted_at: 'bigint',
      reviewed_by: 'text', reviewed_at: 'bigint', review_comment: 'text', published_at: 'bigint', content_hash: 'text', prev_hash: 'text'
    }
  },
  {
    name: 'finance_entries',
    key: ['statement_id', 'seq'],
    columns: {
      statement_id: 'text', seq: 'integer', date: 'text', voucher_no: 'text', account_code: 'text', account_name: 'text', summary: 'text',
      income_cents: 'bigint', expense_cents: 'bigint', handler: 'text', approver: 'text'
    }
  },
  {
    name: 'screens',
    key: ['id'],
    columns: {
      id: 'text', village_id: 'text', home_id: 'text', label: 'text', token_hash: 'text', paired_at: 'bigint', paired_by: 'text',
      revoked_at: 'bigint', revoked_by: 'text', last_seen_at: 'bigint'
    }
  }
]

export const CONTENT_TABLES: readonly ContentTable[] = TABLES.map((t) => t.name)
export const CONTENT_CHANNEL = 'anju_content'
const PUSH_LOCK = 0x616e6a63

/** Make PostgreSQL's content and screens equal to this SQLite database's (one transaction), then notify. */
export async function pushContent (pool: pg.Pool, sqlite: Db): Promise<Record<ContentTable, number>> {
  return await pushTables(pool, sqlite, { tables: TABLES, channel: CONTENT_CHANNEL, lock: PUSH_LOCK }) as Record<ContentTable, number>
}

export interface ContentLoad {
  counts: Record<ContentTable, number>
  /** Villages whose notices, meetings, visits, broadcasts or statements differ from the replica's before. */
  changedVillages: Set<string>
}

/**
 * Replace a replica's content and screens with PostgreSQL's (one snapshot, one SQLite transaction). The
 * registry must be loaded first: content references villages, grids and homes.
 */
export async function loadContent (pool: pg.Pool, into: Db): Promise<ContentLoad> {
  const snapshot = await readTables(pool, TABLES)
  let before: Row[][] = []
  const counts = replaceLocal(into, TABLES, snapshot, () => { before = TABLES.map((t) => localRows(into, t)) }) as Record<ContentTable, number>
  return { counts, changedVillages: changedVillages(before, snapshot) }
}

/** Call `onChange` after content pushes (debounced; see watchChannel). Resolves once listening. */
export async function watchContent (source: string | pg.Pool, onChange: () => void | Promise<void>, options: WatchOptions = {}): Promise<() => Promise<void>> {
  return await watchChannel(source, CONTENT_CHANNEL, onChange, options)
}

/** The village of every row that was added, removed or changed (screens aside: they are not content). */
function changedVillages (before: Row[][], after: Row[][]): Set<string> {
  const villages = new Set<string>()
  // Entries carry no village: their statement's, from either side.
  const statementVillage = new Map<string, string>()
  const statements = TABLES.findIndex((t) => t.name === 'finance_statements')
  for (const side of [before, after]) for (const r of side[statements] ?? []) statementVillage.set(r.id as string, r.village_id as string)
  const villageOf = (table: TableSpec, r: Row): string | undefined =>
    table.name === 'finance_entries' ? statementVillage.get(r.statement_id as string) : r.village_id as string
  for (const [i, table] of TABLES.entries()) {
    if (table.name === 'screens') continue
    const keyOf = (r: Row): string => JSON.stringify(table.key.map((c) => r[c]))
    const old = new Map((before[i] ?? []).map((r) => [keyOf(r), JSON.stringify(r)]))
    for (const r of after[i] ?? []) {
      const key = keyOf(r)
      if (old.get(key) !== JSON.stringify(r)) {
        const v = villageOf(table, r)
        if (v !== undefined) villages.add(v)
      }
      old.delete(key)
    }
    for (const r of before[i] ?? []) {
      if (!old.has(keyOf(r))) continue
      const v = villageOf(table, r)
      if (v !== undefined) villages.add(v)
    }
  }
  return villages
}
