// Issue 7 fault: the gateway process is SIGKILLed in the middle of an escalation — after the family rung
// was notified, before the grid worker's rung — and started again on the same data directory. The ladder
// must resume at the right rung and time, every contact must get each message exactly once (counted at a
// real HTTP webhook receiver), and the alert must still be there to acknowledge.
// test/gateway/alerts/escalation.test.ts restarts in-process with fake time and a clean close(); here the
// process dies without any shutdown code, on the real clock, with the real outbox and webhook channel.
//
// Time: the smallest ladder a home may have is one minute per rung (src/escalation/alert-schemas.ts), so
// this test takes a little over two minutes of real time. The alert opens at once because the sensor's
// motion carries a device time stamp 30 min in the past (the smallest per-home inactivity threshold); the
// gateway believes it because ANJU_INGEST_MAX_CLOCK_SKEW_MS allows that skew.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import type { Alert, AlertEvent } from '../../src/alerts.ts'
import { waitFor } from '../helpers/mqtt-client.ts'
import { startReceiver, type LocalReceiver } from '../gateway/notify/local-receiver.ts'
import { startGatewayProcess } from './gateway-process.ts'

const MIN = 60_000
const RUNG_MS = MIN
const ADMIN = 'sigkill-escalation-admin-token-0123456789'

describe('SIGKILL of the gateway mid-escalation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'anju-sigkill-'))
  const env = { ANJU_DATA_DIR: dataDir, ANJU_NOTIFY_WEBHOOK_SECRET: 'sigkill-escalation-webhook-secret-0123456789', ANJU_INGEST_MAX_CLOCK_SKEW_MS: String(2 * 60 * MIN) }
  const open: Array<{ stop: () => Promise<void> }> = []
  let receiver: LocalReceiver | undefined

  afterAll(async () => {
    for (const o of open.reverse()) await o.stop()
    await receiver?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('resumes at the grid rung on the same data, with no notification lost or sent twice', async () => {
    const hook = receiver = await startReceiver()
    /** Webhook deliveries as `contact:kind`, in arrival order (each contact has its own URL path). */
    const deliveries = (): string[] => hook.requests.map((r) => `${r.url.slice(1)}:${String(JSON.parse(r.body).kind)}`)

    const first = await startGatewayProcess(env, ADMIN)
    open.push(first)
    const v = await first.api<{ id: string }>('POST', '/api/v1/villages', { name: '山下庄村' })
    const g = await first.api<{ id: string }>('POST', '/api/v1/grids', { villageId: v.body.id, name: '第一网格' })
    const h = await first.api<{ id: string }>('POST', '/api/v1/homes', { gridId: g.body.id, label: '山下庄 12号' })
    const homeId = h.body.id
    await first.api('POST', '/api/v1/residents', { homeId, name: '王秀英' })
    for (const c of [
      { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' },
      { id: 'gw-1', gridId: g.body.id, name: '李网格', phone: '13800000002', role: 'grid_worker' },
      { id: 'duty-1', villageId: v.body.id, name: '值班', phone: '13800000003', role: 'village_duty' }
    ]) {
      expect((await first.api('POST', '/api/v1/contacts', c)).status).toBe(201)
      expect((await first.api('PUT', `/api/v1/contacts/${c.id}/channels`, [{ channel: 'webhook', enabled: true, config: { url: `${hook.url}/${c.id}` } }])).status).toBe(200)
    }
    const settings = await first.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, {
      inactivityThresholdMs: 30 * MIN, quietHours: null, ladder: { tvTimeoutMs: RUNG_MS, familyTimeoutMs: RUNG_MS, gridTimeoutMs: RUNG_MS }, by: 'test'
    })
    expect(settings.status).toBe(200)

    // Two rising edges (a lone one does not count as activity), 30 min and 2 s ago by the sensor's clock.
    const sensor = (await first.api<{ id: string, secret: string }>('POST', '/api/v1/devices', { homeId })).body
    const client = await mqtt.connectAsync(first.mqtt, { clientId: sensor.id, username: sensor.id, password: sensor.secret, protocolVersion: 4, reconnectPeriod: 0 })
    const since = Date.now() - 30 * MIN - 2000
    for (const ts of [since - 1000, since]) {
      await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: false, ts }), { qos: 1 })
      await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: true, ts }), { qos: 1 })
    }
    await client.endAsync()

    const alert = await waitFor(async () => (await first.api<Alert[]>('GET', `/api/v1/alerts?homeId=${homeId}&type=inactivity`)).body[0], 15_000, 'the alert to open')
    expect(alert).toMatchObject({ state: 'open', rung: 0, since, nextRungAt: alert.openedAt + RUNG_MS })

    // Family is told one rung timeout later. Give the outbox a moment to record the delivery, then kill.
    await waitFor(() => deliveries().includes('fam-1:alert'), RUNG_MS + 30_000, 'the family rung')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(deliveries()).toEqual(['fam-1:alert'])
    const atFamily = (await first.api<Alert>('GET', `/api/v1/alerts/${alert.id}`)).body
    expect(atFamily).toMatchObject({ state: 'open', rung: 1 })
    const gridDue = atFamily.nextRungAt as number
    await first.kill()
    const killedAt = Date.now()
    expect(killedAt).toBeLessThan(gridDue) // before the grid rung fell due

    const second = await startGatewayProcess(env, ADMIN)
    open.push(second)
    // The alert survived the kill, still at the family rung, with the grid rung's deadline unchanged.
    const resumed = (await second.api<Alert>('GET', `/api/v1/alerts/${alert.id}`)).body
    expect(resumed).toMatchObject({ state: 'open', rung: 1, nextRungAt: gridDue })

    await waitFor(() => deliveries().includes('gw-1:alert'), 2 * RUNG_MS, 'the grid rung')
    const gridAt = hook.requests.find((r) => r.url === '/gw-1')?.at ?? 0
    expect(gridAt).toBeGreaterThanOrEqual(gridDue)
    expect(gridAt - gridDue).toBeLessThan(10_000)

    // Someone acknowledges through the restarted gateway: everyone already told hears it, once.
    const acked = await second.api<Alert>('POST', `/api/v1/alerts/${alert.id}/ack`, { by: 'gw-1' })
    expect(acked.body).toMatchObject({ state: 'acknowledged', rung: 2, nextRungAt: null })
    await waitFor(() => deliveries().filter((d) => d.endsWith(':acknowledged')).length === 2, 15_000, 'the acknowledgements')
    // A row resent after its lease (40 s) would have shown by now for family; wait a little for stragglers.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    console.log('sigkill-escalation:', JSON.stringify({ deliveries: deliveries(), killedAfterOpenS: (killedAt - alert.openedAt) / 1000, gridLateMs: gridAt - gridDue }))
    expect([...deliveries()].sort()).toEqual(['fam-1:acknowledged', 'fam-1:alert', 'gw-1:acknowledged', 'gw-1:alert'])
    expect(new Set(hook.requests.map((r) => r.headers['x-anju-message-id'])).size).toBe(hook.requests.length)

    // The alert's history: one climb per rung across both processes, nothing repeated or skipped.
    const events = (await second.api<{ events: AlertEvent[] }>('GET', `/api/v1/alerts/${alert.id}`)).body.events
    expect(events.map((e) => `${e.action}@${e.rung}`)).toEqual(['opened@0', 'escalated@1', 'escalated@2', 'acknowledged@2'])
  })
})
