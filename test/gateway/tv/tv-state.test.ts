// What each kind of screen sees: an unpaired one the village's public content only; a household's own
// screen that household (activity, alerts, the open check-in) and never another home's.
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_LADDER } from '../../../src/alerts.ts'
import { tvState, tvStatementDetail, type TvState } from '../../../src/tv/tv-api.ts'
import { pairScreen, tv } from './tv-client.ts'
import { addNotice, H, T0, tvFixture, type TvFixture } from './tv-fixture.ts'

let fx: TvFixture | undefined
afterEach(async () => { await fx?.close(); fx = undefined })

async function state (f: TvFixture, token?: string): Promise<TvState> {
  const res = await tv(f.gw, 'GET', '/state', token)
  expect(res.status).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  return tvState.parse(res.body)
}

describe('GET /tv/api/state', () => {
  it('shows public content to an unpaired screen and each household only to its own screen', async () => {
    const f = fx = await tvFixture()
    addNotice(f.gw, f.villageId, '防台风安全提示')
    const screenA = await pairScreen(f.gw, { homeId: f.homeA })
    const screenB = await pairScreen(f.gw, { homeId: f.homeB })
    const village = await pairScreen(f.gw, { villageId: f.villageId })

    f.silence(3 * H)
    const alert = f.gw.alerts.openAlertOf(f.homeA, 'inactivity')
    expect(alert).toMatchObject({ state: 'open', rung: 0 })

    const pub = await state(f)
    expect(pub.screen).toEqual({ paired: false, screenId: null, villageId: f.villageId, villageName: '山下庄村' })
    expect(pub.household).toBeNull()
    expect(pub.notices.map((n) => n.title)).toEqual(['防台风安全提示'])
    const villageScreen = await state(f, village.token)
    expect(villageScreen.screen).toMatchObject({ paired: true, screenId: village.screenId })
    expect(villageScreen.household).toBeNull()
    for (const s of [pub, villageScreen]) {
      expect(JSON.stringify(s)).not.toContain(alert!.id)
      expect(JSON.stringify(s)).not.toContain(f.homeA)
    }

    const a = await state(f, screenA.token)
    expect(a.notices).toHaveLength(1)
    expect(a.household).toMatchObject({
      homeId: f.homeA,
      homeLabel: '山下庄 12号',
      monitored: true,
      care: { status: 'alert', lastActivityAt: T0, awayUntil: null },
      alerts: [{ id: alert!.id, type: 'inactivity', state: 'open', openedAt: alert!.openedAt, resolvedAt: null, statusText: '待确认' }],
      checkIn: { alertId: alert!.id, askedAt: T0 + 3 * H, expiresAt: T0 + 3 * H + DEFAULT_LADDER.tvTimeoutMs }
    })
    // 09:42 China time is in hour 9 of the village's day; nothing else today.
    const hourly = a.household!.care.hourly
    expect(hourly[9]).toBeGreaterThan(0)
    expect(hourly.reduce((x, y) => x + y, 0)).toBe(hourly[9])
    expect(JSON.stringify(a)).not.toContain('王秀英')

    const b = await state(f, screenB.token)
    expect(b.household).toMatchObject({ homeId: f.homeB, homeLabel: '山下庄 14号', monitored: false, alerts: [], checkIn: null, care: { status: 'no_data', lastActivityAt: null } })
    expect(JSON.stringify(b)).not.toContain(alert!.id)
    expect(JSON.stringify(b)).not.toContain(f.homeA)
  })

  it('says how the care stands: quiet after 3 h of daytime stillness, escalation in the status text', async () => {
    const f = fx = await tvFixture()
    const { token } = await pairScreen(f.gw, { homeId: f.homeA })
    expect((await state(f, token)).household?.care.status).toBe('normal')
    // A learned threshold longer than 3 h: quiet, no alert yet.
    const put = await f.gw.api('PUT', `/api/v1/homes/${f.homeA}/alert-settings`, { inactivityThresholdMs: 6 * H, quietHours: null, by: 'clerk-1' })
    expect(put.status).toBe(200)
    f.silence(3 * H + 1)
    expect((await state(f, token)).household?.care.status).toBe('quiet')
    f.silence(3 * H + DEFAULT_LADDER.tvTimeoutMs)
    const s = await state(f, token)
    expect(s.household?.care.status).toBe('alert')
    expect(s.household?.checkIn).toBeNull()
    // Nobody registered as family or grid worker: the ladder climbed straight to village duty.
    expect(s.household?.alerts[0]?.statusText).toBe('已通知村值班，待确认')
  })

  it('shows no resident\'s name, even one written into the home\'s label; notes when the screen was last seen', async () => {
    const f = fx = await tvFixture()
    const home = await f.gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId: f.gridId, label: '李桂兰家' })
    await f.gw.api('POST', '/api/v1/residents', { homeId: home.body.id, name: '李桂兰' })
    const { token, screenId } = await pairScreen(f.gw, { homeId: home.body.id })
    const s = await state(f, token)
    expect(s.household?.homeLabel).toBe('我的家')
    expect(JSON.stringify(s)).not.toContain('李桂兰')
    const [screen] = (await f.gw.api<Array<{ id: string, lastSeenAt: number | null }>>('GET', `/api/v1/screens?homeId=${home.body.id}`)).body
    expect(screen).toMatchObject({ id: screenId, lastSeenAt: f.time.now() })
  })

  it('serves a published statement of the screen\'s own village only, a page at a time', async () => {
    const f = fx = await tvFixture()
    f.silence(1)
    const other = await f.gw.api<{ id: string }>('POST', '/api/v1/villages', { name: '下应村' })
    const insert = (id: string, villageId: string, status: string): void => {
      f.gw.db.prepare(`INSERT INTO finance_statements (id, village_id, period_kind, period_start, period_end, title, status, created_by,
        created_at, reviewed_by, reviewed_at, published_at) VALUES (?, ?, 'month', '2024-04-01', '2024-04-30', '2024年4月收支', ?, 'clerk-1', ?, '监委会', ?, ?)`)
        .run(id, villageId, status, T0, T0, status === 'draft' ? null : T0)
      for (let seq = 1; seq <= 3; seq++) {
        f.gw.db.prepare(`INSERT INTO finance_entries (statement_id, seq, date, voucher_no, account_code, account_name, summary, income_cents,
          expense_cents, handler, approver) VALUES (?, ?, '2024-04-02', ?, '501', '管理费用', '办公用品', 0, ?, '张', '李')`).run(id, seq, `V${seq}`, seq * 100)
      }
    }
    insert('fs-own', f.villageId, 'published')
    insert('fs-draft', f.villageId, 'draft')
    insert('fs-other', other.body.id, 'published')

    const res = await tv(f.gw, 'GET', '/finance/fs-own?page=1')
    expect(res.status).toBe(200)
    const detail = tvStatementDetail.parse(res.body)
    expect(detail.statement).toMatchObject({ id: 'fs-own', expenseCents: 600, entryCount: 3 })
    expect(detail.entries.map((e) => e.seq)).toEqual([1, 2, 3])
    expect((await state(f)).statements.map((st) => st.id)).toEqual(['fs-own'])
    for (const id of ['fs-draft', 'fs-other', 'nope']) expect((await tv(f.gw, 'GET', `/finance/${id}`)).status).toBe(404)
    expect((await tv(f.gw, 'GET', '/finance/fs-own?page=0')).status).toBe(400)
  })

  it('refuses a bad token with 401 rather than showing public content', async () => {
    const f = fx = await tvFixture()
    const res = await tv<{ error: string }>(f.gw, 'GET', '/state', 'not-a-screen-token')
    expect(res.status).toBe(401)
    expect(res.body.error).toBe('SCREEN_UNAUTHORIZED')
  })
})
