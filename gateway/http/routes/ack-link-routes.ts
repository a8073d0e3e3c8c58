// Acknowledge links (gateway/alerts/ack-links.ts) as a family member or grid worker opens them on a phone:
// GET /a/:token shows a tiny page with one big button, POST /a/:token/ack acknowledges as `contact:<id>`.
// Outside the admin scope: the signed token is the only credential. The page says only what the message
// already told this recipient (house label, alert type, since when) plus the alert's current state.
// Below the alert, while the link is valid, the home's status as its TV shows it (ack-link-status.ts) for a
// contact entitled to that home — family of the home, its grid worker, its village duty — audited as
// `contact:<id>` viewing `home_status`; resident names only ever to family of the home.
// GET never changes anything: link previewers and virus scanners in chat apps fetch links unasked.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Alert, AlertType } from '../../../src/alerts.ts'
import type { Clock } from '../../../src/clock.ts'
import type { Contact } from '../../../src/registry-schemas.ts'
import type { TelemetryStore } from '../../../src/telemetry.ts'
import { formatClock } from '../../../src/escalation/rules.ts'
import type { AckLinks, AckVerdict } from '../../alerts/ack-links.ts'
import type { AlertDesk } from '../../alerts/alert-desk.ts'
import { audit } from '../../console/auth/principal.ts'
import type { Db } from '../../db/open-database.ts'
import type { DeviceStore } from '../../registry/device-store.ts'
import type { PlacesStore } from '../../registry/places-store.ts'
import { Household } from '../../tv/household.ts'
import { maskNames, STATUS_CSS, statusAccess, statusHtml } from './ack-link-status.ts'

export interface AckLinkRouteDeps {
  ackLinks: AckLinks
  /** The alerts: the engine's (embedded) or PostgreSQL's and the owner's (a cluster worker). */
  desk: AlertDesk
  places: PlacesStore
  clock: Clock
  /** For the home's status (gateway/tv/household.ts) and its audit row. */
  telemetry: TelemetryStore
  devices: DeviceStore
  db: Db
}

const TYPE_NAMES: Record<AlertType, string> = {
  inactivity: '长时间无活动',
  not_up: '早上未起床',
  home_offline: '设备全部离线',
  low_battery: '传感器电量低',
  sensor_silent: '传感器长时间无感应'
}

// Light per-IP limit: a token has 256 bits of MAC, so this is against a noisy client, not guessing.
const WINDOW_MS = 60_000
const PER_WINDOW = 30

