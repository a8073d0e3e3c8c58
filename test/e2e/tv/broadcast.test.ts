// A village emergency broadcast, published through the admin content API, takes over every screen of
// the village — a household's own screen and an unpaired public one alike — and leaves them when it ends.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithChromium, waitForScreen } from '../../helpers/chromium.ts'
import { expectOneFocus, openTv, pairScreen, startTvFixture, type TvFixture } from './tv-fixture.ts'

describeWithChromium('TV app: emergency broadcast takes over every screen', () => {
  let fx: TvFixture
  let paired: Page
  let unpaired: Page

  beforeAll(async () => {
    fx = await startTvFixture()
    ;({ page: paired } = await openTv(fx))
    await pairScreen(fx, paired, { homeId: fx.homeId })
    ;({ page: unpaired } = await openTv(fx))
    await waitForScreen(unpaired, 'home')
  }, 60_000)
  afterAll(async () => { await fx?.close() })

  it('shows #takeover[data-kind=broadcast] on a paired and an unpaired screen, and ends on both', async () => {
    const created = await fx.gw.api<{ id: string }>('POST', '/api/v1/content/broadcasts', {
      villageId: fx.villageId, kind: 'typhoon', title: '台风“梅花”紧急转移通知', body: '请低洼地区村民立即到村委会避灾点集中。', endsAt: null, confirm: true, by: 'clerk-1'
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    for (const page of [paired, unpaired]) {
      await page.waitForSelector('#takeover[data-kind="broadcast"]', { state: 'visible', timeout: 15_000 })
      expect(await page.textContent('#takeover')).toContain('台风“梅花”紧急转移通知')
      await expectOneFocus(page, 'during the broadcast')
    }
    const ended = await fx.gw.api('POST', `/api/v1/content/broadcasts/${created.body.id}/end`, { confirm: true, by: 'clerk-1' })
    expect(ended.status, JSON.stringify(ended.body)).toBeLessThan(300)
    for (const page of [paired, unpaired]) {
      await page.waitForSelector('#takeover', { state: 'hidden', timeout: 15_000 })
      await expectOneFocus(page, 'after the broadcast')
    }
  })
})
