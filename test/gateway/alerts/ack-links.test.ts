// Acknowledge links: the token alone (unit), then end to end — an alert reaches family with a link, the
// page opens over real HTTP, the button acknowledges as the contact and stops the climb.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, AlertEvent } from '../../../src/alerts.ts'
import { AckLinks, ackLinkKeyPath, resolveAckLinkKey } from '../../../gateway/alerts/ack-links.ts'
import { loadConfig } from '../../../gateway/config/load-config.ts'
import { addDevice, seedHome, startGateway } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { risingEdges, startAlertGateway } from './alert-gateway.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: the 3-hour cold-start day threshold

const open: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

function tamper (token: string): string {
  const [payload, mac] = token.split('.') as [string, string]
  const claim = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
  return `${Buffer.from(JSON.stringify({ ...claim, a: 'alrt-other' })).toString('base64url')}.${mac}`
}

describe('ack link tokens', () => {
  it('round-trips, refuses tampering and another key, and expires after the TTL', () => {
    const time = new FakeTime(T0)
    const links = new AckLinks(Buffer.alloc(32, 7), 24 * H, time, 'https://anju.example.cn/')
    const url = links.url('alrt-1', 'fam-1')
    expect(url).toMatch(/^https:\/\/anju\.example\.cn\/a\/[\w-]+\.[\w-]+$/)
    const token = url!.slice('https://anju.example.cn/a/'.length)
    expect(links.verify(token)).toEqual({ ok: true, claim: { alertId: 'alrt-1', contactId: 'fam-1', expiresAt: (T0 + 24 * H) / 1000 } })

    expect(links.verify(tamper(token))).toEqual({ ok: false, reason: 'invalid' })
    expect(links.verify(token.slice(0, -2))).toEqual({ ok: false, reason: 'invalid' })
    expect(links.verify('garbage')).toEqual({ ok: false, reason: 'invalid' })
    expect(new AckLinks(Buffer.alloc(32, 8), 24 * H, time).verify(token)).toEqual({ ok: false, reason: 'invalid' })

    time.advance(24 * H - 1000)
    expect(links.verify(token).ok).toBe(true)
    time.advance(1000)
    expect(links.verify(token)).toEqual({ ok: false, reason: 'expired' })
  })

  it('generates the key once, owner-only, and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-ack-key-'))
    open.push(() => rmSync(dir, { recursive: true, force: true }))
    const first = resolveAckLinkKey(undefined, dir)
    expect(first.source).toBe('generated')
    expect(first.key).toHaveLength(32)
    expect(statSync(ackLinkKeyPath(dir)).mode & 0o777).toBe(0o600)
    const again = resolveAckLinkKey(undefined, dir)
    expect(again).toEqual({ key: first.key, source: 'file' })
  })
})

describe('config', () => {
  it('reads the link TTL and the default ladder from the environment; the engine uses that ladder', async () => {
    const config = loadConfig({ ANJU_NOTIFY_ACK_LINK_TTL_HOURS: '6', ANJU_ALERTS_TV_TIMEOUT_MS: '120000', ANJU_ALERTS_GRID_TIMEOUT_MS: '3600000' }, '')
    expect(config.notify.ackLinkTtlHours).toBe(6)
    expect(config.alerts).toEqual({ tvTimeoutMs: 2 * MIN, familyTimeoutMs: 15 * MIN, gridTimeoutMs: H })
    const gw = await startGateway({ alerts: { tvTimeoutMs: 2 * MIN } })
    open.push(() => gw.stop())
    expect(gw.alerts.ladderOf('any-home')).toEqual({ tvTimeoutMs: 2 * MIN, familyTimeoutMs: 15 * MIN, gridTimeoutMs: 30 * MIN })
  })
})