const tokenParam = z.object({ token: z.string().min(1).max(1024) })

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function page (title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;font-size:22px;line-height:1.6;margin:0;padding:24px;background:#fafafa;color:#222}
h1{font-size:28px}.s{color:#555}button{width:100%;padding:22px;font-size:26px;border:0;border-radius:12px;background:#c62828;color:#fff}
${STATUS_CSS}</style>
</head><body><h1>${esc(title)}</h1>${body}</body></html>`
}

function stateText (a: Alert): string {
  if (a.state === 'resolved') return `提醒已结束（${formatClock(a.resolvedAt ?? a.openedAt)}）。`
  if (a.state === 'acknowledged') return `已有人确认（${formatClock(a.acknowledgedAt ?? a.openedAt)}），正在处理。`
  return '尚未有人确认。'
}

export async function ackLinkRoutes (app: FastifyInstance, deps: AckLinkRouteDeps): Promise<void> {
  const { ackLinks, desk, places, clock } = deps
  const household = new Household({ ...deps, alerts: desk.household })
  // A browser form posts urlencoded; the body carries nothing we use (the token in the path is all).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_req, body, done) => { done(null, body) })

  const hits = new Map<string, number>()
  let windowStart = clock.now()
  app.addHook('onRequest', async (req, reply) => {
    if (clock.now() - windowStart >= WINDOW_MS) { hits.clear(); windowStart = clock.now() }
    const n = (hits.get(req.ip) ?? 0) + 1
    hits.set(req.ip, n)
    if (n > PER_WINDOW) await send(reply, 429, page('请稍后再试', '<p>请求过于频繁，请一分钟后再试。</p>'))
  })

  function send (reply: FastifyReply, status: number, html: string): FastifyReply {
    return reply.code(status).type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
      .send(html)
  }

  /** The alert a valid token names, or the refusal page already sent. */
  async function resolveToken (token: string, reply: FastifyReply): Promise<{ alert: Alert, contact: Contact, expiresAt: number } | null> {
    const verdict: AckVerdict = ackLinks.verify(token)
    if (!verdict.ok && verdict.reason === 'expired') {
      send(reply, 410, page('链接已过期', '<p>此确认链接已过期。如仍需处理，请直接联系网格员或村值班。</p>'))
      return null
    }
    const contact = verdict.ok ? places.getContact(verdict.claim.contactId) : undefined
    const alert = verdict.ok ? await tryGet(verdict.claim.alertId) : undefined
    if (!verdict.ok || contact === undefined || alert === undefined) {
      send(reply, 403, page('链接无效', '<p>此确认链接无效。请使用短信或消息中的完整链接。</p>'))
      return null
    }
    return { alert, contact, expiresAt: verdict.claim.expiresAt * 1000 }
  }

  async function tryGet (id: string): Promise<Alert | undefined> {
    try {
      const { events: _events, ...alert } = await desk.get(id)
      return alert
    } catch {
      return undefined
    }
  }

  /** The home's label; a resident's name in it is masked unless the link was made for family of the home. */
  function labelFor (a: Alert, contact: Contact): string {
    const home = places.getHome(a.homeId)
    if (home === undefined) return ''
    if (statusAccess(contact, home) === 'family') return home.label
    return maskNames(home.label, places.listResidents(a.homeId).map((r) => r.name))
  }

  function summary (a: Alert, contact: Contact): string {
    const label = labelFor(a, contact)
    return `<p><b>${esc(label)}</b></p><p>${esc(TYPE_NAMES[a.type])}，自 ${formatClock(a.since)} 起。</p><p class="s">${esc(stateText(a))}</p>`
  }

  /**
   * The status block of the alert's home (never another), or '' when the link's contact is not entitled
   * to it. Each view is one audit_log row: `contact:<id>` `view` `home_status` <homeId>.
   */
  async function homeStatus (alert: Alert, contact: Contact, linkExpiresAt: number): Promise<string> {
    const home = places.getHome(alert.homeId)
    const access = home === undefined ? null : statusAccess(contact, home)
    if (access === null) return ''
    const h = await household.build(alert.homeId)
    if (h === null) return ''
    const now = clock.now()
    audit(deps.db, `contact:${contact.id}`, 'view', 'home_status', alert.homeId, { alertId: alert.id, via: 'ack_link', access }, now)
    const residentNames = access === 'family' ? places.listResidents(alert.homeId).map((r) => r.name) : []
    return statusHtml({ household: h, access, residentNames, typeNames: TYPE_NAMES, now, linkExpiresAt })
  }

  app.get('/a/:token', { schema: { hide: true, params: tokenParam } }, async (req, reply) => {
    const { token } = req.params as z.infer<typeof tokenParam>
    const found = await resolveToken(token, reply)
    if (found === null) return reply
    const { alert, contact } = found
    const button = alert.state === 'open'
      ? `<form method="post" action="/a/${esc(token)}/ack"><button type="submit">我已知晓，马上处理</button></form>`
      : ''
    return send(reply, 200, page('安居提醒', summary(alert, contact) + button + await homeStatus(alert, contact, found.expiresAt)))
  })

  app.post('/a/:token/ack', { schema: { hide: true, params: tokenParam } }, async (req, reply) => {
    const { token } = req.params as z.infer<typeof tokenParam>
    const found = await resolveToken(token, reply)
    if (found === null) return reply
    let alert = found.alert
    const { contact } = found
    if (alert.state === 'resolved') return send(reply, 200, page('提醒已结束', summary(alert, contact)))
    if (alert.state === 'acknowledged') return send(reply, 200, page('已有人确认', summary(alert, contact)))
    alert = await desk.acknowledge(alert.id, `contact:${contact.id}`)
    req.log.info({ alertId: alert.id, by: `contact:${contact.id}` }, 'alert acknowledged by link')
    return send(reply, 200, page('谢谢，已确认', '<p>已通知其他联系人：您正在处理。</p>' + summary(alert, contact)))
  })
}
