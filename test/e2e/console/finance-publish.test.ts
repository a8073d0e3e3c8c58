// Finance disclosure end to end in real headless Chromium against a real gateway: a clerk signs in
// (changing their one-time password first), creates a statement, imports a ledger CSV — a bad file
// first, whose errors appear next to the offending rows — and submits; a reviewer signs in and approves;
// then a village TV (unpaired: the village's public content) shows it under 财务公开, reached by remote.
// Also: the exports of a published statement, and a reviewer's return with the reason the clerk sees.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createUser, signIn } from '../../helpers/console-session.ts'
import { describeWithChromium, launchChromium, newScreen, waitForScreen, type Tv } from '../../helpers/chromium.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { moveTo, step } from '../tv/tv-fixture.ts'
import { expectLabelledControls, openConsole, problemsOf, signInUi } from './console-fixture.ts'
import { shot } from './screenshots.ts'

const HEADER = '日期,凭证号,科目代码,科目名称,摘要,收入,支出,经办人,审批人'
const GOOD = [HEADER,
  '2026-10-08,记-001,501,经营收入,村集体厂房租金,"12,000.00",,王会计,李书记',
  '2026-10-15,记-002,541,管理费用,村委会办公用品,,356.50,王会计,李书记',
  '2026-10-28,记-003,531,公益支出,村道路灯维修,,1800,王会计,李书记'].join('\r\n') + '\r\n'
// Row 3 has a date outside October and row 4 both income and expense: two rows, two reasons.
const BAD = [HEADER,
  '2026-10-08,记-001,501,经营收入,村集体厂房租金,12000,,王会计,李书记',
  '2026-11-02,记-002,541,管理费用,办公用品,,356.50,王会计,李书记',
  '2026-10-28,记-003,531,公益支出,路灯维修,100,1800,王会计,李书记'].join('\r\n') + '\r\n'
const TITLE = '2026年10月村级财务收支公开'
const NEW_PASSWORD = 'Neue-Passwort-2026!'

