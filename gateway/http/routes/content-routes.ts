// Admin API of village content (/api/v1/content/...): notices, meetings, care visits and emergency
// broadcasts here; finance statements in content-finance-routes.ts. Every write names who made it
// (`by`, until the console has accounts) and is audited; 404/409 come from the service's AnjuErrors.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  adminBroadcast, adminCareVisit, adminMeeting, adminNotice, broadcastEndInput, broadcastInput, byInput, careVisitInput,
  meetingInput, noticeInput, noticeUpdate, villageQuery, withdrawInput
} from '../../../src/content/content-schemas.ts'
import type { ContentService } from '../../content/content-service.ts'
import type { MediaStore } from '../../content/media-store.ts'
import { contentFinanceRoutes } from './content-finance-routes.ts'

const idParam = z.object({ id: z.string().min(1).max(60) })
const security = [{ admin: [] }]

export async function contentRoutes (app: FastifyInstance, deps: { content: ContentService, media: MediaStore }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { content } = deps

  const tags = ['content: notices']
  r.post('/content/notices', {
    schema: { tags, security, body: noticeInput, response: { 201: adminNotice }, description: 'Publish a notice; a future startsAt (or publishAt) schedules it.' }
  }, async (req, reply) => {
    deps.media.assertStored(req.body.images)
    return reply.code(201).send(content.notices.create(req.body))
  })
  r.get('/content/notices', { schema: { tags, security, querystring: villageQuery, response: { 200: z.array(adminNotice) } } },
    async (req) => content.notices.list(req.query.villageId))
  r.get('/content/notices/:id', { schema: { tags, security, params: idParam, response: { 200: adminNotice } } },
    async (req) => content.notices.get(req.params.id))
  r.patch('/content/notices/:id', {
    schema: { tags, security, params: idParam, body: noticeUpdate, response: { 200: adminNotice }, description: 'Only before it starts; 409 once on screens or withdrawn.' }
  }, async (req) => {
    deps.media.assertStored(req.body.images)
    return content.notices.update(req.params.id, req.body)
  })
  r.post('/content/notices/:id/withdraw', { schema: { tags, security, params: idParam, body: withdrawInput, response: { 200: adminNotice } } },
    async (req) => content.notices.withdraw(req.params.id, req.body.by, req.body.reason))

  const mtags = ['content: meetings']
  r.post('/content/meetings', { schema: { tags: mtags, security, body: meetingInput, response: { 201: adminMeeting }, description: '三会一课 and 主题党日.' } },
    async (req, reply) => reply.code(201).send(content.meetings.create(req.body)))
  r.get('/content/meetings', { schema: { tags: mtags, security, querystring: villageQuery, response: { 200: z.array(adminMeeting) } } },
    async (req) => content.meetings.list(req.query.villageId))
  r.post('/content/meetings/:id/cancel', { schema: { tags: mtags, security, params: idParam, body: byInput, response: { 200: adminMeeting } } },
    async (req) => content.meetings.cancel(req.params.id, req.body.by))

  const ctags = ['content: care visits']
  r.post('/content/care-visits', { schema: { tags: ctags, security, body: careVisitInput, response: { 201: adminCareVisit } } },
    async (req, reply) => reply.code(201).send(content.careVisits.create(req.body)))
  r.get('/content/care-visits', { schema: { tags: ctags, security, querystring: villageQuery, response: { 200: z.array(adminCareVisit) } } },
    async (req) => content.careVisits.list(req.query.villageId))
  r.post('/content/care-visits/:id/cancel', { schema: { tags: ctags, security, params: idParam, body: byInput, response: { 200: adminCareVisit } } },
    async (req) => content.careVisits.cancel(req.params.id, req.body.by))

  const btags = ['content: broadcasts']
  r.post('/content/broadcasts', {
    schema: { tags: btags, security, body: broadcastInput, response: { 201: adminBroadcast }, description: 'Takes over every screen of the village; ends the active one. Requires confirm: true.' }
  }, async (req, reply) => reply.code(201).send(content.broadcasts.start(req.body)))
  r.get('/content/broadcasts', { schema: { tags: btags, security, querystring: villageQuery, response: { 200: z.array(adminBroadcast) } } },
    async (req) => content.broadcasts.list(req.query.villageId))
  r.post('/content/broadcasts/:id/end', {
    schema: { tags: btags, security, params: idParam, body: broadcastEndInput, response: { 200: adminBroadcast }, description: '409 when already ended. Requires confirm: true.' }
  }, async (req) => content.broadcasts.end(req.params.id, req.body.by))

  contentFinanceRoutes(app, content)
}
