// Offline, then recovery, on a real screen: the network drops (Chromium's offline emulation), the last
// content stays with "更新于 …"; two days pass on the page's clock (Playwright's fake clock, installed
// before the app loads) and the screen still shows content and the right time; the network returns and
// the screen recovers by itself with what was published meanwhile — no reload, no key press.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { waitFor } from '../../helpers/mqtt-client.ts'
import { describeWithChromium, waitForScreen } from '../../helpers/chromium.ts'
import { expectOneFocus, openTv, pairScreen, startTvFixture, type TvFixture } from './tv-fixture.ts'

const H = 3_600_000

describeWithChromium('TV app: offline for two days, then back', () => {
  let fx: TvFixture
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    fx = await startTvFixture()
    // A 2 s poll (?poll=) so the outage is noticed without waiting a minute of fake time.
    ;({ context, page } = await openTv(fx, 'poll=2000', { clock: true }))
    await pairScreen(fx, page, { homeId: fx.homeId })
    for (let i = 0; i < 4 && await page.evaluate(() => document.body.getAttribute('data-screen')) !== 'home'; i++) await page.keyboard.press('Escape')
    await waitForScreen(page, 'home')
    // The household's own state (its grid's notices too) is on screen, not just the public one.
    await page.waitForFunction(() => {
      const raw = localStorage.getItem('anju.state')
      return raw !== null && (JSON.parse(raw) as { state?: { household?: unknown } }).state?.household != null
    }, undefined, { timeout: 15_000 })
    await page.waitForSelector('[data-focus^="home-n-"]', { timeout: 15_000 })
  }, 60_000)
  afterAll(async () => { await fx?.close() })

  const notices = async (): Promise<string[]> => await page.$$eval('[data-focus^="home-n-"]', (els) => els.map((e) => (e.textContent ?? '').trim()))
  const updatedAt = async (): Promise<string> => ((await page.textContent('#updated-at')) ?? '').trim()

  it('keeps the last content with 更新于 while offline, for 48 h and more', async () => {
    const before = await notices()
    expect(before.length).toBeGreaterThan(0)
    expect(await updatedAt()).not.toContain('更新于')
    await context.setOffline(true)
    // The next polls fail; the fake clock runs at real speed until told otherwise.
    await page.clock.runFor(10_000)
    await page.waitForFunction(() => (document.querySelector('#updated-at')?.textContent ?? '').includes('更新于'), undefined, { timeout: 15_000 })
    expect(await notices()).toEqual(before)

    const clockBefore = await page.evaluate(() => Date.now())
    const dateBefore = (await page.textContent('#date')) ?? ''
    // 49 hours in hourly jumps: every hour's timers (clock, polls, reconnects) fire once, as on a box left on.
    for (let h = 0; h < 49; h++) await page.clock.fastForward(H)
    await page.clock.runFor(2000)
    expect(await page.evaluate(() => Date.now()) - clockBefore).toBeGreaterThanOrEqual(48 * H)
    expect((await page.textContent('#date')) ?? '', 'the date moved on two days').not.toBe(dateBefore)
    // Still the same notices, but for those whose own end time has passed meanwhile (the grid's
    // two-day water notice): the screen keeps counting time while offline.
    const stillValid = await page.evaluate((titles) => {
      const cached = JSON.parse(localStorage.getItem('anju.state') ?? '{}') as { state?: { notices: Array<{ title: string, endsAt: number | null }> } }
      const now = Date.now()
      return titles.filter((t) => !(cached.state?.notices ?? []).some((n) => t.includes(n.title) && n.endsAt !== null && n.endsAt <= now))
    }, before)
    expect(stillValid.length).toBeGreaterThan(0)
    expect(await notices(), 'content still on screen').toEqual(expect.arrayContaining(stillValid))
    expect(await updatedAt()).toContain('更新于')
    expect(await page.evaluate(() => document.body.innerText.trim().length)).toBeGreaterThan(50)
    await expectOneFocus(page, 'after two days offline')
  })

  it('recovers by itself when the network returns, with what was published meanwhile', async () => {
    const published = await fx.gw.api<{ id: string }>('POST', '/api/v1/content/notices', {
      villageId: fx.villageId, category: 'general', title: '停电检修通知（网络恢复后可见）', body: '本周六上午停电检修。', priority: 'high', by: 'clerk-1'
    })
    expect(published.status, JSON.stringify(published.body)).toBe(201)
    await context.setOffline(false)
    // No key press, no reload: the app's own retry (on its clock) brings it back.
    await waitFor(async () => {
      await page.clock.runFor(5000)
      return !(await updatedAt()).includes('更新于') && (await notices()).some((t) => t.includes('停电检修通知'))
    }, 30_000, 'the screen to recover with the new notice')
    await expectOneFocus(page, 'after recovery')
  })
})
