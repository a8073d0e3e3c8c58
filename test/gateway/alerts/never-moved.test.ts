// A resident who falls before the gateway has ever seen them move (a new install, a gateway started with
// no telemetry history) must still be alerted: the inactivity clock runs from when watching began.
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert } from '../../../src/alerts.ts'
import { FakeTime } from '../../helpers/fake-time.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { startAlertGateway, summary, type AlertGateway } from './alert-gateway.ts'

const H = 3_600_000
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: the 3-hour cold-start day threshold

let gw: AlertGateway | undefined
afterEach(async () => { await gw?.stop(); gw = undefined })

describe('a home with no activity ever seen', () => {
  it('is alerted one threshold after its first sensor came online, without inventing a last activity', async () => {
    const time = new FakeTime(T0)
    gw = await startAlertGateway(time)
    const { homeId } = await seedHome(gw)
    const device = await addDevice(gw, homeId)
    const sensor = await connectDevice(gw.urls.mqtt, device)
    await waitFor(async () => (await gw?.api<{ online: boolean | null }>('GET', `/api/v1/devices/${device.id}`))?.body.online === true, 5000, 'the sensor reported online')
    time.advance(3 * H - 1000)
    expect(summary(gw.sent)).toEqual([])
    time.advance(1000)
    const [alert] = (await gw.api<Alert[]>('GET', `/api/v1/alerts?homeId=${homeId}&type=inactivity`)).body
    expect(alert).toMatchObject({ state: 'open', rung: 0, since: T0 })
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])
    // The TV and the console still say "no activity yet", not "last active at 09:42".
    expect(gw.alerts.lastActivity(homeId)).toBeNull()
    await sensor.endAsync(true)
  })

  it('is alerted after a restart too: the clock runs from the engine start when telemetry has no activity', async () => {
    const time = new FakeTime(T0)
    gw = await startAlertGateway(time)
    const { homeId } = await seedHome(gw)
    await addDevice(gw, homeId) // registered, never connected, never moved
    const dataDir = gw.dataDir
    await gw.stop({ keepDir: true })
    time.advance(H)
    gw = await startAlertGateway(time, dataDir)
    time.advance(3 * H)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])
  })
})
