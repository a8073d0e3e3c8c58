// The running gateway alerts on each home's learned threshold: 28 days of history in telemetry, the
// nightly model-refresh job, then a real sensor's motion and fake time. A staff override still wins.
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert } from '../../../src/alerts.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { risingEdges, startAlertGateway, summary, type AlertGateway } from './alert-gateway.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const MIN = 60_000
const H = 60 * MIN
const DAY = 24 * H
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time
const MIDNIGHT = Date.UTC(2024, 3, 30, 16) // 2024-05-01 00:00 village time

const open: Array<() => Promise<unknown>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

async function setup (): Promise<{ gw: AlertGateway, time: FakeTime, homeId: string, moveAbout: () => Promise<void> }> {
  const time = new FakeTime(T0)
  const gw = await startAlertGateway(time)
  open.push(() => gw.stop())
  const { homeId, villageId } = await seedHome(gw)
  const creds = await addDevice(gw, homeId)
  // Four weeks of a busy routine: moving every 5 minutes from 06:00 to 21:00.
  for (let d = -28; d < 0; d++) {
    for (let m = 6 * 60; m <= 21 * 60; m += 5) {
      gw.telemetry.write([{ kind: 'activity', villageId, homeId, deviceId: creds.id, at: MIDNIGHT + d * DAY + m * MIN, timeSource: 'device' }])
    }
  }
  await gw.telemetry.flush()
  await gw.notify.schedules.modelRefresh()
  const sensor = await connectDevice(gw.urls.mqtt, creds)
  open.push(() => sensor.endAsync(true))
  const moveAbout = async (): Promise<void> => {
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) === time.now(), 5000, 'activity to reach the alert engine')
  }
  return { gw, time, homeId, moveAbout }
}

describe('learned thresholds in the running gateway', () => {
  it('a home with four weeks of a busy routine is checked on within the hour, not after the 3-hour cold start', async () => {
    const { gw, time, homeId, moveAbout } = await setup()
    await moveAbout()
    time.advance(45 * MIN - 1000)
    expect(gw.sent).toEqual([])
    time.advance(15 * MIN)
    const [alert] = (await gw.api<Alert[]>('GET', `/api/v1/alerts?homeId=${homeId}&type=inactivity`)).body
    expect(alert).toMatchObject({ state: 'open', since: T0 })
    expect(alert!.openedAt - T0).toBeLessThan(H)
    expect(summary(gw.sent)[0]).toBe(`tv:${homeId}:checkin:inactivity`)
  })

  it('a per-home threshold override set by staff wins over the learned model', async () => {
    const { gw, time, homeId, moveAbout } = await setup()
    expect((await gw.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, { inactivityThresholdMs: 2 * H, quietHours: null, by: 'clerk-1' })).status).toBe(200)
    await moveAbout()
    time.advance(2 * H - 1000)
    expect(gw.sent).toEqual([])
    time.advance(1000)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])
  })
})
