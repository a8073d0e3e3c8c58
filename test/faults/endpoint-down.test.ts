// Issue 7 fault: the notification webhook is down for an hour while two homes' inactivity alerts climb the
// whole ladder (family, grid worker, village duty). The outbox must keep retrying with growing gaps, lose
// nothing, and deliver every message exactly once when the endpoint returns; the resident's TV must show
// the alert throughout, since it does not depend on the webhook.
//
// What is simulated: only time. The gateway (aedes, SQLite outbox, alert engine, HTTP, the webhook channel
// with its HMAC and fetch) and the endpoint (a real HTTP server on loopback) are real; the gateway's clock
// and timers are a FakeTime that this test advances from one due timer to the next, waiting for each real
// HTTP attempt to finish before moving on. So an hour of outage takes about a second, and each attempt
// happens at the simulated time the backoff chose. Not simulated: the hour of wall-clock time itself, so
// anything driven by real timers (none on this path) would not see it.
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TvState } from '../../src/tv/tv-api.ts'
import { FakeTime } from '../helpers/fake-time.ts'
import { connectDevice, waitFor } from '../helpers/mqtt-client.ts'
import { addDevice } from '../helpers/start-gateway.ts'
import { risingEdges, startAlertGateway, type AlertGateway } from '../gateway/alerts/alert-gateway.ts'
import { openEvents, pairScreen, tv, type TvStream } from '../gateway/tv/tv-client.ts'
import { startSwitchableEndpoint, type SwitchableEndpoint } from './switchable-endpoint.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: the 3-hour day threshold applies
const OUTAGE_MS = H
const RETRY_MAX_MS = 10 * MIN // the default notify.retryMaxDelayMs

