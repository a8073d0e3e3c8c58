// A grid worker closes an alert from a phone (390×844, touch) in real headless Chromium: a real sensor
// over MQTT goes quiet past the home's threshold (fake scheduler, so half an hour passes at once), the
// alert opens, the grid worker taps it, acknowledges (我去处理), records the visit outcome and a note,
// and closes it. The admin API must show who acknowledged, then the outcome and note.
import type { MqttClient } from 'mqtt'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createUser } from '../../helpers/console-session.ts'
import { describeWithChromium, launchChromium, type Tv } from '../../helpers/chromium.ts'
import { FakeTime } from '../../helpers/fake-time.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { risingEdges } from '../../gateway/alerts/alert-gateway.ts'
import { PHONE, expectLabelledControls, openConsole, problemsOf, signInUi } from './console-fixture.ts'
import { shot } from './screenshots.ts'

const MIN = 60_000
/** WCAG 2.5.5 target size (44 CSS px): a grid worker taps these outdoors, often with one thumb. */
const TOUCH = 44

interface AdminAlert { id: string, state: string, acknowledgedBy: string | null, outcome: string | null, note: string | null, resolvedBy: string | null }

describeWithChromium('console: a grid worker acknowledges and closes an alert on a phone', () => {
  const time = new FakeTime(Date.now())
  let gw: TestGateway
  let tv: Tv
  let sensor: MqttClient | undefined
  let worker: { id: string, username: string, password: string }
  let homeId: string
  let alertId: string

  beforeAll(async () => {
    gw = await startGateway({}, { timers: time })
    const place = await seedHome(gw)
    homeId = place.homeId
    worker = await createUser(gw, { role: 'grid_worker', scope: { gridIds: [place.gridId] }, displayName: '陈网格员' })
    // The shortest threshold a clerk may set, and no quiet hours: the alert opens at a known instant.
    const set = await gw.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, { inactivityThresholdMs: 30 * MIN, quietHours: null, by: 'clerk-1' })
    expect(set.status).toBe(200)
    const creds = await addDevice(gw, homeId)
    sensor = await connectDevice(gw.urls.mqtt, creds)
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) === time.now(), 5000, 'motion to reach the alert engine')
    time.advance(30 * MIN + 1000)
    const open = await waitFor(async () => {
      time.advance(0)
      const res = await gw.api<AdminAlert[]>('GET', `/api/v1/alerts?homeId=${homeId}&state=open`)
      return res.body[0]
    }, 15_000, 'the inactivity alert to open')
    alertId = open.id
    tv = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await sensor?.endAsync(true)
    await tv?.close()
    await gw?.stop()
  })

  async function expectTouchTarget (page: Page, selector: string): Promise<void> {
    const box = await page.locator(selector).boundingBox()
    expect(box, selector).not.toBeNull()
    expect(box!.height, `${selector} height`).toBeGreaterThanOrEqual(TOUCH)
    expect(box!.width, `${selector} width`).toBeGreaterThanOrEqual(TOUCH)
  }

  const adminAlert = async (): Promise<AdminAlert> => (await gw.api<AdminAlert>('GET', `/api/v1/alerts/${alertId}`)).body

  it('taps the alert, acknowledges, resolves with an outcome and a note', async () => {
    const { page, context } = await openConsole(tv.browser, gw.urls.http, PHONE)
    await signInUi(page, worker.username, worker.password)
    // Alerts are a grid worker's first page; the list fits the phone without sideways scrolling.
    await page.waitForSelector(`[data-alert="${alertId}"]`)
    // The menu folds away on a phone and opens with one tap; a grid worker sees only their pages.
    expect(await page.isVisible('nav#nav')).toBe(false)
    await page.tap('.menu-toggle')
    expect(await page.isVisible('nav#nav')).toBe(true)
    expect(await page.$$eval('[data-nav]', (els) => els.map((e) => e.getAttribute('data-nav')))).toEqual(['alerts', 'homes', 'devices'])
    await page.tap('.menu-toggle')
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await page.tap(`[data-alert="${alertId}"]`)
    await page.waitForSelector('[data-alert-state="open"]')
    await expectTouchTarget(page, '[data-action="ack"]')
    await expectTouchTarget(page, '[data-action="resolve"]')
    await expectLabelledControls(page, 'the alert detail')

    await page.tap('[data-action="ack"]')
    await page.waitForSelector('[data-alert-state="acknowledged"]')
    const acked = await adminAlert()
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: `user:${worker.id}` })
    // The timeline shows the answer too: everyone sees who took it.
    expect(await page.textContent('.timeline')).toContain('已确认')

    await page.getByLabel('处理结果').selectOption('helped_at_home')
    await page.getByLabel('情况说明').fill('上门查看，老人摔倒在厨房，已扶起，无外伤，已通知家属')
    await shot(page, 'console-alert-detail-phone')
    await page.tap('[data-action="resolve"]')
    await page.waitForSelector('[data-alert-state="resolved"]')
    expect(await page.textContent('.facts')).toContain('上门帮助')
    const resolved = await adminAlert()
    expect(resolved).toMatchObject({
      state: 'resolved', outcome: 'helped_at_home', note: '上门查看，老人摔倒在厨房，已扶起，无外伤，已通知家属', resolvedBy: `user:${worker.id}`
    })
    expect(problemsOf(page)).toEqual([])
    await context.close()
  })
})
