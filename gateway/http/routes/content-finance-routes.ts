// Admin API of finance statements (财务公开): draft, ledger rows, submit, return, approve (publish),
// correct, and the hash-chain check the village's supervisors can run.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { byInput, villageQuery } from '../../../src/content/content-schemas.ts'
import {
  adminStatement, adminStatementDetail, chainReport, correctionInput, entriesBody, returnInput, statementInput
} from '../../../src/content/finance-schemas.ts'
import type { ContentService } from '../../content/content-service.ts'

const idParam = z.object({ id: z.string().min(1).max(60) })
const security = [{ admin: [] }]
const tags = ['content: finance']
const base = '/content/finance/statements'

export function contentFinanceRoutes (app: FastifyInstance, content: ContentService): void {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(base, {
    schema: { tags, security, body: statementInput, response: { 201: adminStatement }, description: 'A draft for a whole month, quarter or year; 409 if the period exists.' }
  }, async (req, reply) => reply.code(201).send(content.finance.create(req.body)))
  r.get(base, { schema: { tags, security, querystring: villageQuery, response: { 200: z.array(adminStatement) } } },
    async (req) => content.finance.list(req.query.villageId))
  r.get(`${base}/:id`, { schema: { tags, security, params: idParam, response: { 200: adminStatementDetail } } },
    async (req) => content.finance.detail(req.params.id))

  r.put(`${base}/:id/entries`, {
    schema: { tags, security, params: idParam, body: entriesBody, response: { 200: adminStatementDetail }, description: 'Replace all rows. Each invalid row is reported by number; 409 once submitted or published.' }
  }, async (req) => content.finance.setEntries(req.params.id, req.body.entries, req.body.by, false))
  r.post(`${base}/:id/entries`, {
    schema: { tags, security, params: idParam, body: entriesBody, response: { 200: adminStatementDetail }, description: 'Append rows.' }
  }, async (req) => content.finance.setEntries(req.params.id, req.body.entries, req.body.by, true))

  r.post(`${base}/:id/submit`, { schema: { tags, security, params: idParam, body: byInput, response: { 200: adminStatement } } },
    async (req) => content.review.submit(req.params.id, req.body.by))
  r.post(`${base}/:id/return`, { schema: { tags, security, params: idParam, body: returnInput, response: { 200: adminStatement } } },
    async (req) => content.review.returnToClerk(req.params.id, req.body.by, req.body.comment))
  r.post(`${base}/:id/approve`, {
    schema: { tags, security, params: idParam, body: byInput, response: { 200: adminStatement }, description: 'Publishes (hash-chained); a correction supersedes the revision it corrects.' }
  }, async (req) => content.review.approve(req.params.id, req.body.by))
  r.post(`${base}/:id/correct`, {
    schema: { tags, security, params: idParam, body: correctionInput, response: { 201: adminStatement }, description: 'Opens a new draft revision of a published statement, with the reason shown to villagers.' }
  }, async (req, reply) => reply.code(201).send(content.finance.correct(req.params.id, req.body.reason, req.body.by)))

  r.get('/content/finance/chain', {
    schema: { tags, security, querystring: villageQuery, response: { 200: chainReport }, description: 'Re-hash every published statement of the village in publish order.' }
  }, async (req) => content.verifyChain(req.query.villageId))
}
