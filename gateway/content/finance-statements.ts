// Finance statements as the clerk (报账员) prepares them: a draft per period, its ledger rows, and the
// corrections of published ones. Review and publication are in finance-review.ts. A published statement
// is immutable: a correction is a new revision that goes through review again.
import type { AdminStatement, AdminStatementDetail, EntryInput, StatementInput } from '../../src/content/finance-schemas.ts'
import { AnjuError } from '../../src/errors.ts'
import { insertOrThrow } from '../registry/places-store.ts'
import { newId } from '../registry/secrets.ts'
import type { ContentContext } from './content-context.ts'
import { readEntries, type StatementRow } from './finance-read.ts'

const TOTALS_SELECT = `SELECT s.*, COALESCE(SUM(e.income_cents), 0) AS income, COALESCE(SUM(e.expense_cents), 0) AS expense,
  COUNT(e.seq) AS entry_count FROM finance_statements s LEFT JOIN finance_entries e ON e.statement_id = s.id`

export function toAdminStatement (r: StatementRow & { income: number, expense: number, entry_count: number }): AdminStatement {
  return {
    id: r.id, villageId: r.village_id, periodKind: r.period_kind, periodStart: r.period_start, periodEnd: r.period_end,
    title: r.title, status: r.status, revision: r.revision, supersedesId: r.supersedes_id, correctionReason: r.correction_reason,
    createdBy: r.created_by, createdAt: r.created_at, submittedAt: r.submitted_at, reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at, reviewComment: r.review_comment, publishedAt: r.published_at, contentHash: r.content_hash,
    prevHash: r.prev_hash, incomeCents: r.income, expenseCents: r.expense, entryCount: r.entry_count
  }
}

const OPEN = "('draft', 'submitted', 'returned')"

export class FinanceStatements {
  constructor (private readonly ctx: ContentContext) {}

  /** A new draft; one statement per period: a published period is changed by a correction, not a second draft. */
  create (input: StatementInput): AdminStatement {
    const now = this.ctx.clock.now()
    const clash = this.ctx.db.prepare(`SELECT id, status FROM finance_statements WHERE village_id = ? AND period_kind = ?
      AND period_start = ? AND status IN ('published', 'draft', 'submitted', 'returned')`).get(input.villageId, input.periodKind, input.periodStart) as
      { id: string, status: string } | undefined
    if (clash !== undefined) {
      throw new AnjuError('CONFLICT', clash.status === 'published'
        ? `this period is already published as ${clash.id}; publish a correction of it instead`
        : `this period already has an unpublished statement ${clash.id}`)
    }
    const id = newId('fin')
    this.ctx.db.transaction(() => {
      insertOrThrow(() => this.ctx.db.prepare(`INSERT INTO finance_statements (id, village_id, period_kind, period_start, period_end,
        title, status, revision, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', 1, ?, ?)`)
        .run(id, input.villageId, input.periodKind, input.periodStart, input.periodEnd, input.title, input.by, now))
      this.ctx.audit(input.by, 'create', 'finance_statement', id, { villageId: input.villageId, periodStart: input.periodStart, title: input.title })
    })()
    return this.get(id)
  }

