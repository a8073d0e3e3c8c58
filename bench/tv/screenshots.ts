/// <reference lib="dom" />
// `npm run screenshots`: PNGs of the TV app at 1280×720 and 1920×1080 for the docs, taken in real headless
// Chromium against a real gateway with the demo content and a paired household screen:
// docs/screenshots/tv-<screen>-<w>x<h>.png for home, party, finance-detail (with the correction mark),
// safety, care, the check-in takeover, the emergency broadcast and pairing. Every screen is reached with
// the remote (keyboard) only. The check-in is driven as in production — motion over MQTT, then silence
// past the home's threshold — on a fake scheduler so the half hour passes at once.
import { mkdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { connectDevice, waitFor } from '../../test/helpers/mqtt-client.ts'
import { FakeTime } from '../../test/helpers/fake-time.ts'
import { addDevice } from '../../test/helpers/start-gateway.ts'
import { SIZES, type Size } from '../../test/helpers/chromium.ts'
import { openScreen, startBench } from './bench-setup.ts'
import { backHome, focusOn, key, openTile, waitScreen } from './walk.ts'

const MIN = 60_000
const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
const written: string[] = []

async function shot (page: Page, size: Size, name: string): Promise<void> {
  const { width, height } = SIZES[size]
  const path = `${OUT}tv-${name}-${width}x${height}.png`
  // Let fonts and the last frame settle; the caret of a focused element never blinks here (no inputs).
  await page.evaluate(() => document.fonts.ready.then(() => undefined))
  await page.screenshot({ path, type: 'png', animations: 'disabled' })
  written.push(`${path.slice(OUT.length)} ${(statSync(path).size / 1024).toFixed(0)} KB`)
}

async function main (): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  // The gateway's clock starts just over the check-in threshold in the past, so that when the check-in
  // fires its countdown and the broadcast's time read right on the screens' (real) clocks.
  const time = new FakeTime(Date.now() - 31 * MIN)
  // The sensor replays this morning's motion with its own timestamps (allowed up to a day old here).
  const b = await startBench({ timers: time }, { ingest: { maxClockSkewMs: 86_400_000 } })
  try {
    const gw = b.gw
    // A monitored home with a morning of activity: the care screen's status and timeline have something
    // to show, and the check-in below has a last activity to count from.
    await gw.api('PUT', `/api/v1/homes/${b.homeId}/alert-settings`, { inactivityThresholdMs: 30 * MIN, quietHours: null, by: 'screenshots' })
    const creds = await addDevice(gw, b.homeId)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    const edges = async (ts?: number): Promise<void> => {
      for (let i = 0; i < 2; i++) {
        const at = ts === undefined ? {} : { ts: ts + i * MIN }
        await sensor.publishAsync(`anju/v1/dev/${creds.id}/motion`, JSON.stringify({ motion: false, ...at }), { qos: 1 })
        await sensor.publishAsync(`anju/v1/dev/${creds.id}/motion`, JSON.stringify({ motion: true, ...at }), { qos: 1 })
      }
    }
    const chinaMidnight = Math.floor((time.now() + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000
    for (let at = chinaMidnight + 6.5 * 3_600_000; at < time.now() - 20 * MIN; at += 50 * MIN) await edges(at)
    await edges()
    await waitFor(() => gw.alerts.lastActivity(b.homeId) === time.now(), 5000, 'motion')

    const sizes: Size[] = ['720p', '1080p']
    const screens = new Map<Size, Page>()
    for (const size of sizes) screens.set(size, (await openScreen(b, { size })).page)

    for (const [size, page] of screens) {
      await backHome(page)
      await page.waitForSelector('[data-focus^="home-n-"]', { timeout: 15_000 })
      await shot(page, size, 'home')
      await openTile(page, 'party')
      await shot(page, size, 'party')
      await backHome(page)
      await openTile(page, 'finance')
      await focusOn(page, '[data-focus^="st-"]:has(.corrected)')
      await key(page, 'ok')
      await waitScreen(page, 'finance-detail')
      await page.waitForSelector('[data-correction]', { timeout: 15_000 })
      await focusOn(page, '[data-correction]')
      await shot(page, size, 'finance-detail')
      await backHome(page)
      await openTile(page, 'safety')
      await shot(page, size, 'safety')
      await backHome(page)
      await openTile(page, 'care')
      await shot(page, size, 'care')
      await backHome(page)
    }

    // The check-in: silence past the shortest threshold a clerk may set (set above).
    time.advance(30 * MIN + 1000)
    for (const [size, page] of screens) {
      await waitFor(async () => { time.advance(0); return await page.isVisible('#takeover[data-kind="checkin"]') }, 20_000, 'the check-in')
      await shot(page, size, 'checkin')
    }
    const answering = screens.get('720p') as Page
    const answered = answering.waitForResponse((r) => r.url().endsWith('/tv/api/checkin'), { timeout: 15_000 })
    await key(answering, 'ok')
    await answered
    // "已报平安,谢谢!" on the screen that answered, until OK or a few seconds.
    if (await answering.isVisible('#takeover')) await key(answering, 'ok')
    // The answer reaches the other screen of the home through the outbox, on the fake scheduler: turn it.
    for (const page of screens.values()) await waitFor(async () => { time.advance(0); return await page.isHidden('#takeover') }, 15_000, 'the check-in to end')
    await sensor.endAsync(true)

    const created = await b.gw.api<{ id: string }>('POST', '/api/v1/content/broadcasts', {
      villageId: b.villageId, kind: 'typhoon', title: '台风“梅花”紧急转移通知', body: '受台风“梅花”影响,今晚至明天有大暴雨。请低洼地区和危旧房屋的村民立即到村委会避灾点集中,网格员将逐户确认。', endsAt: null, confirm: true, by: 'screenshots'
    })
    if (created.status !== 201) throw new Error(`broadcast: ${created.status} ${JSON.stringify(created.body)}`)
    for (const [size, page] of screens) {
      await page.waitForFunction(() => {
        const t = document.querySelector('#takeover')
        return t !== null && !t.hasAttribute('hidden') && t.getAttribute('data-kind') === 'broadcast' && (t.textContent ?? '').includes('梅花')
      }, undefined, { timeout: 15_000 })
      await shot(page, size, 'broadcast')
    }
    await b.gw.api('POST', `/api/v1/content/broadcasts/${created.body.id}/end`, { confirm: true, by: 'screenshots' })

    for (const size of sizes) {
      const { page } = await openScreen(b, { size, pair: 'none' })
      await waitScreen(page, 'home')
      await focusOn(page, '[data-action="pair"]')
      await key(page, 'ok')
      await page.waitForFunction(() => /^\d{6}$/.test((document.querySelector('#pair-code')?.textContent ?? '').replace(/\D/g, '')), undefined, { timeout: 15_000 })
      await shot(page, size, 'pairing')
    }
  } finally {
    await b.close()
  }
  console.log(`wrote ${written.length} screenshots to docs/screenshots/:\n  ${written.join('\n  ')}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