describe('a webhook endpoint down for an hour', () => {
  const time = new FakeTime(T0)
  let gw: AlertGateway
  let endpoint: SwitchableEndpoint
  let stream: TvStream
  let screenToken: string
  const homes: string[] = []
  const sensors: MqttClient[] = []

  /** Run the gateway's timers up to `until`, one due timer at a time, letting each real send finish. */
  async function runUntil (until: number): Promise<void> {
    for (;;) {
      await gw.notify.outbox.idle()
      await new Promise((resolve) => setTimeout(resolve, 2))
      const next = time.nextAt
      if (next === null || next > until) break
      time.advance(Math.max(0, next - time.now()))
    }
    time.advance(until - time.now())
    await gw.notify.outbox.idle()
  }

  beforeAll(async () => {
    endpoint = await startSwitchableEndpoint(() => time.now())
    gw = await startAlertGateway(time, undefined, { realOutbox: true, notify: { webhookSecret: 'endpoint-down-test-secret-0123456789' } })
    const v = await gw.api<{ id: string }>('POST', '/api/v1/villages', { name: '山下庄村' })
    const g = await gw.api<{ id: string }>('POST', '/api/v1/grids', { villageId: v.body.id, name: '第一网格' })
    const contacts: Array<Record<string, string>> = [
      { id: 'gw-1', gridId: g.body.id, name: '李网格', phone: '13800000002', role: 'grid_worker' },
      { id: 'duty-1', villageId: v.body.id, name: '值班', phone: '13800000003', role: 'village_duty' }
    ]
    for (const n of [1, 2]) {
      const h = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId: g.body.id, label: `山下庄 ${n}号` })
      homes.push(h.body.id)
      contacts.push({ id: `fam-${n}`, homeId: h.body.id, name: `家属${n}`, phone: `1380000001${n}`, role: 'family' })
      const creds = await addDevice(gw, h.body.id)
      const sensor = await connectDevice(gw.urls.mqtt, creds)
      sensors.push(sensor)
      await risingEdges(sensor, creds.id)
      await waitFor(() => gw.alerts.lastActivity(h.body.id) === T0, 5000, 'motion to reach the alert engine')
    }
    for (const c of contacts) {
      expect((await gw.api('POST', '/api/v1/contacts', c)).status).toBe(201)
      expect((await gw.api('PUT', `/api/v1/contacts/${c.id}/channels`, [{ channel: 'webhook', enabled: true, config: { url: endpoint.url } }])).status).toBe(200)
    }
    screenToken = (await pairScreen(gw, { homeId: homes[0] as string })).token
    stream = await openEvents(gw, screenToken)
    await waitFor(() => gw.notify.sse.clientCount === 1, 5000, 'the TV stream to attach')
  })
  afterAll(async () => {
    stream?.close()
    for (const s of sensors) await s.endAsync(true)
    await gw?.stop()
    await endpoint?.close()
  })

  it('retries with growing gaps, keeps the TV alert up, and delivers every message once when it returns', async () => {
    // The endpoint goes down; three hours later both homes' alerts open and climb.
    endpoint.up = false
    const down = T0 + 3 * H
    await runUntil(down)
    await runUntil(down + OUTAGE_MS)

    // The TV showed the check-in at once and still shows the open alert at the end of the hour.
    const alertId = gw.alerts.openAlertOf(homes[0] as string, 'inactivity')?.id
    expect(alertId).toBeDefined()
    expect(stream.events.some((e) => e.event === 'checkin' && (e.data as { alertId?: string }).alertId === alertId)).toBe(true)
    const state = (await tv<TvState>(gw, 'GET', '/state', screenToken)).body
    expect(state.household?.alerts).toEqual([expect.objectContaining({ id: alertId, state: 'open', statusText: '已通知村值班，待确认' })])

    // Nothing got through, and every rung's message is still waiting (none dead): 3 per home.
    const failed = endpoint.attempts
    expect(failed.every((a) => !a.delivered)).toBe(true)
    const ids = [...new Set(failed.map((a) => a.messageId))]
    expect(ids).toHaveLength(3 * homes.length)
    const rows = ids.map((id) => gw.notify.outbox.store.get(Number(id)))
    expect(rows.map((r) => `${r?.recipient}:${r?.kind}:${r?.deadAt === null && r.deliveredAt === null}`).sort())
      .toEqual(['duty-1:alert:true', 'duty-1:alert:true', 'fam-1:alert:true', 'fam-2:alert:true', 'gw-1:alert:true', 'gw-1:alert:true'])

    // The schedule backs off: for the message waiting longest (family, 55 min), the gaps never shrink
    // while doubling, then stay near the 10-minute cap; far fewer attempts than a fixed 5 s retry would make.
    const family = ids.find((id) => gw.notify.outbox.store.get(Number(id))?.recipient === 'fam-1') as string
    const at = failed.filter((a) => a.messageId === family).map((a) => a.at)
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number))
    console.log('endpoint-down: family attempts at (min after the alert):', JSON.stringify(at.map((t) => +((t - down) / MIN).toFixed(2))), 'gaps (s):', JSON.stringify(gaps.map((g) => Math.round(g / 1000))))
    const doubling = gaps.filter((g) => g < RETRY_MAX_MS / 2)
    for (let i = 1; i < doubling.length; i++) expect(doubling[i]).toBeGreaterThanOrEqual(doubling[i - 1] as number)
    expect(doubling.length).toBeGreaterThanOrEqual(5)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(RETRY_MAX_MS)
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(RETRY_MAX_MS / 2)
    expect(at.length).toBeLessThan(20)

    // The endpoint returns: within one capped retry every message arrives, each exactly once.
    endpoint.up = true
    const back = time.now()
    await runUntil(back + RETRY_MAX_MS + MIN)
    const delivered = endpoint.attempts.filter((a) => a.delivered)
    expect(delivered.map((a) => a.messageId).sort()).toEqual([...ids].sort())
    for (const id of ids) expect(gw.notify.outbox.store.get(Number(id))?.deliveredAt).not.toBeNull()
    expect(delivered.every((a) => a.at - back <= RETRY_MAX_MS)).toBe(true)
    // The messages are the ones the rungs queued an hour ago, with their original text.
    expect(JSON.parse(delivered.find((a) => a.messageId === family)?.body ?? '{}')).toMatchObject({ kind: 'alert', text: expect.stringContaining('无活动') })

    // With the endpoint up, acknowledging reaches everyone told at once, once, and the TV says so.
    await gw.api('POST', `/api/v1/alerts/${alertId}/ack`, { by: 'gw-1' })
    await runUntil(time.now())
    const acks = endpoint.attempts.filter((a) => a.delivered && JSON.parse(a.body).kind === 'acknowledged')
    expect(acks.map((a) => gw.notify.outbox.store.get(Number(a.messageId))?.recipient).sort()).toEqual(['duty-1', 'fam-1', 'gw-1'])
    expect(new Set(endpoint.attempts.filter((a) => a.delivered).map((a) => a.messageId)).size).toBe(endpoint.attempts.filter((a) => a.delivered).length)
    expect((await tv<TvState>(gw, 'GET', '/state', screenToken)).body.household?.alerts[0]).toMatchObject({ id: alertId, state: 'acknowledged' })
  })
})
