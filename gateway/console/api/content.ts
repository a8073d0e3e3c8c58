// Village content from the console: notices (scheduled by startsAt), the meeting calendar, the medical
// team's visits and emergency broadcasts. Writes go through ContentService, which audits them with the
// principal as actor and tells the screens. Broadcasts: admin or a clerk of that village, confirm: true.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  adminBroadcast, adminCareVisit, adminMeeting, adminNotice, broadcastEndInput, broadcastInput, careVisitInput, meetingInput,
  noticeInput, noticeUpdate, villageQuery, withdrawInput
} from '../../../src/content/content-schemas.ts'
import { actorOf, requireRole, type Principal } from '../auth/principal.ts'
import { domainInput, idParam, villageOfRow, withoutBy, type ConsoleApi } from './common.ts'

const READERS = ['admin', 'clerk', 'reviewer'] as const

export function contentApi (app: FastifyInstance, { deps, access }: ConsoleApi): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { content } = deps
  /** Read: the village's staff (reviewers read content too). Write: admin or the village's clerk. */
  const reader = (req: Parameters<typeof requireRole>[0], villageId: string): Principal => {
    const p = requireRole(req, ...READERS)
    access.assertVillage(p, villageId)
    return p
  }
  const writer = (req: Parameters<typeof requireRole>[0], villageId: string): string => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertManageVillage(p, villageId)
    return actorOf(p)
  }

  let tags = ['console: notices']
  r.get('/notices', { schema: { tags, querystring: villageQuery, response: { 200: z.array(adminNotice) } } }, async (req) => {
    reader(req, req.query.villageId)
    return content.notices.list(req.query.villageId)
  })
  r.post('/notices', {
    schema: { tags, body: withoutBy(noticeInput.shape), response: { 201: adminNotice }, description: 'A future startsAt schedules it; screens refresh when it starts.' }
  }, async (req, reply) => {
    const input = domainInput(noticeInput, req.body, writer(req, req.body.villageId))
    deps.media.assertStored(input.images)
    return reply.code(201).send(content.notices.create(input))
  })
  r.patch('/notices/:id', {
    schema: { tags, params: idParam, body: withoutBy(noticeUpdate.shape), response: { 200: adminNotice }, description: 'Only before it starts.' }
  }, async (req) => {
    const by = writer(req, villageOfRow(deps, 'notices', req.params.id))
    deps.media.assertStored(req.body.images)
    return content.notices.update(req.params.id, domainInput(noticeUpdate, req.body, by))
  })
  r.post('/notices/:id/withdraw', { schema: { tags, params: idParam, body: withoutBy(withdrawInput.shape), response: { 200: adminNotice } } }, async (req) => {
    const by = writer(req, villageOfRow(deps, 'notices', req.params.id))
    return content.notices.withdraw(req.params.id, by, req.body.reason)
  })

  tags = ['console: meetings']
  r.get('/meetings', { schema: { tags, querystring: villageQuery, response: { 200: z.array(adminMeeting) } } }, async (req) => {
    reader(req, req.query.villageId)
    return content.meetings.list(req.query.villageId)
  })
  r.post('/meetings', { schema: { tags, body: withoutBy(meetingInput.shape), response: { 201: adminMeeting } } },
    async (req, reply) => reply.code(201).send(content.meetings.create(domainInput(meetingInput, req.body, writer(req, req.body.villageId)))))
  r.post('/meetings/:id/cancel', { schema: { tags, params: idParam, response: { 200: adminMeeting } } },
    async (req) => content.meetings.cancel(req.params.id, writer(req, villageOfRow(deps, 'meetings', req.params.id))))

  tags = ['console: care visits']
  r.get('/care-visits', { schema: { tags, querystring: villageQuery, response: { 200: z.array(adminCareVisit) } } }, async (req) => {
    reader(req, req.query.villageId)
    return content.careVisits.list(req.query.villageId)
  })
  r.post('/care-visits', { schema: { tags, body: withoutBy(careVisitInput.shape), response: { 201: adminCareVisit } } },
    async (req, reply) => reply.code(201).send(content.careVisits.create(domainInput(careVisitInput, req.body, writer(req, req.body.villageId)))))
  r.post('/care-visits/:id/cancel', { schema: { tags, params: idParam, response: { 200: adminCareVisit } } },
    async (req) => content.careVisits.cancel(req.params.id, writer(req, villageOfRow(deps, 'care_visits', req.params.id))))

  tags = ['console: broadcasts']
  r.get('/broadcasts', { schema: { tags, querystring: villageQuery, response: { 200: z.array(adminBroadcast) } } }, async (req) => {
    reader(req, req.query.villageId)
    return content.broadcasts.list(req.query.villageId)
  })
  r.post('/broadcasts', {
    schema: { tags, body: withoutBy(broadcastInput.shape), response: { 201: adminBroadcast }, description: 'Takes over every screen of the village. Admin or the village\'s clerk; requires confirm: true; audited.' }
  }, async (req, reply) => reply.code(201).send(content.broadcasts.start(domainInput(broadcastInput, req.body, writer(req, req.body.villageId)))))
  r.post('/broadcasts/:id/end', {
    schema: { tags, params: idParam, body: withoutBy(broadcastEndInput.shape), response: { 200: adminBroadcast }, description: 'Requires confirm: true.' }
  }, async (req) => content.broadcasts.end(req.params.id, writer(req, villageOfRow(deps, 'broadcasts', req.params.id))))
}
