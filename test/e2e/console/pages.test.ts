// Every console page as an admin on a PC, in real headless Chromium against a real gateway with the demo
// village: each page loads its data without an error message or a script/CSP error, every control has
// a label, and the actions that are only safe with a second step work as a person would do them —
// a device's secret shown once with its QR code, and an emergency broadcast confirmed by typing the
// village's name.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { seedDemoContent } from '../../../gateway/content/demo-content.ts'
import { createUser } from '../../helpers/console-session.ts'
import { describeWithChromium, launchChromium, type Tv } from '../../helpers/chromium.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { expectLabelledControls, openConsole, problemsOf, signInUi } from './console-fixture.ts'
import { shot } from './screenshots.ts'

describeWithChromium('console: every page for an admin', () => {
  let gw: TestGateway
  let tv: Tv
  let page: Page
  let villageId: string
  let homeId: string

  beforeAll(async () => {
    gw = await startGateway()
    ;({ villageId, homeId } = await seedHome(gw))
    await seedDemoContent(gw, villageId)
    const admin = await createUser(gw, { role: 'admin', displayName: '管理员' })
    tv = await launchChromium()
    ;({ page } = await openConsole(tv.browser, gw.urls.http))
    await signInUi(page, admin.username, admin.password)
  }, 60_000)
  afterAll(async () => {
    await tv?.close()
    await gw?.stop()
  })

  async function visit (nav: string, ready: string): Promise<void> {
    await page.click(`[data-nav="${nav}"]`)
    await page.waitForSelector(`main[data-page="${nav}"]`)
    await page.waitForSelector(ready, { timeout: 15_000 })
    // Loading done: no "加载中" left, and no error message.
    await page.waitForFunction(() => !document.body.textContent?.includes('加载中'), undefined, { timeout: 15_000 })
    expect(await page.$$eval('.error', (els) => els.map((e) => e.textContent)), `errors on ${nav}`).toEqual([])
    await expectLabelledControls(page, nav)
    expect(problemsOf(page), `script errors on ${nav}`).toEqual([])
  }

  it('the navigation shows all eight sections to an admin', async () => {
    expect(await page.$$eval('[data-nav]', (els) => els.map((e) => e.textContent))).toEqual(['告警', '住户', '设备', '电视', '公告', '紧急广播', '财务公开', '用户'])
  })

  it('住户: the demo home opens with its contacts', async () => {
    await visit('homes', 'text=山下庄 12号')
    await page.click('text=山下庄 12号')
    await page.waitForSelector('h2:has-text("联系人")')
    await expectLabelledControls(page, 'a home')
    // Two family contacts, then the second is moved first in the escalation order.
    for (const [name, phone] of [['王大儿子', '13800000001'], ['王小女儿', '13800000002']] as const) {
      await page.getByLabel('家属姓名').fill(name)
      await page.getByLabel('手机号').fill(phone)
      await page.getByRole('button', { name: '添加联系人' }).click()
      await page.waitForSelector(`[data-contact="${name}"]`, { timeout: 10_000 })
    }
    await page.getByRole('button', { name: '将王小女儿提前' }).click()
    await page.waitForFunction(() => document.querySelector('.contacts li')?.getAttribute('data-contact') === '王小女儿', undefined, { timeout: 10_000 })
    const family = await gw.api<Array<{ name: string, priority: number }>>('GET', `/api/v1/contacts?homeId=${homeId}`)
    expect([...family.body].sort((a, b) => a.priority - b.priority).map((c) => c.name)).toEqual(['王小女儿', '王大儿子'])
  })

  it('设备: registering shows the secret once with a QR code', async () => {
    await visit('devices', 'h2:has-text("登记设备")')
    await page.getByLabel('位置（如 卧室）').fill('卧室')
    await page.getByRole('button', { name: '登记', exact: true }).click()
    await page.waitForSelector('[data-secret]')
    expect(((await page.textContent('[data-secret]')) ?? '').length).toBeGreaterThanOrEqual(40)
    await page.waitForSelector('img.qr')
    expect(await page.$eval('img.qr', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
    await page.waitForSelector('[data-device]')
    await shot(page, 'console-devices-pc')
    await page.getByRole('button', { name: '我已记下，隐藏密钥' }).click()
    expect(await page.$('[data-secret]')).toBeNull()
  })

  it('电视, 公告, 财务公开, 用户 load', async () => {
    await visit('screens', 'h2:has-text("已配对的电视")')
    await visit('notices', 'h2:has-text("会议日程")')
    await visit('finance', 'tr[data-statement]')
    // The demo's published statements verify (hash chain intact).
    await page.click('[data-action="verify-chain"]')
    await page.waitForSelector('[data-chain="ok"]')
    // The demo's corrected statement shows what its correction changed.
    await page.click('tr[data-statement]:has-text("第2版") a')
    await page.waitForSelector('h2:has-text("本次更正改动")')
    await page.waitForSelector('h2:has-text("分科目合计")')
    await page.click('[data-nav="finance"]')
    await visit('users', 'h2:has-text("新建用户")')
    // A new account's one-time password is shown once; its owner must change it at first sign-in.
    await page.getByLabel('用户名').fill('wang-family')
    await page.getByLabel('姓名').fill('王家属')
    await page.getByLabel('角色').selectOption('family')
    await page.getByLabel('住户 ID（家属）').fill(homeId)
    await page.getByRole('button', { name: '建立账号' }).click()
    await page.waitForSelector('text=一次性密码')
    await page.waitForSelector('td:has-text("wang-family")')
    await visit('alerts', 'text=没有告警')
  })

  it('紧急广播: nothing is sent until the village name is typed and confirmed', async () => {
    await visit('broadcast', 'h2:has-text("发出紧急广播")')
    await page.getByLabel('标题').fill('台风“海葵”将于今晚登陆')
    await page.getByLabel('内容').fill('请关好门窗，不要外出。独居老人由网格员上门查看。')
    await page.getByRole('button', { name: '发出广播…' }).click()
    await page.waitForSelector('[role="alertdialog"]')
    const before = await gw.api<Array<{ active: boolean }>>('GET', `/api/v1/content/broadcasts?villageId=${villageId}`)
    expect(before.body.filter((b) => b.active)).toEqual([])
    await page.getByLabel('输入村名确认').fill('山下庄村')
    await page.click('[data-action="broadcast-confirm"]')
    await page.waitForSelector('text=紧急广播已发出')
    const after = await gw.api<Array<{ active: boolean, title: string }>>('GET', `/api/v1/content/broadcasts?villageId=${villageId}`)
    expect(after.body.filter((b) => b.active).map((b) => b.title)).toEqual(['台风“海葵”将于今晚登陆'])
  })

  it('signing out returns to the login page, and a reload stays signed out', async () => {
    await page.getByRole('button', { name: '退出' }).click()
    await page.waitForSelector('#login-title')
    await page.reload()
    await page.waitForSelector('#login-title')
    expect(await page.$('nav#nav')).toBeNull()
  })
})
