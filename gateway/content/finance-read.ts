// What villagers see of finance statements: published revisions only, with totals, a page of entries
// and, for a correction, exactly what it changed.
import { AnjuError } from '../../src/errors.ts'
import { categoryTotals, revisionChanges, type FinanceEntry } from '../../src/content/finance-logic.ts'
import type { TvStatementDetail, TvStatementSummary } from '../../src/tv/tv-api.ts'
import type { Db } from '../db/open-database.ts'

export interface StatementRow {
  id: string, village_id: string, period_kind: 'month' | 'quarter' | 'year', period_start: string, period_end: string,
  title: string, status: 'draft' | 'submitted' | 'returned' | 'published' | 'superseded', revision: number,
  supersedes_id: string | null, correction_reason: string | null, created_by: string, created_at: number,
  submitted_at: number | null, reviewed_by: string | null, reviewed_at: number | null, review_comment: string | null,
  published_at: number | null, content_hash: string | null, prev_hash: string | null
}

/** Entries are small on a TV: eight lines fit at the large font size. */
export const DEFAULT_PAGE_SIZE = 8

const SUMMARY_SELECT = `SELECT s.*, COALESCE(SUM(e.income_cents), 0) AS income, COALESCE(SUM(e.expense_cents), 0) AS expense,
  COUNT(e.seq) AS entry_count FROM finance_statements s LEFT JOIN finance_entries e ON e.statement_id = s.id`

type SummaryRow = StatementRow & { income: number, expense: number, entry_count: number }

function toSummary (r: SummaryRow): TvStatementSummary {
  return {
    id: r.id, periodKind: r.period_kind, periodStart: r.period_start, periodEnd: r.period_end, title: r.title,
    revision: r.revision,
    correction: r.supersedes_id === null ? null : { reason: r.correction_reason ?? '', supersedesId: r.supersedes_id },
    publishedAt: r.published_at ?? 0, reviewedBy: r.reviewed_by ?? '', reviewedAt: r.reviewed_at ?? 0,
    incomeCents: r.income, expenseCents: r.expense, entryCount: r.entry_count
  }
}

export function readEntries (db: Db, statementId: string): FinanceEntry[] {
  return db.prepare(`SELECT seq, date, voucher_no AS voucherNo, account_code AS accountCode, account_name AS accountName,
    summary, income_cents AS incomeCents, expense_cents AS expenseCents, handler, approver
    FROM finance_entries WHERE statement_id = ? ORDER BY seq`).all(statementId) as FinanceEntry[]
}

/** The current published revision of every period, newest period first (superseded ones drop out). */
export function publishedSummaries (db: Db, villageId: string): TvStatementSummary[] {
  const rows = db.prepare(`${SUMMARY_SELECT} WHERE s.village_id = ? AND s.status = 'published'
    GROUP BY s.id ORDER BY s.period_start DESC, s.period_end DESC, s.published_at DESC`).all(villageId) as SummaryRow[]
  return rows.map(toSummary)
}

/**
 * One published (or superseded: a correction links to it, so it stays readable) statement of the
 * village; anything else — a draft, another village's — is NOT_FOUND, so a screen cannot probe drafts.
 */
export function statementDetail (db: Db, villageId: string, statementId: string, page: number, pageSize = DEFAULT_PAGE_SIZE): TvStatementDetail {
  const row = db.prepare(`${SUMMARY_SELECT} WHERE s.id = ? AND s.village_id = ? AND s.status IN ('published', 'superseded')
    GROUP BY s.id`).get(statementId, villageId) as SummaryRow | undefined
  if (row === undefined) throw new AnjuError('NOT_FOUND', `statement ${statementId} is not published in this village`)
  const entries = readEntries(db, row.id)
  const size = Math.max(1, Math.floor(pageSize))
  const pageCount = Math.max(1, Math.ceil(entries.length / size))
  const p = Math.min(pageCount, Math.max(1, Math.floor(Number.isFinite(page) ? page : 1)))
  const changes = row.supersedes_id === null ? [] : revisionChanges(readEntries(db, row.supersedes_id), entries)
  return {
    statement: toSummary(row),
    totals: categoryTotals(entries),
    changes,
    page: p,
    pageCount,
    entries: entries.slice((p - 1) * size, p * size)
  }
}
