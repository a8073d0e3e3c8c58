// Per-contact notification channels: PUT replaces a contact's whole set, GET lists it. Robot URLs (their
// key / access_token) and DingTalk secrets are credentials: stored, never returned.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { entityId } from '../../../src/registry-schemas.ts'
import { contactChannelInput, redact, type ContactChannels } from '../../notify/contact-channels.ts'

const security = [{ admin: [] }]
const params = z.object({ id: entityId })
const redactedChannel = z.object({
  channel: z.enum(['webhook', 'wecom', 'dingtalk', 'mqtt', 'sms']),
  enabled: z.boolean(),
  config: z.record(z.string(), z.string()).describe('URL query values and secrets shown as ***')
})

export async function contactChannelRoutes (app: FastifyInstance, deps: { contactChannels: ContactChannels }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.put('/contacts/:id/channels', {
    schema: {
      tags: ['contacts'], security, params,
      description: 'Replace the notification channels of a contact. SSE is not a contact channel: it is a home\'s screens.',
      body: z.array(contactChannelInput).max(5),
      response: { 200: z.array(redactedChannel) }
    }
  }, async (req) => deps.contactChannels.replace(req.params.id, req.body).map(redact))

  r.get('/contacts/:id/channels', {
    schema: { tags: ['contacts'], security, params, response: { 200: z.array(redactedChannel) } }
  }, async (req) => deps.contactChannels.list(req.params.id).map(redact))
}
