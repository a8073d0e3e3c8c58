// The per-village hash chain over published finance statements: computed once at publication, checked
// on demand. A published row is never updated except its status (published → superseded), which the
// canonical form leaves out, so any other change to a statement or its entries shows up here.
import { createHash } from 'node:crypto'
import { canonicalStatement, type HashedStatement } from '../../src/content/hash-chain.ts'
import type { ChainReport } from '../../src/content/finance-schemas.ts'
import type { Db } from '../db/open-database.ts'
import { readEntries, type StatementRow } from './finance-read.ts'

function hashedFields (r: StatementRow): HashedStatement {
  return {
    id: r.id, villageId: r.village_id, periodKind: r.period_kind, periodStart: r.period_start, periodEnd: r.period_end,
    title: r.title, revision: r.revision, supersedesId: r.supersedes_id, correctionReason: r.correction_reason,
    createdBy: r.created_by, reviewedBy: r.reviewed_by ?? '', reviewedAt: r.reviewed_at ?? 0, publishedAt: r.published_at ?? 0
  }
}

export function statementHash (db: Db, r: StatementRow, prevHash: string | null): string {
  return createHash('sha256').update(canonicalStatement(hashedFields(r), readEntries(db, r.id), prevHash)).digest('hex')
}

/** The chain's last link in the village and when it was published (publish times are kept strictly increasing). */
export function chainHead (db: Db, villageId: string): { hash: string | null, publishedAt: number } {
  const r = db.prepare(`SELECT content_hash AS hash, published_at AS publishedAt FROM finance_statements
    WHERE village_id = ? AND content_hash IS NOT NULL ORDER BY published_at DESC, rowid DESC LIMIT 1`).get(villageId) as
    { hash: string, publishedAt: number } | undefined
  return r ?? { hash: null, publishedAt: 0 }
}

/**
 * Walk the village's published statements in publish order: each must link to the previous hash and
 * hash to what was stored. Reports the first statement where that fails (it, or its entries, or a
 * statement removed before it, was changed after publication).
 */
export function verifyChain (db: Db, villageId: string): ChainReport {
  const rows = db.prepare(`SELECT * FROM finance_statements WHERE village_id = ?
    AND (content_hash IS NOT NULL OR status IN ('published', 'superseded')) ORDER BY published_at, rowid`).all(villageId) as StatementRow[]
  // A superseded revision must be superseded by a published one; hiding a published statement by
  // flipping its status is a change too, even though status is not hashed.
  const supersededBy = new Set(rows.filter((r) => r.content_hash !== null).map((r) => r.supersedes_id))
  let prev: string | null = null
  let checked = 0
  for (const r of rows) {
    checked++
    const statusOk = r.status === 'published' || (r.status === 'superseded' && supersededBy.has(r.id))
    const ok = statusOk && r.content_hash !== null && r.prev_hash === prev && statementHash(db, r, r.prev_hash) === r.content_hash
    if (!ok) return { ok: false, checked, firstBadId: r.id }
    prev = r.content_hash
  }
  return { ok: true, checked }
}
