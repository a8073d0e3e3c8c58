// The contract between the gateway and the TV app (tv-app/): what `GET /tv/api/state` returns, the
// events on `GET /tv/api/events`, and the small writes a screen may make. The gateway validates its
// responses against these schemas (fastify-type-provider-zod) and the TV app's tests check real
// responses against them, so the two sides cannot drift apart silently.
//
// Scope is the privacy boundary: an unpaired screen gets public village content only; a screen paired
// to a household also gets `household` (that home's alerts, activity and away mode) — never another
// home's. Times are unix milliseconds; the TV formats them in China Standard Time.
import { z } from 'zod'

const id = z.string().min(1).max(60)
const text = z.string().max(20_000)
const time = z.number().int()

export const noticeCategory = z.enum(['party', 'study', 'safety', 'health', 'general'])
export const priority = z.enum(['normal', 'high', 'urgent'])

/** Images are served by the gateway (same origin); `caption` is the text, never text inside the image. */
export const tvImage = z.object({ url: z.string().max(500), caption: z.string().max(200) })

export const tvNotice = z.object({
  id,
  category: noticeCategory,
  title: z.string().max(200),
  body: text,
  images: z.array(tvImage).max(12),
  priority,
  /** Grid-targeted notices only reach screens of that grid. */
  target: z.enum(['village', 'grid']),
  publishedAt: time,
  startsAt: time,
  endsAt: time.nullable()
})

/** 三会一课 (支部党员大会, 支部委员会, 党小组会, 党课) and 主题党日. */
export const meetingKind = z.enum(['branch_assembly', 'branch_committee', 'group_meeting', 'party_lecture', 'theme_day'])
export const tvMeeting = z.object({ id, kind: meetingKind, title: z.string().max(200), startsAt: time, endsAt: time.nullable(), place: z.string().max(200), note: z.string().max(2000).nullable() })

/** The medical team's visiting schedule (智慧医养). */
export const tvCareVisit = z.object({ id, startsAt: time, endsAt: time.nullable(), team: z.string().max(200), place: z.string().max(200), services: z.string().max(2000).nullable() })

export const broadcastKind = z.enum(['typhoon', 'flood', 'fire', 'earthquake', 'other'])
/** A village emergency broadcast: takes over every screen of the village until it ends. */
export const tvBroadcast = z.object({ id, kind: broadcastKind, title: z.string().max(200), body: text, startedAt: time, endsAt: time.nullable() })

/** One line of a published statement's summary list (财务公开). Money is in fen (cents) as integers. */
export const tvStatementSummary = z.object({
  id,
  periodKind: z.enum(['month', 'quarter', 'year']),
  periodStart: z.string(),
  periodEnd: z.string(),
  title: z.string().max(200),
  revision: z.number().int().min(1),
  /** Set when this revision corrects an earlier published one. */
  correction: z.object({ reason: z.string().max(2000), supersedesId: id }).nullable(),
  publishedAt: time,
  reviewedBy: z.string().max(100),
  reviewedAt: time,
  incomeCents: z.number().int(),
  expenseCents: z.number().int(),
  entryCount: z.number().int()
})

export const tvCategoryTotal = z.object({ accountCode: z.string(), accountName: z.string(), incomeCents: z.number().int(), expenseCents: z.number().int() })
export const tvEntry = z.object({
  seq: z.number().int(), date: z.string(), voucherNo: z.string(), accountCode: z.string(), accountName: z.string(),
  summary: z.string(), incomeCents: z.number().int(), expenseCents: z.number().int(), handler: z.string(), approver: z.string()
})
/** What changed in a correction: entries by seq whose figures differ from the superseded revision. */
export const tvChange = z.object({ seq: z.number().int(), field: z.string(), before: z.string(), after: z.string() })

/** `GET /tv/api/finance/:id?page=N`: one published statement with its totals and one page of entries. */
export const tvStatementDetail = z.object({
  statement: tvStatementSummary,
  totals: z.array(tvCategoryTotal),
  changes: z.array(tvChange),
  page: z.number().int().min(1),
  pageCount: z.number().int().min(1),
  entries: z.array(tvEntry)
})

export const alertStatus = z.enum(['open', 'acknowledged', 'resolved'])
export const tvHouseholdAlert = z.object({
  id,
  type: z.string(),
  state: alertStatus,
  openedAt: time,
  resolvedAt: time.nullable(),
  /** Plain Chinese for the screen, e.g. "网格员已确认,正在处理". */
  statusText: z.string().max(200)
})

/** The resident is asked "您还好吗?" until `expiresAt` (the TV rung's timeout). */
export const tvCheckIn = z.object({ alertId: id, askedAt: time, expiresAt: time })

export const tvHousehold = z.object({
  homeId: id,
  homeLabel: z.string().max(100),
  /** Whether the home has a monitored resident (sensors registered). */
  monitored: z.boolean(),
  care: z.object({
    status: z.enum(['normal', 'quiet', 'alert', 'away', 'no_data']),
    lastActivityAt: time.nullable(),
    /** Motion events per hour of today (China time), 24 numbers. */
    hourly: z.array(z.number().int().min(0)).length(24),
    awayUntil: time.nullable()
  }),
  alerts: z.array(tvHouseholdAlert),
  checkIn: tvCheckIn.nullable()
})

export const tvScreen = z.object({
  paired: z.boolean(),
  screenId: id.nullable(),
  villageId: id,
  villageName: z.string().max(100)
})

export const tvState = z.object({
  generatedAt: time,
  screen: tvScreen,
  notices: z.array(tvNotice),
  meetings: z.array(tvMeeting),
  careVisits: z.array(tvCareVisit),
  statements: z.array(tvStatementSummary),
  broadcast: tvBroadcast.nullable(),
  household: tvHousehold.nullable()
})

/**
 * Events on `GET /tv/api/events` (text/event-stream; the screen token in `?t=` since EventSource cannot
 * set headers). `event:` names:
 * - `checkin`     data tvCheckIn — take over the screen with the check-in
 * - `checkin_end` data {alertId} — someone answered or the alert closed; drop the takeover
 * - `broadcast`   data tvBroadcast — take over with the emergency broadcast
 * - `broadcast_end` data {id}
 * - `state`       data {} — content or household status changed; re-fetch /tv/api/state
 * Comments every 15 s keep proxies open; `retry:` is sent; the TV also polls /tv/api/state every 60 s.
 */
export const tvEventName = z.enum(['checkin', 'checkin_end', 'broadcast', 'broadcast_end', 'state'])

export const pairStartResponse = z.object({
  /** Six digits shown on the screen; the clerk types it into the console. */
  code: z.string().regex(/^\d{6}$/),
  /** Secret of this screen's pairing attempt; only the screen knows it. */
  pairingId: z.string().min(20).max(100),
  expiresAt: time
})
export const pairStatusResponse = z.object({
  state: z.enum(['waiting', 'paired', 'expired']),
  /** The screen's bearer token, returned once when `paired`. */
  token: z.string().optional()
})
export const awayBody = z.object({ until: time.nullable() })

export type TvState = z.infer<typeof tvState>
export type TvNotice = z.infer<typeof tvNotice>
export type TvMeeting = z.infer<typeof tvMeeting>
export type TvCareVisit = z.infer<typeof tvCareVisit>
export type TvBroadcast = z.infer<typeof tvBroadcast>
export type TvStatementSummary = z.infer<typeof tvStatementSummary>
export type TvStatementDetail = z.infer<typeof tvStatementDetail>
export type TvHousehold = z.infer<typeof tvHousehold>
export type TvCheckIn = z.infer<typeof tvCheckIn>
