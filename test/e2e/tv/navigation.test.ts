// Every section with the remote only (arrows, OK, Back), on a household's screen at 1280×720, in real
// headless Chromium against a real gateway with the demo content. After every key press exactly one
// element has focus, on screen, with an outline or shadow it does not have unfocused (step()).
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithChromium, press, screenName, waitForScreen } from '../../helpers/chromium.ts'
import { addDevice } from '../../helpers/start-gateway.ts'
import { expectOneFocus, moveTo, openTv, pairScreen, startTvFixture, step, type TvFixture } from './tv-fixture.ts'

describeWithChromium('TV app: every section by remote', () => {
  let fx: TvFixture
  let page: Page

  beforeAll(async () => {
    fx = await startTvFixture()
    await addDevice(fx.gw, fx.homeId) // a monitored home: the care screen shows status and the away switch
    ;({ page } = await openTv(fx))
    await pairScreen(fx, page, { homeId: fx.homeId })
    await waitForScreen(page, 'home')
    await expectOneFocus(page, 'on the home screen')
  }, 60_000)
  afterAll(async () => { await fx?.close() })

  /** Walk to a home tile and open it. */
  async function openTile (tile: string, screen: string): Promise<void> {
    await waitForScreen(page, 'home')
    await moveTo(page, `[data-tile="${tile}"]`)
    await step(page, 'ok')
    await waitForScreen(page, screen)
  }

  // Each Back spelling a remote sends must walk up one level, not just Escape.
  const BACKS = ['back', 'back461', 'backspace', 'back10009', 'androidBack'] as const
  let backs = 0
  async function back (to: string): Promise<void> {
    await step(page, BACKS[backs++ % BACKS.length] as (typeof BACKS)[number])
    await waitForScreen(page, to)
  }

  it('home shows the date, the lunar date and the clock', async () => {
    for (const id of ['#clock', '#date', '#lunar']) expect((await page.textContent(id))?.trim(), id).not.toBe('')
    expect(await page.textContent('#lunar')).toMatch(/[正二三四五六七八九十冬腊]月|初|廿/)
  })

  it('party: a notice opens, and Back returns to the list, then home', async () => {
    await openTile('party', 'party')
    await moveTo(page, '[data-focus^="party-n-"]')
    const title = (await page.textContent(':focus .grow'))?.trim() ?? ''
    await step(page, 'ok')
    await waitForScreen(page, 'notice')
    expect(await page.textContent('h1')).toContain(title)
    await back('party')
    await back('home')
  })

  it('finance: the corrected statement, its page 2, the correction mark with its reason, then Back', async () => {
    await openTile('finance', 'finance')
    // The list marks a corrected statement too (已更正): a correction never silently replaces.
    await moveTo(page, '[data-focus^="st-"]:has(.corrected)')
    await step(page, 'ok')
    await waitForScreen(page, 'finance-detail')
    await page.waitForFunction(() => /第\s*1\s*\/\s*\d+\s*页/.test(document.querySelector('#page')?.textContent ?? ''), undefined, { timeout: 15_000 })
    const firstPage = await page.textContent('.finance-detail')
    // The pager is reached with the arrows like everything else.
    await moveTo(page, '[data-focus="page-next"]', undefined, 80)
    await step(page, 'ok')
    await page.waitForFunction(() => /第\s*2\s*\/\s*\d+\s*页/.test(document.querySelector('#page')?.textContent ?? ''), undefined, { timeout: 15_000 })
    expect(await page.textContent('.finance-detail')).not.toBe(firstPage)
    await moveTo(page, '[data-correction]', undefined, 80)
    const mark = (await page.textContent('[data-correction]')) ?? ''
    expect(mark).toContain('已更正')
    expect(mark).toMatch(/更正原因.{2,}/)
    await back('finance')
    await back('home')
  })

  it('safety and care open and Back returns home', async () => {
    await openTile('safety', 'safety')
    await back('home')
    await openTile('care', 'care')
    // The household's own screen: the resident's status and the away switch are here.
    await page.waitForSelector('#care-status', { state: 'visible', timeout: 15_000 })
    expect(await page.$('[data-action="away"]')).not.toBeNull()
    await back('home')
  })

  it('Back on home, in every spelling a remote sends, does nothing harmful', async () => {
    await waitForScreen(page, 'home')
    const url = page.url()
    for (const key of ['back', 'backspace', 'back461', 'back10009', 'androidBack'] as const) {
      await press(page, key)
      await expectOneFocus(page, `after ${key} on home`)
      expect(await screenName(page)).toBe('home')
      expect(page.url()).toBe(url)
    }
  })

  it('at 1920×1080 too: every tile opens and Back returns, one visible focus throughout', async () => {
    // The same box's token, on a 1080p screen (a second set-top box of the household, say).
    const token = await page.evaluate(() => localStorage.getItem('anju.token'))
    const { page: big } = await openTv(fx, 'poll=2000', { size: '1080p', storage: { 'anju.token': token ?? '' } })
    await waitForScreen(big, 'home')
    await expectOneFocus(big, 'on the 1080p home screen')
    for (const tile of ['party', 'finance', 'safety', 'care']) {
      await moveTo(big, `[data-tile="${tile}"]`)
      await step(big, 'ok')
      await waitForScreen(big, tile)
      await step(big, 'down')
      await step(big, 'back')
      await waitForScreen(big, 'home')
    }
  })
})
