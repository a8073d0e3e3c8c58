// A notice with a picture, as a clerk makes it and a villager sees it, in real headless Chromium: the
// clerk picks a PNG in the notice form (uploaded at once, previewed), writes its caption and publishes;
// an unpaired village screen opens the notice and the picture has decoded, with the caption under it.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createUser } from '../../helpers/console-session.ts'
import { describeWithChromium, waitForScreen } from '../../helpers/chromium.ts'
import { png } from '../../helpers/images.ts'
import { moveTo, openTv, startTvFixture, step, type TvFixture } from '../tv/tv-fixture.ts'
import { openConsole, problemsOf, signInUi } from './console-fixture.ts'

describeWithChromium('console → TV: a notice with an uploaded image', () => {
  let fx: TvFixture

  beforeAll(async () => { fx = await startTvFixture() }, 60_000)
  afterAll(async () => { await fx?.close() })

  it('the clerk uploads and captions a PNG; the village screen shows it', async () => {
    const clerk = await createUser(fx.gw, { role: 'clerk', scope: { villageIds: [fx.villageId] }, displayName: '村文书' })
    const { page, context } = await openConsole(fx.browser, fx.gw.urls.http)
    await signInUi(page, clerk.username, clerk.password)
    await page.click('[data-nav="notices"]')
    await page.waitForSelector('h2:has-text("会议日程")')

    await page.getByLabel('添加图片').setInputFiles({ name: '支部活动.png', mimeType: 'image/png', buffer: png(40, 30, [180, 20, 20]) })
    const preview = await page.waitForSelector('img[src^="/media/"]')
    await page.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 40, preview)
    await page.getByLabel('标题').fill('七月主题党日活动回顾')
    await page.getByLabel('正文').fill('全体党员在村文化礼堂重温入党誓词。')
    await page.getByRole('button', { name: '发布' }).click()
    // The caption is required: the form does not go without it.
    expect(await page.$eval('input[required][maxlength="200"]:invalid', (el) => el.id)).toBeTruthy()
    await page.getByLabel('图片 1 说明（电视上显示的文字）').fill('党员重温入党誓词')
    await page.getByRole('button', { name: '发布' }).click()
    await page.waitForSelector('.ok:has-text("公告已保存")')
    expect(await page.$('img[src^="/media/"]')).toBeNull()
    expect(problemsOf(page)).toEqual([])
    await context.close()

    const notice = fx.gw.content.notices.list(fx.villageId).find((n) => n.title === '七月主题党日活动回顾')
    expect(notice?.images).toEqual([{ url: expect.stringMatching(/^\/media\/[0-9a-f]{64}\.png$/), caption: '党员重温入党誓词' }])

    const tv = await openTv(fx)
    await tv.page.waitForSelector('[data-tile="party"]')
    await moveTo(tv.page, '[data-tile="party"]')
    await step(tv.page, 'ok')
    await waitForScreen(tv.page, 'party')
    await moveTo(tv.page, `[data-focus="party-n-${notice?.id ?? ''}"]`)
    await step(tv.page, 'ok')
    await waitForScreen(tv.page, 'notice')
    const img = await tv.page.waitForSelector(`figure img[src="${notice?.images[0]?.url ?? ''}"]`)
    await tv.page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 40, img)
    expect(await tv.page.textContent('figcaption')).toBe('党员重温入党誓词')
    await tv.context.close()
  })
})
