// Alerts API: the closed loop (list, read with history, acknowledge, resolve) and per-home away mode and
// alert settings. Every change records who made it.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  ackInput, alert, alertQuery, alertSettings, alertSettingsInput, alertSettingsWithAudit, alertWithEvents, awayInput, resolveInput
} from '../../../src/escalation/alert-schemas.ts'
import { entityId } from '../../../src/registry-schemas.ts'
import type { AlertEngine } from '../../alerts/alert-engine.ts'

const idParam = z.object({ id: z.string().min(1).max(60) })
const homeParam = z.object({ id: entityId })
const security = [{ admin: [] }]
const tags = ['alerts']

export async function alertRoutes (app: FastifyInstance, deps: { alerts: AlertEngine }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { alerts } = deps

  r.get('/alerts', {
    schema: { tags, security, querystring: alertQuery, response: { 200: z.array(alert) }, description: 'Newest first, at most 500.' }
  }, async (req) => alerts.list(req.query))

  r.get('/alerts/:id', { schema: { tags, security, params: idParam, response: { 200: alertWithEvents } } },
    async (req) => alerts.get(req.params.id))

  r.post('/alerts/:id/ack', {
    schema: { tags, security, params: idParam, body: ackInput, response: { 200: alert }, description: 'Stops the climb up the ladder; 409 when already resolved.' }
  }, async (req) => alerts.acknowledge(req.params.id, req.body.by))

  r.post('/alerts/:id/resolve', {
    schema: { tags, security, params: idParam, body: resolveInput, response: { 200: alert }, description: 'Closes the alert with an outcome and note; 409 when already resolved.' }
  }, async (req) => alerts.resolve(req.params.id, req.body.by, req.body.outcome, req.body.note))

  r.post('/homes/:id/away', {
    schema: { tags, security, params: homeParam, body: awayInput, response: { 200: alertSettings }, description: 'Away mode until `until` (unix ms); null ends it.' }
  }, async (req) => alerts.setAway(req.params.id, req.body.until, req.body.by))

  r.get('/homes/:id/alert-settings', { schema: { tags, security, params: homeParam, response: { 200: alertSettingsWithAudit } } },
    async (req) => alerts.settingsWithAudit(req.params.id))

  r.put('/homes/:id/alert-settings', {
    schema: { tags, security, params: homeParam, body: alertSettingsInput, response: { 200: alertSettings }, description: 'Per-home inactivity threshold, quiet hours and ladder timeouts; audited.' }
  }, async (req) => alerts.updateSettings(req.params.id, req.body))
}
