// Finance disclosure (财务公开) from the console: the clerk drafts a statement, fills or imports its
// entries and submits it; a reviewer of the same village (not whoever prepared it — FinanceReview
// enforces four eyes on the actor) returns or approves it; corrections are new revisions. Published
// statements export as CSV and as a printable page; the hash chain is checked in one call.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { categoryTotals, revisionChanges } from '../../../src/content/finance-logic.ts'
import {
  adminStatement, chainReport, correctionInput, entriesBody, returnInput, statementInput
} from '../../../src/content/finance-schemas.ts'
import { villageQuery } from '../../../src/content/content-schemas.ts'
import { statementDetail } from '../../../src/console/console-schemas.ts'
import { statementCsv, statementPrintHtml } from '../../../src/console/finance-export.ts'
import { AnjuError } from '../../../src/errors.ts'
import { readEntries } from '../../content/finance-read.ts'
import { actorOf, requireRole, type Principal } from '../auth/principal.ts'
import { domainInput, idParam, villageOfRow, withoutBy, type ConsoleApi } from './common.ts'
import { financeImportApi } from './finance-import.ts'

const base = '/finance/statements'
type Req = Parameters<typeof requireRole>[0]

export function financeApi (app: FastifyInstance, api: ConsoleApi): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { deps, access } = api
  const { content, db } = deps
  const tags = ['console: finance']

  /** Prepare (draft, entries, submit, correct): admin or the village's clerk. */
  const preparer = (req: Req, villageId: string): string => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertManageVillage(p, villageId)
    return actorOf(p)
  }
  /** Review (return, approve): admin or a reviewer of that village; another village's reviewer gets 404. */
  const reviewer = (req: Req, villageId: string): string => {
    const p = requireRole(req, 'admin', 'reviewer')
    access.assertVillage(p, villageId)
    if (!access.canReviewFinance(p, villageId)) throw new AnjuError('FORBIDDEN')
    return actorOf(p)
  }
  /** Read drafts and review state: the village's admin, clerks and reviewers. */
  const staffReader = (req: Req, villageId: string): Principal => {
    const p = requireRole(req, 'admin', 'clerk', 'reviewer')
    access.assertVillage(p, villageId)
    return p
  }
  const detail = (id: string): z.infer<typeof statementDetail> => {
    const d = content.finance.detail(id)
    const changes = d.supersedesId === null ? [] : revisionChanges(readEntries(db, d.supersedesId), d.entries)
    return { ...d, totals: categoryTotals(d.entries), changes }
  }
  /** Exports are of what villagers were shown: a published (or superseded) revision, else 404. */
  const published = (req: Req, id: string): ReturnType<typeof content.finance.get> => {
    const p = requireRole(req)
    const s = content.finance.get(id)
    access.assertVillage(p, s.villageId)
    if (s.status !== 'published' && s.status !== 'superseded') throw new AnjuError('NOT_FOUND', 'only a published statement can be exported')
    return s
  }

  r.post(base, {
    schema: { tags, body: withoutBy(statementInput.shape), response: { 201: adminStatement }, description: 'A draft for a whole month, quarter or year; 409 if the period exists.' }
  }, async (req, reply) => reply.code(201).send(content.finance.create(domainInput(statementInput, req.body, preparer(req, req.body.villageId)))))
  r.get(base, { schema: { tags, querystring: villageQuery, response: { 200: z.array(adminStatement) } } }, async (req) => {
    staffReader(req, req.query.villageId)
    return content.finance.list(req.query.villageId)
  })
  r.get(`${base}/:id`, { schema: { tags, params: idParam, response: { 200: statementDetail }, description: 'With totals by account and, for a correction, what it changed.' } }, async (req) => {
    staffReader(req, villageOfRow(deps, 'finance_statements', req.params.id))
    return detail(req.params.id)
  })

  const entries = withoutBy(entriesBody.shape)
  r.put(`${base}/:id/entries`, { schema: { tags, params: idParam, body: entries, response: { 200: statementDetail }, description: 'Replace all rows; each invalid row is reported by number.' } }, async (req) => {
    const by = preparer(req, villageOfRow(deps, 'finance_statements', req.params.id))
    content.finance.setEntries(req.params.id, req.body.entries, by, false)
    return detail(req.params.id)
  })
  r.post(`${base}/:id/entries`, { schema: { tags, params: idParam, body: entries, response: { 200: statementDetail }, description: 'Append rows.' } }, async (req) => {
    const by = preparer(req, villageOfRow(deps, 'finance_statements', req.params.id))
    content.finance.setEntries(req.params.id, req.body.entries, by, true)
    return detail(req.params.id)
  })

  r.post(`${base}/:id/submit`, { schema: { tags, params: idParam, response: { 200: adminStatement } } },
    async (req) => content.review.submit(req.params.id, preparer(req, villageOfRow(deps, 'finance_statements', req.params.id))))
  r.post(`${base}/:id/return`, { schema: { tags, params: idParam, body: withoutBy(returnInput.shape), response: { 200: adminStatement } } },
    async (req) => content.review.returnToClerk(req.params.id, reviewer(req, villageOfRow(deps, 'finance_statements', req.params.id)), req.body.comment))
  r.post(`${base}/:id/approve`, {
    schema: { tags, params: idParam, response: { 200: adminStatement }, description: 'Publishes (hash-chained). 409 when the caller prepared or submitted it.' }
  }, async (req) => content.review.approve(req.params.id, reviewer(req, villageOfRow(deps, 'finance_statements', req.params.id))))
  r.post(`${base}/:id/correct`, {
    schema: { tags, params: idParam, body: withoutBy(correctionInput.shape), response: { 201: adminStatement }, description: 'A new draft revision of a published statement, with the reason villagers will see.' }
  }, async (req, reply) => {
    const by = preparer(req, villageOfRow(deps, 'finance_statements', req.params.id))
    return reply.code(201).send(content.finance.correct(req.params.id, req.body.reason, by))
  })

  r.get(`${base}/:id/export.csv`, { schema: { tags, params: idParam, description: 'UTF-8 CSV (with BOM, for Excel) in the import\'s columns.' } }, async (req, reply) => {
    const s = published(req, req.params.id)
    const name = `${s.villageId}-${s.periodStart}-r${s.revision}.csv`
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`)
      .send(statementCsv(readEntries(db, s.id)))
  })
  r.get(`${base}/:id/print`, { schema: { tags, params: idParam, description: 'A printable A4 page in Chinese for the notice board (公示栏).' } }, async (req, reply) => {
    const s = published(req, req.params.id)
    const village = db.prepare('SELECT name FROM villages WHERE id = ?').get(s.villageId) as { name: string }
    const list = readEntries(db, s.id)
    const changes = s.supersedesId === null ? [] : revisionChanges(readEntries(db, s.supersedesId), list)
    // Inline CSS only, no scripts: the page must print offline from a saved file.
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(statementPrintHtml({ statement: s, villageName: village.name, entries: list, changes }))
  })

  r.get('/finance/chain', {
    schema: { tags, querystring: villageQuery, response: { 200: chainReport }, description: 'Re-hash every published statement of the village in publish order; firstBadId names where it breaks.' }
  }, async (req) => {
    const p = requireRole(req)
    access.assertVillage(p, req.query.villageId)
    return content.verifyChain(req.query.villageId)
  })

  financeImportApi(app, api, { preparer, detail })
}
