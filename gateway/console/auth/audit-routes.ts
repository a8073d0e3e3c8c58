// The audit log for admins: /console/api/audit, newest first, paged by id. Who did what to which record
// (staff writes, staff views of residents' data, sign-ins); `actor` is `user:<id>` for console users.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AuthContext } from './console-auth.ts'
import { requireRole } from './principal.ts'

const entry = z.object({
  id: z.number(), at: z.number(), actor: z.string(), action: z.string(), entity: z.string(), entityId: z.string().nullable(), detail: z.unknown()
})

export async function auditRoutes (app: FastifyInstance, { ctx }: { ctx: AuthContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get('/audit', {
    schema: {
      tags: ['console'], summary: 'Audit log (admin): newest first; `before` = the last id of the previous page',
      querystring: z.object({
        entity: z.string().max(64).optional(), entityId: z.string().max(64).optional(), actor: z.string().max(80).optional(),
        before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(500).default(100)
      }),
      response: { 200: z.object({ entries: z.array(entry) }) }
    }
  }, async (req) => {
    requireRole(req, 'admin')
    const q = req.query
    const where: string[] = []
    const args: Array<string | number> = []
    if (q.entity !== undefined) { where.push('entity = ?'); args.push(q.entity) }
    if (q.entityId !== undefined) { where.push('entity_id = ?'); args.push(q.entityId) }
    if (q.actor !== undefined) { where.push('actor = ?'); args.push(q.actor) }
    if (q.before !== undefined) { where.push('id < ?'); args.push(q.before) }
    const rows = ctx.deps.db.prepare(`SELECT id, at, actor, action, entity, entity_id, detail FROM audit_log
      ${where.length === 0 ? '' : 'WHERE ' + where.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...args, q.limit) as
      Array<{ id: number, at: number, actor: string, action: string, entity: string, entity_id: string | null, detail: string | null }>
    return {
      entries: rows.map((e) => ({
        id: e.id, at: e.at, actor: e.actor, action: e.action, entity: e.entity, entityId: e.entity_id, detail: e.detail === null ? null : JSON.parse(e.detail) as unknown
      }))
    }
  })
}
