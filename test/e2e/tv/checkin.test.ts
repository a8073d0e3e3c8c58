// The check-in, end to end with real parts: a sensor's motion over MQTT, then silence past the home's
// threshold; the alert engine's first rung asks the resident's own TV; the screen is taken over by
// "您还好吗?"; one press of OK resolves the alert as resident_ok in the admin API and the takeover goes
// (after a short thank-you).
// The gateway runs on a fake scheduler (FakeTime, started at the real now so the screen's clock and the
// gateway's agree) so half an hour of silence passes at once; HTTP, SSE, MQTT and Chromium are real.
import type { Page } from 'playwright-core'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { FakeTime } from '../../helpers/fake-time.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { addDevice } from '../../helpers/start-gateway.ts'
import { describeWithChromium, press, waitForScreen } from '../../helpers/chromium.ts'
import { risingEdges } from '../../gateway/alerts/alert-gateway.ts'
import { expectOneFocus, openTv, pairScreen, startTvFixture, type TvFixture } from './tv-fixture.ts'

const MIN = 60_000

describeWithChromium('TV app: the check-in takes over and OK answers it', () => {
  const time = new FakeTime(Date.now())
  let fx: TvFixture
  let page: Page
  let sensor: MqttClient

  beforeAll(async () => {
    // No notification sink given: the real outbox delivers the TV rung, on the same fake scheduler.
    fx = await startTvFixture({ timers: time })
    ;({ page } = await openTv(fx))
    await pairScreen(fx, page, { homeId: fx.homeId })
    await waitForScreen(page, 'home')
  }, 60_000)
  afterAll(async () => {
    await sensor?.endAsync(true)
    await fx?.close()
  })

  it('silence past the threshold → #takeover[data-kind=checkin]; OK → resolved as resident_ok, takeover gone', async () => {
    const { gw, homeId } = fx
    // The shortest threshold a clerk may set, and no quiet hours: the rung fires at a known instant.
    expect((await gw.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, { inactivityThresholdMs: 30 * MIN, quietHours: null, by: 'clerk-1' })).status).toBe(200)
    const creds = await addDevice(gw, homeId)
    sensor = await connectDevice(gw.urls.mqtt, creds)
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) === time.now(), 5000, 'motion to reach the alert engine')
    expect(await page.isVisible('#takeover')).toBe(false)

    time.advance(30 * MIN + 1000)
    // The outbox's delivery timer is on the fake scheduler too: keep it turning while the screen reacts.
    await waitFor(async () => { time.advance(0); return await page.isVisible('#takeover[data-kind="checkin"]') }, 20_000, 'the check-in takeover')
    const takeover = (await page.textContent('#takeover')) ?? ''
    expect(takeover).toContain('您还好吗')
    const [alert] = (await gw.api<Array<{ id: string, state: string, type: string }>>('GET', `/api/v1/alerts?homeId=${homeId}&state=open`)).body
    expect(alert).toMatchObject({ type: 'inactivity', state: 'open' })
    // The takeover owns the remote: focus is on its answer, and it is the only focus.
    await expectOneFocus(page, 'during the check-in')
    expect(await page.evaluate(() => document.querySelector('#takeover')?.contains(document.activeElement) === true)).toBe(true)

    const answered = page.waitForResponse((r) => r.url().endsWith('/tv/api/checkin'), { timeout: 15_000 })
    await press(page, 'ok')
    expect((await answered).status()).toBe(200)
    const resolved = await waitFor(async () => {
      time.advance(0)
      const res = await gw.api<{ state: string, outcome: string | null }>('GET', `/api/v1/alerts/${alert!.id}`)
      return res.body.state === 'resolved' ? res.body : null
    }, 15_000, 'the alert to be resolved')
    expect(resolved).toMatchObject({ state: 'resolved', outcome: 'resident_ok' })
    // The question is gone at once; a short "已报平安,谢谢!" may follow, which OK (or a few seconds) closes.
    // (The page updates when it has read the answer, which a loaded machine may deliver after the alert
    // is already resolved: a few seconds at most.)
    await page.waitForFunction(() => !(document.querySelector('#takeover')?.textContent ?? '').includes('您还好吗'), null, { timeout: 5_000 })
    if (await page.isVisible('#takeover')) {
      expect(await page.textContent('#takeover')).toContain('已报平安')
      await press(page, 'ok')
    }
    await page.waitForSelector('#takeover', { state: 'hidden', timeout: 15_000 })
    await expectOneFocus(page, 'after the check-in')
  })
})
