// The elder's home status on the acknowledge-link page: shown while the link is valid, only for the alert's
// home, only to contacts entitled to that home (family of it, its grid worker, its village duty), names
// only to family, every view audited as the contact. Real gateway, motion over MQTT, fake time.
import { afterEach, describe, expect, it } from 'vitest'
import { AckLinks, resolveAckLinkKey } from '../../../gateway/alerts/ack-links.ts'
import { maskNames, statusAccess } from '../../../gateway/http/routes/ack-link-status.ts'
import type { Contact, Home } from '../../../src/registry-schemas.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { FakeTime } from '../../helpers/fake-time.ts'
import { risingEdges, startAlertGateway, type AlertGateway } from './alert-gateway.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time, 1 May

const open: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

interface AuditRow { at: number, actor: string, action: string, entity: string, entity_id: string, detail: string }
const auditRows = (gw: AlertGateway): AuditRow[] =>
  gw.db.prepare("SELECT at, actor, action, entity, entity_id, detail FROM audit_log WHERE entity = 'home_status' ORDER BY id").all() as AuditRow[]

async function scenario (time: FakeTime) {
  const gw = await startAlertGateway(time)
  open.push(() => gw.stop())
  const { villageId, gridId, homeId } = await seedHome(gw)
  await gw.api('POST', '/api/v1/residents', { homeId, name: '王秀英' })
  await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
  await gw.api('POST', '/api/v1/contacts', { id: 'gw-1', gridId, name: '李网格', phone: '13800000002', role: 'grid_worker' })
  await gw.api('POST', '/api/v1/contacts', { id: 'duty-1', villageId, name: '陈值班', phone: '13800000003', role: 'village_duty' })
  // Home B in the same grid, with its own family and its last motion at 09:42: none of it may show on A's page.
  const b = (await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId, label: '河对岸 3号' })).body.id
  await gw.api('POST', '/api/v1/residents', { homeId: b, name: '赵大娘' })
  await gw.api('POST', '/api/v1/contacts', { id: 'fam-b', homeId: b, name: '赵小红', phone: '13800000004', role: 'family' })
  // A grid worker of another grid of the same village: not entitled to home A.
  const grid2 = (await gw.api<{ id: string }>('POST', '/api/v1/grids', { villageId, name: '第二网格' })).body.id
  await gw.api('POST', '/api/v1/contacts', { id: 'gw-2', gridId: grid2, name: '周网格', phone: '13800000005', role: 'grid_worker' })

  const motion = async (home: string): Promise<void> => {
    const creds = await addDevice(gw, home)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    open.push(() => sensor.endAsync(true))
    await risingEdges(sensor, creds.id)
    const at = time.now()
    await waitFor(() => gw.alerts.lastActivity(home) === at, 5000, 'motion to reach the alert engine')
  }
  await motion(b) // 09:42 in home B
  time.advance(30 * MIN)
  await motion(homeId) // 10:12 in home A
  await gw.telemetry.flush()

  time.advance(3 * H + 5 * MIN) // 13:17: both inactivity alerts have reached family
  const family = gw.sent.find((n) => n.recipient === 'fam-1' && n.kind === 'alert')
  expect(family?.ackUrl).toBeDefined()
  const alertId = family!.alertId!
  // Links for other contacts of the same alert, signed with the gateway's own key (as the notifier would).
  const links = new AckLinks(resolveAckLinkKey(undefined, gw.dataDir).key, 24 * H, time, gw.urls.http)
  const linkFor = (contactId: string): string => links.url(alertId, contactId)!
  const familyB = gw.sent.find((n) => n.recipient === 'fam-b' && n.kind === 'alert')
  expect(familyB?.ackUrl).toBeDefined()
  return { gw, homeId, b, alertId, familyLink: family!.ackUrl!, linkFor, linkB: familyB!.ackUrl! }
}

async function get (url: string): Promise<{ status: number, html: string, csp: string | null, cache: string | null, referrer: string | null }> {
  const res = await fetch(url)
  return { status: res.status, html: await res.text(), csp: res.headers.get('content-security-policy'), cache: res.headers.get('cache-control'), referrer: res.headers.get('referrer-policy') }
}

