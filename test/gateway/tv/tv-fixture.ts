// A village with two homes on one grid, a sensor in home A and fake time for the alert engine: the
// setting of the TV API tests. `silence(ms)` lets time pass without motion (3 h at 09:42 opens an
// inactivity alert at the TV rung, as in test/gateway/alerts/).
import type { MqttClient } from 'mqtt'
import type { NoticeInput } from '../../../src/content/content-schemas.ts'
import { FakeTime } from '../../helpers/fake-time.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { risingEdges, startAlertGateway, type AlertGateway } from '../alerts/alert-gateway.ts'

export const MIN = 60_000
export const H = 60 * MIN
/** 09:42 in the village (UTC+8): the cold-start daytime inactivity threshold is 3 h. */
export const T0 = Date.UTC(2024, 4, 1, 1, 42)

export interface TvFixture {
  gw: AlertGateway
  time: FakeTime
  villageId: string
  gridId: string
  homeA: string
  homeB: string
  sensor: MqttClient
  sensorId: string
  /** Motion in home A now (two rising edges: counted activity). */
  motion(): Promise<void>
  /** Let `ms` pass without motion. */
  silence(ms: number): void
  close(): Promise<void>
}

export async function tvFixture (options: { realOutbox?: boolean } = {}): Promise<TvFixture> {
  const time = new FakeTime(T0)
  const gw = await startAlertGateway(time, undefined, { realOutbox: options.realOutbox })
  const { villageId, gridId, homeId: homeA } = await seedHome(gw)
  const b = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId, label: '山下庄 14号' })
  await gw.api('POST', '/api/v1/residents', { homeId: homeA, name: '王秀英' })
  const creds = await addDevice(gw, homeA)
  const sensor = await connectDevice(gw.urls.mqtt, creds)
  const motion = async (): Promise<void> => {
    const at = time.now()
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeA) === at, 5000, 'motion to reach the alert engine')
    await gw.telemetry.flush()
  }
  await motion()
  return {
    gw, time, villageId, gridId, homeA, homeB: b.body.id, sensor, sensorId: creds.id, motion,
    silence: (ms) => { time.advance(ms) },
    close: async () => { await sensor.endAsync(true); await gw.stop() }
  }
}

/** A village-wide notice, displayed now. */
export function addNotice (gw: AlertGateway, villageId: string, title: string): string {
  const input = { villageId, category: 'safety', title, body: '注意防范。', images: [], priority: 'normal', by: 'clerk-1' } as NoticeInput
  return gw.content.notices.create(input).id
}
