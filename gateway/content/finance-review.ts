// Review and publication of finance statements: the clerk submits, a reviewer (村务监督委员会 /
// 民主理财小组 member) returns it with a comment or approves it. Approval publishes: the statement is
// hash-chained and, for a correction, the revision it corrects becomes 'superseded' in the same
// transaction, so screens never show both or neither.
import { AnjuError } from '../../src/errors.ts'
import type { AdminStatement } from '../../src/content/finance-schemas.ts'
import type { ContentContext } from './content-context.ts'
import { chainHead, statementHash } from './finance-chain.ts'
import type { FinanceStatements } from './finance-statements.ts'

export class FinanceReview {
  constructor (private readonly ctx: ContentContext, private readonly statements: FinanceStatements) {}

  submit (id: string, by: string): AdminStatement {
    const r = this.statements.row(id)
    if (r.status !== 'draft' && r.status !== 'returned') throw new AnjuError('CONFLICT', `only a draft or returned statement can be submitted (this one is ${r.status})`)
    const count = this.ctx.db.prepare('SELECT COUNT(*) AS n FROM finance_entries WHERE statement_id = ?').get(id) as { n: number }
    if (count.n === 0) throw new AnjuError('INVALID_INPUT', 'the statement has no entries')
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare("UPDATE finance_statements SET status = 'submitted', submitted_at = ? WHERE id = ?").run(this.ctx.clock.now(), id)
      this.ctx.audit(by, 'submit', 'finance_statement', id)
    })()
    return this.statements.get(id)
  }

  /** Back to the clerk with the reviewer's comment (shown in the console, never on screens). */
  returnToClerk (id: string, by: string, comment: string): AdminStatement {
    const r = this.statements.row(id)
    if (r.status !== 'submitted') throw new AnjuError('CONFLICT', `only a submitted statement can be returned (this one is ${r.status})`)
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare(`UPDATE finance_statements SET status = 'returned', reviewed_by = ?, reviewed_at = ?, review_comment = ?
        WHERE id = ?`).run(by, this.ctx.clock.now(), comment, id)
      this.ctx.audit(by, 'return', 'finance_statement', id, { comment })
    })()
    return this.statements.get(id)
  }

  approve (id: string, by: string): AdminStatement {
    const r = this.statements.row(id)
    if (r.status !== 'submitted') throw new AnjuError('CONFLICT', `only a submitted statement can be approved (this one is ${r.status})`)
    // Four eyes: whoever prepared or submitted the figures does not approve them.
    if (by === r.created_by || by === this.lastSubmitter(id)) throw new AnjuError('CONFLICT', 'the reviewer must be someone other than the clerk who prepared or submitted it')
    const now = this.ctx.clock.now()
    this.ctx.db.transaction(() => {
      if (r.supersedes_id !== null) {
        const old = this.statements.row(r.supersedes_id)
        if (old.status !== 'published') throw new AnjuError('CONFLICT', 'the revision this corrects is no longer the published one')
        this.ctx.db.prepare("UPDATE finance_statements SET status = 'superseded' WHERE id = ?").run(old.id)
      } else {
        const clash = this.ctx.db.prepare(`SELECT id FROM finance_statements WHERE village_id = ? AND period_kind = ? AND period_start = ?
          AND status = 'published'`).get(r.village_id, r.period_kind, r.period_start) as { id: string } | undefined
        if (clash !== undefined) throw new AnjuError('CONFLICT', `this period is already published as ${clash.id}`)
      }
      const head = chainHead(this.ctx.db, r.village_id)
      // Strictly increasing publish times per village give the chain one unambiguous order.
      const publishedAt = Math.max(now, head.publishedAt + 1)
      const published = { ...r, status: 'published' as const, reviewed_by: by, reviewed_at: now, published_at: publishedAt }
      const contentHash = statementHash(this.ctx.db, published, head.hash)
      this.ctx.db.prepare(`UPDATE finance_statements SET status = 'published', reviewed_by = ?, reviewed_at = ?, review_comment = NULL,
        published_at = ?, content_hash = ?, prev_hash = ? WHERE id = ?`).run(by, now, publishedAt, contentHash, head.hash, id)
      this.ctx.audit(by, 'approve', 'finance_statement', id, { contentHash, prevHash: head.hash, supersedes: r.supersedes_id })
    })()
    this.ctx.emit({ villageId: r.village_id, kind: 'content' })
    return this.statements.get(id)
  }

  private lastSubmitter (id: string): string | null {
    const a = this.ctx.db.prepare(`SELECT actor FROM audit_log WHERE entity = 'finance_statement' AND entity_id = ? AND action = 'submit'
      ORDER BY id DESC LIMIT 1`).get(id) as { actor: string } | undefined
    return a?.actor ?? null
  }
}