describe('home status on the acknowledge-link page', () => {
  it('family sees the status of their elder\'s home — last activity, today\'s bars, open alerts, away mode — and each view is audited', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, alertId, familyLink } = await scenario(time)

    const page = await get(familyLink)
    expect(page.status).toBe(200)
    expect(page.cache).toBe('no-store')
    expect(page.referrer).toBe('no-referrer')
    expect(page.csp).toContain("default-src 'none'")
    expect(page.csp).not.toContain('script-src')
    const html = page.html
    expect(html).toContain('我已知晓，马上处理') // the alert and its button come first
    expect(html.indexOf('id="home-status"')).toBeGreaterThan(html.indexOf('我已知晓，马上处理'))
    expect(html).toContain('王秀英 · 家中情况') // family of the home: the name is theirs to see
    expect(html).toContain('正在联系家人和网格员')
    expect(html).toContain('最近活动 10:12')
    expect(html).toMatch(/长时间无活动（13:\d\d）：已通知家属，待确认/)
    expect(html).toContain('外出模式：未开启')
    expect(html).toContain('此链接 5月2日 13:17 失效')
    // 24 bars: 10:00 has the motion (full height, the day's maximum), 13:00 is now, later hours are empty.
    const bars = [...html.matchAll(/<span class="(b\d[^"]*)" title="(\d+)时 (\d+)次"><\/span>/g)].map((m) => m[1])
    expect(bars).toHaveLength(24)
    expect(bars[10]).toBe('b8')
    expect(bars[9]).toBe('b0') // home B's hour
    expect(bars[13]).toBe('b0 now')
    expect(bars[14]).toBe('b0 later')
    expect(html).not.toMatch(/<script|\son\w+=|style="/i) // no script, no handlers, no inline style attributes
    expect(html).not.toMatch(/https?:\/\//)
    // Nothing of home B.
    expect(html).not.toContain('河对岸')
    expect(html).not.toContain('赵大娘')
    expect(html).not.toContain('09:42')

    expect(auditRows(gw)).toEqual([{ at: T0 + 30 * MIN + 3 * H + 5 * MIN, actor: 'contact:fam-1', action: 'view', entity: 'home_status', entity_id: homeId, detail: JSON.stringify({ alertId, via: 'ack_link', access: 'family' }) }])

    // The family sets away mode (e.g. by phone with the clerk): the page says so until when.
    time.advance(10 * MIN)
    gw.alerts.setAway(homeId, Date.UTC(2024, 4, 3, 10, 0), 'fam-1') // 3 May 18:00 village time
    const away = (await get(familyLink)).html
    expect(away).toContain('<b>外出中</b>')
    expect(away).toContain('外出模式：已开启，至 5月3日 18:00')
    expect(auditRows(gw).map((r) => r.actor)).toEqual(['contact:fam-1', 'contact:fam-1'])
  })

  it('an expired link shows no status (410) and audits nothing', async () => {
    const time = new FakeTime(T0)
    const { gw, familyLink } = await scenario(time)
    time.advance(24 * H)
    const page = await get(familyLink)
    expect(page.status).toBe(410)
    expect(page.html).toContain('链接已过期')
    expect(page.html).not.toContain('家中情况')
    expect(page.html).not.toContain('最近活动')
    expect(auditRows(gw)).toEqual([])
  })

  it('grid worker of the grid and village duty of the village see the status without any name; others see the alert only', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, linkFor } = await scenario(time)
    // Staff wrote the resident's name into the label: masked for everyone but family.
    gw.places.relabelHome(homeId, '王秀英家 12号')

    for (const id of ['gw-1', 'duty-1']) {
      const { status, html } = await get(linkFor(id))
      expect(status).toBe(200)
      expect(html).toContain('王**家 12号')
      expect(html).toContain('<h2>家中情况</h2>')
      expect(html).toContain('最近活动 10:12')
      expect(html).not.toContain('王秀英')
      expect(html).not.toContain('秀英')
      expect(html).not.toContain('河对岸')
      expect(html).not.toContain('赵大娘')
    }
    // A grid worker of another grid, and family of another home: the alert and its button, no status.
    for (const id of ['gw-2', 'fam-b']) {
      const { status, html } = await get(linkFor(id))
      expect(status).toBe(200)
      expect(html).toContain('长时间无活动')
      expect(html).toContain('王**家 12号')
      expect(html).not.toContain('家中情况')
      expect(html).not.toContain('最近活动')
      expect(html).not.toContain('王秀英')
      expect(html).not.toContain('赵大娘')
    }
    // Family of the home sees the label as written.
    expect((await get(linkFor('fam-1'))).html).toContain('王秀英家 12号')

    const rows = auditRows(gw)
    expect(rows.map((r) => [r.actor, r.entity_id, (JSON.parse(r.detail) as { access: string }).access])).toEqual([
      ['contact:gw-1', homeId, 'carer'], ['contact:duty-1', homeId, 'carer'], ['contact:fam-1', homeId, 'family']
    ])
  })

  it('a link made for home B\'s alert shows home B, never home A', async () => {
    const time = new FakeTime(T0)
    const { gw, b, linkB } = await scenario(time)
    const page = await get(linkB)
    expect(page.status).toBe(200)
    expect(page.html).toContain('河对岸 3号')
    expect(page.html).toContain('赵大娘 · 家中情况')
    expect(page.html).toContain('最近活动 09:42')
    expect(page.html).not.toContain('山下庄 12号')
    expect(page.html).not.toContain('王秀英')
    expect(page.html).not.toContain('10:12')
    expect(auditRows(gw).map((r) => [r.actor, r.entity_id])).toEqual([['contact:fam-b', b]])
  })
})

describe('statusAccess and maskNames', () => {
  const home: Home = { id: 'h1', gridId: 'g1', villageId: 'v1', label: 'x', createdAt: 0 }
  const contact = (c: Partial<Contact>): Contact => ({ id: 'c', homeId: null, gridId: null, villageId: null, name: 'n', phone: '1', role: 'family', priority: 0, createdAt: 0, ...c })
  it('entitles family of the home, its grid worker and its village duty; nobody else', () => {
    expect(statusAccess(contact({ role: 'family', homeId: 'h1' }), home)).toBe('family')
    expect(statusAccess(contact({ role: 'family', homeId: 'h2' }), home)).toBeNull()
    expect(statusAccess(contact({ role: 'grid_worker', gridId: 'g1' }), home)).toBe('carer')
    expect(statusAccess(contact({ role: 'grid_worker', gridId: 'g2' }), home)).toBeNull()
    expect(statusAccess(contact({ role: 'village_duty', villageId: 'v1' }), home)).toBe('carer')
    expect(statusAccess(contact({ role: 'village_duty', villageId: 'v2' }), home)).toBeNull()
    expect(statusAccess(contact({ role: 'volunteer', gridId: 'g1' }), home)).toBeNull()
  })
  it('masks every resident name in a label', () => {
    expect(maskNames('王秀英、张三家', ['王秀英', '张三', ''])).toBe('王**、张**家')
    expect(maskNames('山下庄 12号', ['王秀英'])).toBe('山下庄 12号')
  })
})
