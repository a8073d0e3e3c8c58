// End to end, real parts only: a sensor's motion over MQTT, then silence; the resident's TV asked on the
// SSE stream (real HTTP) at the threshold; family told on their generic webhook (a local receiver that
// verifies the HMAC signature exactly as docs/notifications.md documents) after the TV timeout; new
// motion sends them the all-clear. Fake timers drive the alert engine, the outbox and its retries, so
// three hours pass in milliseconds while every HTTP exchange stays real.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_LADDER } from '../../../src/alerts.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { startReceiver } from '../notify/local-receiver.ts'
import { connectSse } from '../notify/sse-client.ts'
import { risingEdges, startAlertGateway } from './alert-gateway.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: the 3-hour cold-start day threshold
const SECRET = 'a-webhook-secret-of-at-least-32-chars!'

// docs/notifications.md, "Node.js", verbatim but for the types.
function verifyAnjuWebhook (secret: string, headers: IncomingHttpHeaders, rawBody: string, nowMs = Date.now()): boolean {
  const timestamp = String(headers['x-anju-timestamp'] ?? '')
  const signature = String(headers['x-anju-signature'] ?? '')
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > 5 * 60_000) return false
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
}

const open: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

describe('from MQTT motion to a signed family webhook', () => {
  it('TV check-in on SSE at the threshold, family webhook after the TV timeout, all-clear on new motion', async () => {
    const time = new FakeTime(T0)
    const gw = await startAlertGateway(time, undefined, { notify: { webhookSecret: SECRET }, realOutbox: true })
    open.push(() => gw.stop())
    const receiver = await startReceiver()
    open.push(() => receiver.close())

    const { homeId } = await seedHome(gw)
    await gw.api('POST', '/api/v1/residents', { homeId, name: '王秀英' })
    await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
    expect((await gw.api('PUT', '/api/v1/contacts/fam-1/channels', [{ channel: 'webhook', config: { url: `${receiver.url}/anju` } }])).status).toBe(200)
    const tv = await connectSse(`${gw.urls.http}/api/v1/events/stream?home=${homeId}`, gw.adminToken)
    open.push(() => tv.close())
    expect(tv.status).toBe(200)
    await waitFor(() => gw.notify.sse.clientCount === 1, 5000, 'the TV to be connected')

    const creds = await addDevice(gw, homeId)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    open.push(() => sensor.endAsync(true))
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) === T0, 5000, 'motion to reach the alert engine')

    // Silence. Nothing just before the threshold...
    time.advance(3 * H - 1000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(tv.events).toEqual([])
    // ...the check-in on the resident's screen at it (the outbox's timer is on the same fake clock).
    time.advance(1000)
    const [checkin] = await waitFor(() => tv.events.length > 0 ? tv.events : null, 5000, 'the TV check-in on SSE')
    expect(checkin).toMatchObject({ event: 'checkin', data: { kind: 'checkin', text: '您还好吗？按确认键报平安。', data: { type: 'inactivity', rung: 0, since: T0, at: T0 + 3 * H } } })
    expect(receiver.requests).toEqual([])

    // Unanswered for the TV timeout: family's webhook, signed, in Chinese, with the resident's name.
    time.advance(DEFAULT_LADDER.tvTimeoutMs - 1000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(receiver.requests).toEqual([])
    time.advance(1000)
    const [alert] = await waitFor(() => receiver.requests.length > 0 ? receiver.requests : null, 5000, 'the family webhook')
    expect(alert).toMatchObject({ method: 'POST', url: '/anju' })
    expect(verifyAnjuWebhook(SECRET, alert!.headers, alert!.body, time.now())).toBe(true)
    expect(verifyAnjuWebhook('another-secret-another-secret-another', alert!.headers, alert!.body, time.now())).toBe(false)
    const body = JSON.parse(alert!.body) as { id: string, kind: string, text: string, data: Record<string, unknown> }
    expect(alert!.headers['x-anju-message-id']).toBe(body.id)
    expect(body).toMatchObject({ kind: 'alert', data: { type: 'inactivity', rung: 1, homeId } })
    expect(body.text).toBe('【安居】山下庄 12号（王秀英） 自 09:42 起已 3 小时 5 分钟无活动，请确认老人安全。')

    // She gets up: the all-clear reaches family (and her screen), signed like the alert.
    time.advance(2 * MIN)
    await risingEdges(sensor, creds.id)
    const [, clear] = await waitFor(() => { time.advance(0); return receiver.requests.length > 1 ? receiver.requests : null }, 5000, 'the all-clear webhook')
    expect(verifyAnjuWebhook(SECRET, clear!.headers, clear!.body, time.now())).toBe(true)
    expect(JSON.parse(clear!.body)).toMatchObject({ kind: 'all_clear', text: '【安居】山下庄 12号（王秀英）：已检测到活动，老人平安，提醒解除。', data: { outcome: 'resident_ok' } })
    await waitFor(() => tv.events.length > 1, 5000, 'the all-clear on the TV')
    expect(tv.events[1]).toMatchObject({ event: 'all_clear', data: { text: '已确认您平安，谢谢！' } })
    expect(receiver.requests).toHaveLength(2)
  })
})
