// The 每日平安 job as build() wires it: today's activity (village time) from telemetry, the documented
// text to each family contact, the no-activity sentence for a still home, nothing for a home away.
// The job is called directly; node-cron's 20:00 firing is tested in schedules.test.ts.
import { afterEach, describe, expect, it } from 'vitest'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

const MIN = 60_000
const H = 60 * MIN
const MIDNIGHT = Date.UTC(2024, 3, 30, 16) // 2024-05-01 00:00 village time
const NOW = MIDNIGHT + 20 * H // the default 20:00 run
const local = (hh: number, mm: number): number => MIDNIGHT + hh * H + mm * MIN

const open: Array<() => Promise<unknown>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

async function home (gw: TestGateway, gridId: string, label: string, contactId: string): Promise<string> {
  const h = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId, label })
  await gw.api('POST', '/api/v1/contacts', { id: contactId, homeId: h.body.id, name: '家属', phone: '13800000001', role: 'family' })
  expect((await gw.api('PUT', `/api/v1/contacts/${contactId}/channels`, [{ channel: 'mqtt' }])).status).toBe(200)
  return h.body.id
}

describe('daily summary job', () => {
  it('sends today\'s count and last activity, the no-activity sentence for a still home, nothing for one away', async () => {
    const gw = await startGateway({}, { now: () => NOW })
    open.push(() => gw.stop())
    const { gridId, villageId } = await seedHome(gw)
    const busy = await home(gw, gridId, '山下庄 3号', 'fam-busy')
    const still = await home(gw, gridId, '山下庄 5号', 'fam-still')
    const away = await home(gw, gridId, '山下庄 8号', 'fam-away')
    const point = (homeId: string, at: number) => ({ kind: 'activity' as const, villageId, homeId, deviceId: `${homeId}-pir`, at, timeSource: 'device' as const })
    gw.telemetry.write([
      point(busy, local(0, -60)), // yesterday 23:00: not today
      point(busy, local(7, 10)), point(busy, local(12, 30)), point(busy, local(19, 52)),
      point(still, local(-2, 0)), // yesterday 22:00, then nothing
      point(away, local(9, 0))
    ])
    await gw.telemetry.flush()
    expect((await gw.api('POST', `/api/v1/homes/${away}/away`, { until: NOW + 48 * H, by: 'fam-away' })).status).toBe(200)

    expect(await gw.notify.schedules.dailySummary()).toEqual({ homes: 2, messages: 2 })
    const rows = gw.db.prepare("SELECT recipient, channel, payload FROM outbox WHERE kind = 'daily_summary' ORDER BY recipient").all() as Array<{ recipient: string, channel: string, payload: string }>
    expect(rows.map((r) => [r.recipient, r.channel, (JSON.parse(r.payload) as { text: string }).text])).toEqual([
      ['fam-busy', 'mqtt', '【安居·每日平安】山下庄 3号 今天共 3 次活动，最近一次 19:52。'],
      ['fam-still', 'mqtt', '【安居·每日平安】山下庄 5号 今天没有记录到活动，请打电话问候一下。']
    ])
    // Once a day: a second run the same day queues nothing new.
    expect(await gw.notify.schedules.dailySummary()).toEqual({ homes: 2, messages: 0 })
  })
})
