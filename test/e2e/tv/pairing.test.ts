// Pairing, privacy and revocation on real screens: a fresh box shows public village content only (nothing
// of any household in its DOM, its stored state or the API answers it gets); it shows a six-digit code;
// a clerk enters that code (admin API, as the console does) and the box shows that household's care
// screen; revoking the screen (DELETE /api/v1/screens/:id) sends it back to public content and pairing,
// and it forgets the household.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithChromium, waitForScreen } from '../../helpers/chromium.ts'
import { addDevice } from '../../helpers/start-gateway.ts'
import { expectOneFocus, moveTo, openTv, pairCode, pairScreen, startTvFixture, step, type TvFixture } from './tv-fixture.ts'

const RESIDENT = '王秀英'
const HOME_LABEL = '山下庄 12号'

/** Everything of the household a box could leak: its DOM text and its localStorage. */
async function leaks (page: Page): Promise<string[]> {
  const text = await page.evaluate(() => document.body.innerText + ' ' + JSON.stringify(localStorage))
  const found = [RESIDENT, HOME_LABEL, '最近活动', '外出模式', '本户提醒'].filter((s) => text.includes(s))
  const household = await page.evaluate(() => {
    const raw = localStorage.getItem('anju.state')
    if (raw === null) return null
    const v = JSON.parse(raw) as { state?: { household?: unknown }, household?: unknown }
    return (v.state ?? v).household ?? null
  })
  if (household !== null) found.push('anju.state.household')
  if (await page.$('#care-status') !== null) found.push('#care-status')
  return found
}

describeWithChromium('TV app: pairing, privacy and revocation', () => {
  let fx: TvFixture
  let context: BrowserContext
  let page: Page
  let screenId: string

  beforeAll(async () => {
    fx = await startTvFixture()
    await fx.gw.api('POST', '/api/v1/residents', { homeId: fx.homeId, name: RESIDENT })
    await addDevice(fx.gw, fx.homeId) // a monitored home: the care screen has a status to show (or leak)
    ;({ context, page } = await openTv(fx))
  }, 60_000)
  afterAll(async () => { await fx?.close() })

  it('an unpaired screen shows public village content and no household data', async () => {
    await waitForScreen(page, 'home')
    await expectOneFocus(page, 'on a fresh screen')
    await page.waitForSelector('[data-focus^="home-n-"]', { timeout: 15_000 }) // the village's notices
    expect(await leaks(page)).toEqual([])
    // The API itself gives a token-less screen nothing of the household.
    const res = await fetch(`${fx.gw.urls.http}/tv/api/state`)
    const state = await res.json() as { household: unknown, screen: { paired: boolean } }
    expect(state).toMatchObject({ household: null, screen: { paired: false } })
    expect(JSON.stringify(state)).not.toContain(HOME_LABEL)
    // Even the care and safety screens.
    for (const tile of ['care', 'safety']) {
      await moveTo(page, `[data-tile="${tile}"]`)
      await step(page, 'ok')
      await waitForScreen(page, tile)
      expect(await leaks(page), tile).toEqual([])
      await step(page, 'back')
      await waitForScreen(page, 'home')
    }
  })

  it('shows a six-digit code; the clerk enters it; the screen then shows that household', async () => {
    const code = await pairCode(page)
    expect(code).toMatch(/^\d{6}$/)
    await waitForScreen(page, 'pairing')
    await expectOneFocus(page, 'on the pairing screen')
    screenId = await pairScreen(fx, page, { homeId: fx.homeId })
    // Household data arrives with the next state; the care screen shows the resident's status.
    await page.waitForFunction(() => document.body.getAttribute('data-screen') !== 'pairing' || document.body.innerText.includes('已绑定'), undefined, { timeout: 15_000 })
    for (let i = 0; i < 4 && await page.evaluate(() => document.body.getAttribute('data-screen')) !== 'home'; i++) await step(page, 'back')
    await waitForScreen(page, 'home')
    await moveTo(page, '[data-tile="care"]')
    await step(page, 'ok')
    await waitForScreen(page, 'care')
    await page.waitForSelector('#care-status', { state: 'visible', timeout: 15_000 })
    expect(await page.textContent('body')).toContain(HOME_LABEL)
    expect(await page.$('[data-action="away"]')).not.toBeNull()
  })

  it('revoked: the screen forgets the household and offers pairing again, by itself', async () => {
    const res = await fx.gw.api('DELETE', `/api/v1/screens/${screenId}?by=clerk-1`)
    expect(res.status).toBe(200)
    // The stream is closed and the next request gets 401: the box drops its token.
    await page.waitForFunction(() => localStorage.getItem('anju.token') === null, undefined, { timeout: 15_000 })
    await page.waitForFunction(() => document.querySelector('#care-status') === null, undefined, { timeout: 15_000 })
    expect(await leaks(page)).toEqual([])
    await expectOneFocus(page, 'after revocation')
    // Pairing again works like the first time (a new code).
    const code = await pairCode(page)
    expect(code).toMatch(/^\d{6}$/)
    await context.close()
  })
})
