// A home's care summary — the same one the household's own TV shows (gateway/tv/household.ts) — for a
// family member's phone, and for staff in scope (audited). Open alerts come with it; acknowledging is
// POST /alerts/:id/ack like everyone else.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AnjuError } from '../../../src/errors.ts'
import { entityId } from '../../../src/registry-schemas.ts'
import { tvHousehold } from '../../../src/tv/tv-api.ts'
import { Household } from '../../tv/household.ts'
import { requireRole } from '../auth/principal.ts'
import type { ConsoleApi } from './common.ts'

export function familyApi (app: FastifyInstance, { deps, access }: ConsoleApi): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['console: family']
  const household = new Household({ ...deps, alerts: deps.desk.household })
  const statusOf = async (homeId: string): Promise<z.infer<typeof tvHousehold>> => {
    const h = await household.build(homeId)
    if (h === null) throw new AnjuError('NOT_FOUND')
    return h
  }

  r.get('/homes/:id/status', {
    schema: { tags, params: z.object({ id: entityId }), response: { 200: tvHousehold }, description: 'Care status, today\'s activity by hour, away mode and alerts of one home. Staff views are audited.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker', 'family')
    access.assertHome(p, req.params.id)
    access.auditView(p, 'home_status', req.params.id)
    return statusOf(req.params.id)
  })

  r.get('/my/homes', {
    schema: { tags, response: { 200: z.array(tvHousehold) }, description: 'A family member\'s elder(s): the status of each home they are linked to.' }
  }, async (req) => {
    const p = requireRole(req, 'family')
    const ids = access.homeIdsVisible(p)
    return Promise.all((ids === 'all' ? [] : ids).map(statusOf))
  })
}
