// TV screens of the caller's villages: pair by the code a screen shows (to a home, or to the village as
// a public screen), list, revoke. Through ScreenStore, which audits pairing and revocation itself.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { entityId } from '../../../src/registry-schemas.ts'
import { screenSchema } from '../../http/routes/screen-routes.ts'
import { actorOf, requireRole } from '../auth/principal.ts'
import { idParam, villageOfRow, within, type ConsoleApi } from './common.ts'

const pairBody = z.object({
  code: z.string().regex(/^\d{6}$/, 'the six digits the screen shows'),
  homeId: entityId.optional(),
  villageId: entityId.optional(),
  label: z.string().trim().min(1).max(100).optional()
}).refine((p) => (p.homeId === undefined) !== (p.villageId === undefined), {
  message: 'give exactly one of homeId (the household\'s own screen) or villageId (a public screen)'
})

export function screensApi (app: FastifyInstance, { deps, access }: ConsoleApi): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['console: screens']

  r.post('/screens/pair', {
    schema: { tags, body: pairBody, response: { 201: screenSchema }, description: 'Admin or the clerk of the village/home. 404 PAIRING_CODE_NOT_FOUND for a wrong or expired code. Audited.' }
  }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    if (req.body.homeId !== undefined) {
      access.assertHome(p, req.body.homeId)
      access.assertManageVillage(p, deps.places.getHome(req.body.homeId)?.villageId ?? '')
    } else {
      access.assertManageVillage(p, req.body.villageId as string)
    }
    return reply.code(201).send(deps.screens.pair({ ...req.body, by: actorOf(p) }))
  })

  r.get('/screens', {
    schema: { tags, querystring: z.object({ villageId: entityId.optional() }), response: { 200: z.array(screenSchema) }, description: 'Screens of the caller\'s villages, newest first, revoked ones included.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    return within(deps.screens.list({ villageId: req.query.villageId }), p.role === 'admin' ? 'all' : p.villageIds, (s) => s.villageId)
  })

  r.delete('/screens/:id', {
    schema: { tags, params: idParam, response: { 200: screenSchema }, description: 'The screen\'s token stops working at once and it returns to pairing. Audited; idempotent.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertManageVillage(p, villageOfRow(deps, 'screens', req.params.id))
    return deps.screens.revoke(req.params.id, actorOf(p))
  })
}
