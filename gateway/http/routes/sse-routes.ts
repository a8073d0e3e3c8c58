// GET /api/v1/events/stream?home=<homeId>: server-sent events for a home's screens and the console
// (admin bearer token for now; TV pairing tokens come with issue 5). Reconnecting clients send
// Last-Event-ID (the header EventSource sets, or ?lastEventId= for clients that cannot set headers).
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { entityId } from '../../../src/registry-schemas.ts'
import type { NotifyService } from '../../notify/notify-service.ts'

const eventId = z.string().regex(/^\d{1,15}$/)

export async function sseRoutes (app: FastifyInstance, deps: { notify: NotifyService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  // Open streams would keep server.close() waiting for ever; end them first.
  app.addHook('preClose', (done) => { deps.notify.sse.closeAll(); done() })

  r.get('/events/stream', {
    schema: {
      tags: ['events'],
      security: [{ admin: [] }],
      description: 'text/event-stream of the notifications for a home\'s screens (`tv:<homeId>`): `id:` is the outbox id, ' +
        '`event:` the kind, `data:` JSON {id, kind, alertId, text, data, ackUrl, sentAt}; a comment every 15 s.',
      querystring: z.object({ home: entityId, lastEventId: eventId.optional() }),
      headers: z.object({ 'last-event-id': eventId.optional() })
    }
  }, async (req, reply) => {
    const last = req.headers['last-event-id'] ?? req.query.lastEventId
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no'
    })
    res.write('retry: 3000\n\n')
    const remove = deps.notify.connectSse(req.query.home, res, last === undefined ? null : Number(last))
    res.once('close', remove)
  })
}