describe('acknowledge links end to end', () => {
  it('family opens the link, presses the button: acknowledged as the contact, the climb stops', async () => {
    const time = new FakeTime(T0)
    const gw = await startAlertGateway(time)
    open.push(() => gw.stop())
    const { homeId, gridId } = await seedHome(gw)
    await gw.api('POST', '/api/v1/residents', { homeId, name: '王秀英' })
    await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
    await gw.api('POST', '/api/v1/contacts', { id: 'gw-1', gridId, name: '李网格', phone: '13800000002', role: 'grid_worker' })
    // Another home in the same grid: its label must never show on this home's page.
    const other = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId, label: '河对岸 3号' })
    await gw.api('POST', '/api/v1/residents', { homeId: other.body.id, name: '赵大娘' })

    const creds = await addDevice(gw, homeId)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    open.push(() => sensor.endAsync(true))
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) === T0, 5000, 'motion to reach the alert engine')

    time.advance(3 * H + 5 * MIN)
    const checkin = gw.sent.find((n) => n.kind === 'checkin')
    expect(checkin?.ackUrl).toBeUndefined()
    const family = gw.sent.find((n) => n.recipient === 'fam-1')
    expect(family).toMatchObject({ kind: 'alert', ackUrl: expect.stringMatching(new RegExp(`^${gw.urls.http}/a/[\\w-]+\\.[\\w-]+$`)) })
    const link = family!.ackUrl!
    const alertId = family!.alertId!
    const token = link.slice(link.lastIndexOf('/') + 1)

    const pageRes = await fetch(link)
    expect(pageRes.status).toBe(200)
    expect(pageRes.headers.get('cache-control')).toBe('no-store')
    expect(pageRes.headers.get('referrer-policy')).toBe('no-referrer')
    expect(pageRes.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await pageRes.text()
    expect(html).toContain('山下庄 12号')
    expect(html).toContain('长时间无活动')
    expect(html).toContain('我已知晓，马上处理')
    expect(html).not.toContain('河对岸')
    expect(html).not.toContain('赵大娘')
    expect(html).not.toMatch(/https?:\/\//) // no external assets
    expect((await gw.api<Alert>('GET', `/api/v1/alerts/${alertId}`)).body.state).toBe('open') // GET changes nothing

    const eventsBefore = (await gw.api<{ events: AlertEvent[] }>('GET', `/api/v1/alerts/${alertId}`)).body.events.length
    const forged = await fetch(`${gw.urls.http}/a/${tamper(token)}/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
    expect(forged.status).toBe(403)
    expect(await forged.text()).toContain('链接无效')
    const still = (await gw.api<Alert & { events: AlertEvent[] }>('GET', `/api/v1/alerts/${alertId}`)).body
    expect(still.state).toBe('open')
    expect(still.events).toHaveLength(eventsBefore)

    const post = (): Promise<Response> => fetch(`${link}/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
    const ack = await post()
    expect(ack.status).toBe(200)
    expect(await ack.text()).toContain('谢谢，已确认')
    const acked = (await gw.api<Alert & { events: AlertEvent[] }>('GET', `/api/v1/alerts/${alertId}`)).body
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'contact:fam-1', nextRungAt: null })
    expect(acked.events.filter((e) => e.action === 'acknowledged')).toEqual([expect.objectContaining({ actor: 'contact:fam-1' })])

    // The climb stops: the grid worker is never called.
    time.advance(2 * H)
    expect(gw.sent.filter((n) => n.recipient === 'gw-1' && n.kind === 'alert')).toEqual([])

    // A second press is harmless: it shows the state and records nothing.
    const again = await post()
    expect(again.status).toBe(200)
    expect(await again.text()).toContain('已有人确认')
    expect((await gw.api<{ events: AlertEvent[] }>('GET', `/api/v1/alerts/${alertId}`)).body.events).toHaveLength(acked.events.length)

    // Closed by the grid worker: the link now says so, and pressing changes nothing.
    await gw.api('POST', `/api/v1/alerts/${alertId}/resolve`, { by: 'gw-1', outcome: 'resident_ok', note: null })
    const closed = await post()
    expect(closed.status).toBe(200)
    expect(await closed.text()).toContain('提醒已结束')
    expect((await gw.api<Alert>('GET', `/api/v1/alerts/${alertId}`)).body).toMatchObject({ state: 'resolved', resolvedBy: 'gw-1' })

    // A day later the link has expired.
    time.advance(22 * H)
    const expired = await fetch(link)
    expect(expired.status).toBe(410)
    expect(await expired.text()).toContain('链接已过期')
    const expiredPost = await post()
    expect(expiredPost.status).toBe(410)
  })
})
