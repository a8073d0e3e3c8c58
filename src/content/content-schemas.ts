// Inputs and admin outputs of village content (notices, meetings, care visits, broadcasts). One schema
// validates the admin API, documents it (OpenAPI) and types the store. Text ends up on TV screens in
// large Chinese type, so it must be printable: no control characters (a body may keep line breaks).
import { z } from 'zod'
import { actor } from '../escalation/alert-schemas.ts'
import { entityId } from '../registry-schemas.ts'
import { MEDIA_URL } from './media.ts'
import { broadcastKind, meetingKind, noticeCategory, priority, tvBroadcast, tvCareVisit, tvMeeting, tvNotice } from '../tv/tv-api.ts'

// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/
// eslint-disable-next-line no-control-regex
const NO_CONTROL_BUT_LINES = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/

/** A single printable line of at most `max` characters (titles, names, places). */
export const line = (max: number): z.ZodString => z.string().trim().min(1).max(max).regex(NO_CONTROL, 'must be printable text on one line (no control characters)')
/** Printable text that may keep line breaks and tabs (bodies, notes). */
export const paragraphs = (max: number): z.ZodString => z.string().trim().min(1).max(max).regex(NO_CONTROL_BUT_LINES, 'must be printable text (line breaks allowed, no other control characters)')
export const unixMs = z.number().int().min(0).describe('unix milliseconds')

export { actor }

// Same origin only: a screen must not fetch from third-party hosts (privacy, and the TV has no CDN).
// No backslash anywhere: browsers read `/\host/x.png` as `//host/x.png`, another host (WHATWG URL).
// Under /media/ only names the media store can have (uploaded with POST .../media).
const imageUrl = z.string().max(500).regex(/^\/(?![/\\])[^\s\\]*$/, 'an absolute path on this gateway, e.g. /media/<sha256>.jpg')
  .refine((u) => !u.startsWith('/media/') || MEDIA_URL.test(u), 'not a media url: upload the image first (POST /console/api/media) and use the url it returns')
export const imageInput = z.object({ url: imageUrl, caption: line(200) })

const endAfterStart = <T extends { startsAt?: number, endsAt?: number | null }>(v: T): boolean =>
  v.endsAt === undefined || v.endsAt === null || v.startsAt === undefined || v.endsAt > v.startsAt
const endMessage = { message: 'endsAt must be after startsAt', path: ['endsAt'] }

const noticeFields = {
  gridId: entityId.nullable().optional().describe('only screens of this grid show it; null or absent: the whole village'),
  category: noticeCategory,
  title: line(200),
  body: paragraphs(20_000),
  images: z.array(imageInput).max(12).default([]),
  priority: priority.default('normal'),
  startsAt: unixMs.optional().describe('when it appears on screens; in the future = scheduled publishing; default now'),
  publishAt: unixMs.optional().describe('alias of startsAt'),
  endsAt: unixMs.nullable().optional()
}

export const noticeInput = z.object({ villageId: entityId, ...noticeFields, by: actor })
  .refine((v) => v.publishAt === undefined || v.startsAt === undefined || v.publishAt === v.startsAt, { message: 'give startsAt or publishAt, not two different times', path: ['publishAt'] })
  .refine((v) => endAfterStart({ startsAt: v.startsAt ?? v.publishAt, endsAt: v.endsAt }), endMessage)

export const noticeUpdate = z.object({
  gridId: noticeFields.gridId,
  category: noticeCategory.optional(),
  title: line(200).optional(),
  body: paragraphs(20_000).optional(),
  images: z.array(imageInput).max(12).optional(),
  priority: priority.optional(),
  startsAt: unixMs.optional(),
  endsAt: unixMs.nullable().optional(),
  by: actor
}).refine(endAfterStart, endMessage)

export const withdrawInput = z.object({ by: actor, reason: line(500).optional() })
export const byInput = z.object({ by: actor })

export const noticeStatus = z.enum(['scheduled', 'displayed', 'ended', 'withdrawn'])
export const adminNotice = tvNotice.extend({
  villageId: z.string(),
  gridId: z.string().nullable(),
  status: noticeStatus,
  withdrawnAt: z.number().nullable(),
  createdBy: z.string(),
  createdAt: z.number(),
  updatedAt: z.number()
})

export const meetingInput = z.object({
  villageId: entityId, kind: meetingKind, title: line(200), startsAt: unixMs, endsAt: unixMs.nullable().optional(),
  place: line(200), note: paragraphs(2000).nullable().optional(), by: actor
}).refine(endAfterStart, endMessage)
export const adminMeeting = tvMeeting.extend({ villageId: z.string(), cancelledAt: z.number().nullable(), createdBy: z.string(), createdAt: z.number() })

export const careVisitInput = z.object({
  villageId: entityId, startsAt: unixMs, endsAt: unixMs.nullable().optional(), team: line(200), place: line(200),
  services: paragraphs(2000).nullable().optional(), by: actor
}).refine(endAfterStart, endMessage)
export const adminCareVisit = tvCareVisit.extend({ villageId: z.string(), cancelledAt: z.number().nullable(), createdBy: z.string(), createdAt: z.number() })

/** Taking over every screen of a village is never a slip of the mouse: the console asks, then sends confirm. */
const confirm = z.literal(true, { error: 'confirm must be true: a broadcast takes over every screen of the village' })
export const broadcastInput = z.object({
  villageId: entityId, kind: broadcastKind, title: line(200), body: paragraphs(20_000),
  endsAt: unixMs.nullable().optional().describe('the broadcast ends by itself then; absent: until ended'), confirm, by: actor
})
export const broadcastEndInput = z.object({ confirm, by: actor })
export const adminBroadcast = tvBroadcast.extend({
  villageId: z.string(), active: z.boolean(), endedAt: z.number().nullable(), endedBy: z.string().nullable(), createdBy: z.string()
})

export const villageQuery = z.object({ villageId: entityId })

export type NoticeInput = z.infer<typeof noticeInput>
export type NoticeUpdate = z.infer<typeof noticeUpdate>
export type AdminNotice = z.infer<typeof adminNotice>
export type MeetingInput = z.infer<typeof meetingInput>
export type AdminMeeting = z.infer<typeof adminMeeting>
export type CareVisitInput = z.infer<typeof careVisitInput>
export type AdminCareVisit = z.infer<typeof adminCareVisit>
export type BroadcastInput = z.infer<typeof broadcastInput>
export type AdminBroadcast = z.infer<typeof adminBroadcast>
