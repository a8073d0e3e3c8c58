// The closed loop from a phone: a grid worker's open alerts newest first, acknowledge, resolve with the
// visit outcome; the timeline (alert events + every notification queued for it) for anyone in scope;
// away mode per home. Family use the same routes for their elder's home (acknowledge, away).
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Alert, AlertEvent } from '../../../src/alerts.ts'
import { AnjuError } from '../../../src/errors.ts'
import { alert, alertSettings } from '../../../src/escalation/alert-schemas.ts'
import { entityId } from '../../../src/registry-schemas.ts'
import { alertListQuery, alertTimeline, awayBody, consoleAlert, resolveBody } from '../../../src/console/console-schemas.ts'
import { actorOf, requireRole, type Principal } from '../auth/principal.ts'
import { idParam, within, type ConsoleApi } from './common.ts'

/** A phone list, not an archive: the newest this many. */
const LIST_LIMIT = 200
/** Away for at most this long from the console too (matches the TV's limit): longer is a move, not a trip. */
const MAX_AWAY_MS = 60 * 86_400_000


export function alertsApi (app: FastifyInstance, { deps, access }: ConsoleApi): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['console: alerts']
  const { desk: alerts } = deps
  const inScope = async (p: Principal, id: string): Promise<Alert & { events: AlertEvent[] }> => {
    let a: Alert & { events: AlertEvent[] }
    try { a = await alerts.get(id) } catch { throw new AnjuError('NOT_FOUND') }
    if (!access.canSeeHome(p, a.homeId)) throw new AnjuError('NOT_FOUND')
    return a
  }

  r.get('/alerts', {
    schema: { tags, querystring: alertListQuery, response: { 200: z.array(consoleAlert) }, description: 'Alerts of the homes in scope, newest first; default: not yet resolved.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker', 'family')
    const { state, homeId, gridId } = req.query
    const homes = within(deps.places.listHomes({ gridId }), access.homeIdsVisible(p), (h) => h.id).filter((h) => homeId === undefined || h.id === homeId)
    const byId = new Map(homes.map((h) => [h.id, h]))
    // Unresolved is asked for by state, so old open alerts are never crowded out by newer resolved ones.
    const states = state === 'unresolved' ? (['open', 'acknowledged'] as const) : state === 'all' ? [undefined] : [state]
    // Per home when the scope is small (a grid worker's 10-50 homes); one scan for a whole district.
    const lists = await Promise.all(states.flatMap((st) => homes.length <= 50
      ? homes.map(async (h) => await alerts.list({ state: st, homeId: h.id }))
      : [alerts.list({ state: st })]))
    const list = lists.flat()
    return list
      .filter((a) => byId.has(a.homeId))
      .sort((a, b) => b.openedAt - a.openedAt)
      .slice(0, LIST_LIMIT)
      .map((a) => { const h = byId.get(a.homeId) as { label: string, gridId: string, villageId: string }; return { ...a, homeLabel: h.label, gridId: h.gridId, villageId: h.villageId } })
  })

  r.get('/alerts/:id', {
    schema: { tags, params: idParam, response: { 200: alertTimeline }, description: 'Who was told, when, who answered. 404 outside scope. Staff views are audited.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker', 'family')
    const a = await inScope(p, req.params.id)
    const notifications = (await alerts.notifications(a.id)).map((n) => {
      const contact = deps.places.getContact(n.recipient)
      return { ...n, recipientName: contact?.name ?? null, recipientRole: contact?.role ?? null }
    })
    access.auditView(p, 'alert', a.id)
    const visible = p.role === 'family'
      // Family see that others were told, not their phone numbers' delivery errors.
      ? notifications.map((n) => ({ ...n, lastError: null }))
      : notifications
    return { ...a, homeLabel: deps.places.getHome(a.homeId)?.label ?? '', notifications: visible as z.infer<typeof alertTimeline>['notifications'] }
  })

  r.post('/alerts/:id/ack', {
    schema: { tags, params: idParam, response: { 200: alert }, description: 'Stops the climb up the ladder. 409 when already resolved. Audited.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker', 'family')
    const a = await inScope(p, req.params.id)
    const out = await alerts.acknowledge(a.id, actorOf(p))
    access.audit(p, 'acknowledge', 'alert', a.id, { homeId: a.homeId })
    return out
  })

  r.post('/alerts/:id/resolve', {
    schema: { tags, params: idParam, body: resolveBody, response: { 200: alert }, description: 'Close the alert with the visit outcome and note (staff only). 409 when already resolved. Audited.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker')
    const a = await inScope(p, req.params.id)
    const out = await alerts.resolve(a.id, actorOf(p), req.body.outcome, req.body.note)
    access.audit(p, 'resolve', 'alert', a.id, { homeId: a.homeId, outcome: req.body.outcome })
    return out
  })

  r.post('/homes/:id/away', {
    schema: { tags, params: z.object({ id: entityId }), body: awayBody, response: { 200: alertSettings }, description: 'Away mode until `until` (at most 60 days ahead); null: back home. Audited.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker', 'family')
    access.assertHome(p, req.params.id)
    const until = req.body.until
    if (until !== null && (until <= deps.clock.now() || until > deps.clock.now() + MAX_AWAY_MS)) {
      throw new AnjuError('INVALID_INPUT', 'until must be in the future and at most 60 days ahead')
    }
    const out = await alerts.setAway(req.params.id, until, actorOf(p))
    access.audit(p, 'set_away', 'home', req.params.id, { until })
    return out
  })
}