describeWithChromium('console: a finance statement from the clerk\'s PC to the village TV', () => {
  let gw: TestGateway
  let tv: Tv
  let villageId: string
  let clerk: { username: string, password: string }
  let reviewer: { username: string, password: string }
  /** The clerk after the forced change of the one-time password. */
  const clerkNow = { username: '', password: NEW_PASSWORD }

  beforeAll(async () => {
    gw = await startGateway()
    ;({ villageId } = await seedHome(gw))
    clerk = await createUser(gw, { role: 'clerk', scope: { villageIds: [villageId] }, mustChangePassword: true, displayName: '王文书' })
    clerkNow.username = clerk.username
    reviewer = await createUser(gw, { role: 'reviewer', scope: { villageIds: [villageId] }, displayName: '赵组长' })
    tv = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await tv?.close()
    await gw?.stop()
  })

  async function upload (page: Page, name: string, csv: string): Promise<void> {
    await page.getByLabel('选择文件').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
  }

  it('clerk: forced password change, create, bad import shows row errors, good import, submit', async () => {
    const { page, context } = await openConsole(tv.browser, gw.urls.http)
    await signInUi(page, clerk.username, clerk.password, 'password')
    const next = NEW_PASSWORD
    await page.getByLabel('当前密码').fill(clerk.password)
    await page.getByLabel('新密码', { exact: true }).fill(next)
    await page.getByLabel('再次输入新密码').fill(next)
    await page.getByRole('button', { name: '保存新密码' }).click()
    await page.waitForSelector('nav#nav')

    await page.click('[data-nav="finance"]')
    await page.waitForSelector('main[data-page="finance"] h2:has-text("新建财务公开表")')
    await expectLabelledControls(page, 'the finance list')
    await page.getByLabel('公开周期').selectOption('month')
    await page.getByLabel('起始月份').fill('2026-10')
    await page.getByLabel('标题').fill(TITLE)
    await page.getByRole('button', { name: '创建草稿' }).click()
    await page.waitForSelector('[data-status="draft"]')

    await upload(page, 'bad.csv', BAD)
    await page.waitForSelector('tr.bad[data-row="3"]')
    expect(await page.textContent('tr[data-row="3"] .row-error')).toContain('2026-11-02')
    expect(await page.textContent('tr[data-row="4"] .row-error')).not.toBe('')
    expect(await page.textContent('tr[data-row="2"] .row-error')).toBe('')
    expect(await page.textContent('[role="alert"]')).toContain('未导入')
    await shot(page, 'console-finance-import-errors-pc')

    await upload(page, 'ledger.csv', GOOD)
    await page.waitForSelector('text=已导入 3 笔明细')
    await page.waitForSelector('table.entries >> text=村集体厂房租金')
    expect(await page.textContent('.facts')).toContain('12,000.00')
    await page.click('[data-action="submit"]')
    await page.waitForSelector('[data-status="submitted"]')
    expect(problemsOf(page)).toEqual([])
    await context.close()
  })

  it('reviewer: approves, and the statement is published', async () => {
    const { page, context } = await openConsole(tv.browser, gw.urls.http)
    await signInUi(page, reviewer.username, reviewer.password)
    // A reviewer's only page is finance: no alert or resident menus.
    expect(await page.$$eval('[data-nav]', (els) => els.map((e) => e.getAttribute('data-nav')))).toEqual(['finance'])
    await page.click(`a:has-text("${TITLE}")`)
    await page.waitForSelector('[data-status="submitted"]')
    await page.click('[data-action="approve"]')
    await page.waitForSelector('[data-status="published"]')
    // The exports are plain links on the signed-in session: the CSV opens in Excel with the same rows.
    const csv = await page.request.get(new URL(await page.getAttribute('text=导出 CSV', 'href') ?? '', page.url()).href)
    expect(csv.status()).toBe(200)
    expect(await csv.text()).toContain('村集体厂房租金')
    const print = await page.request.get(new URL(await page.getAttribute('text=打印公示页', 'href') ?? '', page.url()).href)
    expect(await print.text()).toContain('村务财务公开')
    const list = await gw.api<Array<{ title: string, status: string }>>('GET', `/api/v1/content/finance/statements?villageId=${villageId}`)
    expect(list.body.find((s) => s.title === TITLE)?.status).toBe('published')
    expect(problemsOf(page)).toEqual([])
    await context.close()
  })

  it('reviewer: returns a statement with a comment, and the clerk sees why', async () => {
    // A second period drafted and submitted over the API (the UI path is covered above).
    const api = await signIn(gw, clerkNow.username, clerkNow.password)
    const draft = await api.post('/finance/statements', { villageId, periodKind: 'month', periodStart: '2026-09-01', periodEnd: '2026-09-30', title: '2026年9月村级财务收支公开' })
    expect(draft.status).toBe(201)
    const rows = [{ date: '2026-09-03', voucherNo: '记-101', accountCode: '501', accountName: '经营收入', summary: '鱼塘承包费', income: '5000.00', handler: '王会计', approver: '李书记' }]
    expect((await api.put(`/finance/statements/${draft.body.id}/entries`, { entries: rows })).status).toBe(200)
    expect((await api.post(`/finance/statements/${draft.body.id}/submit`)).status).toBe(200)

    const { page, context } = await openConsole(tv.browser, gw.urls.http)
    await signInUi(page, reviewer.username, reviewer.password)
    await page.click('a:has-text("2026年9月村级财务收支公开")')
    await page.waitForSelector('[data-status="submitted"]')
    expect(await page.isDisabled('[data-action="return"]')).toBe(true) // a return always says why
    await page.getByLabel('审核意见（退回时必填）').fill('鱼塘承包费请附合同编号')
    await page.click('[data-action="return"]')
    await page.waitForSelector('[data-status="returned"]')
    await context.close()

    const clerkPage = await openConsole(tv.browser, gw.urls.http)
    await signInUi(clerkPage.page, clerkNow.username, clerkNow.password)
    await clerkPage.page.goto(`${gw.urls.http}/console/#/finance/${draft.body.id}`)
    await clerkPage.page.waitForSelector('[data-status="returned"]')
    expect(await clerkPage.page.textContent('.facts')).toContain('鱼塘承包费请附合同编号')
    expect(await clerkPage.page.isVisible('[data-action="submit"]')).toBe(true)
    await clerkPage.context.close()
  })

  it('TV: 财务公开 shows the approved statement, reached with the remote', async () => {
    const { page, context } = await newScreen(tv.browser)
    await page.goto(`${gw.urls.http}/tv/?poll=2000`)
    await waitForScreen(page, 'home')
    await moveTo(page, '[data-tile="finance"]')
    await step(page, 'ok')
    await waitForScreen(page, 'finance')
    await page.waitForFunction((t) => document.body.textContent?.includes(t) === true, TITLE, { timeout: 15_000 })
    await context.close()
  })
})