  /** Replace all rows (`append` false) or add rows after the last one; only while the clerk holds the draft. */
  setEntries (id: string, entries: readonly EntryInput[], by: string, append: boolean): AdminStatementDetail {
    const r = this.editable(id)
    entries.forEach((e, i) => {
      if (e.date < r.period_start || e.date > r.period_end) {
        throw new AnjuError('INVALID_INPUT', `row ${i + 1} (voucher ${e.voucherNo}): date ${e.date} is outside the period ${r.period_start}..${r.period_end}`)
      }
    })
    this.ctx.db.transaction(() => {
      if (!append) this.ctx.db.prepare('DELETE FROM finance_entries WHERE statement_id = ?').run(id)
      const last = this.ctx.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM finance_entries WHERE statement_id = ?').get(id) as { seq: number }
      const insert = this.ctx.db.prepare(`INSERT INTO finance_entries (statement_id, seq, date, voucher_no, account_code, account_name,
        summary, income_cents, expense_cents, handler, approver) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      entries.forEach((e, i) => insert.run(id, last.seq + i + 1, e.date, e.voucherNo, e.accountCode, e.accountName, e.summary,
        e.income, e.expense, e.handler, e.approver))
      this.ctx.audit(by, append ? 'add_entries' : 'replace_entries', 'finance_statement', id, { count: entries.length })
    })()
    return this.detail(id)
  }

  /**
   * Open a correction of a published statement: a new draft revision with the same rows to edit, the
   * reason villagers will see, and a link to what it replaces. One open correction at a time.
   */
  correct (id: string, reason: string, by: string): AdminStatement {
    const old = this.row(id)
    if (old.status !== 'published') throw new AnjuError('CONFLICT', `only the current published revision can be corrected (this one is ${old.status})`)
    const open = this.ctx.db.prepare(`SELECT id FROM finance_statements WHERE supersedes_id = ? AND status IN ${OPEN}`).get(id) as { id: string } | undefined
    if (open !== undefined) throw new AnjuError('CONFLICT', `a correction of this statement is already open: ${open.id}`)
    const now = this.ctx.clock.now()
    const newIdValue = newId('fin')
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare(`INSERT INTO finance_statements (id, village_id, period_kind, period_start, period_end, title, status, revision,
        supersedes_id, correction_reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)`)
        .run(newIdValue, old.village_id, old.period_kind, old.period_start, old.period_end, old.title, old.revision + 1, id, reason, by, now)
      this.ctx.db.prepare(`INSERT INTO finance_entries (statement_id, seq, date, voucher_no, account_code, account_name, summary,
        income_cents, expense_cents, handler, approver) SELECT ?, seq, date, voucher_no, account_code, account_name, summary,
        income_cents, expense_cents, handler, approver FROM finance_entries WHERE statement_id = ?`).run(newIdValue, id)
      this.ctx.audit(by, 'correct', 'finance_statement', newIdValue, { supersedes: id, reason })
    })()
    return this.get(newIdValue)
  }

  get (id: string): AdminStatement {
    const r = this.ctx.db.prepare(`${TOTALS_SELECT} WHERE s.id = ? GROUP BY s.id`).get(id) as Parameters<typeof toAdminStatement>[0] | undefined
    if (r === undefined) throw new AnjuError('NOT_FOUND', `statement ${id} does not exist`)
    return toAdminStatement(r)
  }

  detail (id: string): AdminStatementDetail {
    return { ...this.get(id), entries: readEntries(this.ctx.db, id) }
  }

  /** Every revision of the village, newest period first, newest revision first within a period. */
  list (villageId: string): AdminStatement[] {
    const rows = this.ctx.db.prepare(`${TOTALS_SELECT} WHERE s.village_id = ? GROUP BY s.id
      ORDER BY s.period_start DESC, s.period_kind, s.revision DESC`).all(villageId) as Array<Parameters<typeof toAdminStatement>[0]>
    return rows.map(toAdminStatement)
  }

  row (id: string): StatementRow {
    const r = this.ctx.db.prepare('SELECT * FROM finance_statements WHERE id = ?').get(id) as StatementRow | undefined
    if (r === undefined) throw new AnjuError('NOT_FOUND', `statement ${id} does not exist`)
    return r
  }

  private editable (id: string): StatementRow {
    const r = this.row(id)
    if (r.status === 'published' || r.status === 'superseded') {
      throw new AnjuError('CONFLICT', 'a published statement is immutable; open a correction of it instead')
    }
    if (r.status === 'submitted') throw new AnjuError('CONFLICT', 'the statement is under review; the reviewer must return it before it can change')
    return r
  }
}
