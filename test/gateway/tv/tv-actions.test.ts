// The writes a screen may make: the resident's "I'm fine" and away mode, from the household's own screen
// only; revoking a screen ends its access at once.
import { afterEach, describe, expect, it } from 'vitest'
import { tvState } from '../../../src/tv/tv-api.ts'
import { pairScreen, tv } from './tv-client.ts'
import { H, tvFixture, type TvFixture } from './tv-fixture.ts'

const DAY = 24 * H
let fx: TvFixture | undefined
afterEach(async () => { await fx?.close(); fx = undefined })

describe('TV check-in and away mode', () => {
  it('resolves the open inactivity alert when the resident presses OK', async () => {
    const f = fx = await tvFixture()
    const { token, screenId } = await pairScreen(f.gw, { homeId: f.homeA })
    f.silence(3 * H)
    const alert = f.gw.alerts.openAlertOf(f.homeA, 'inactivity')
    expect(alert?.rung).toBe(0)

    const res = await tv<{ resolved: number }>(f.gw, 'POST', '/checkin', token)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ resolved: 1 })
    expect(f.gw.alerts.get(alert!.id)).toMatchObject({ state: 'resolved', outcome: 'resident_ok', resolvedBy: `tv:${f.homeA}` })
    const state = tvState.parse((await tv(f.gw, 'GET', '/state', token)).body)
    expect(state.household).toMatchObject({ care: { status: 'normal' }, checkIn: null, alerts: [{ id: alert!.id, state: 'resolved', statusText: '已处理：本人报平安' }] })
    expect((await tv(f.gw, 'POST', '/checkin', token)).body).toEqual({ resolved: 0 })
    expect(screenId).toMatch(/^scr-/)
  })

  it('only a household screen may check in or set away mode', async () => {
    const f = fx = await tvFixture()
    const village = await pairScreen(f.gw, { villageId: f.villageId })
    for (const token of [undefined, village.token]) {
      const checkin = await tv<{ error: string }>(f.gw, 'POST', '/checkin', token)
      expect(checkin.status).toBe(403)
      expect(checkin.body.error).toBe('HOUSEHOLD_ONLY')
      expect((await tv(f.gw, 'POST', '/away', token, { until: f.time.now() + DAY })).status).toBe(403)
    }
    expect((await tv(f.gw, 'POST', '/checkin', 'forged-token')).status).toBe(401)
  })

  it('sets and ends away mode, at most 60 days ahead', async () => {
    const f = fx = await tvFixture()
    const { token, screenId } = await pairScreen(f.gw, { homeId: f.homeA })
    const until = f.time.now() + 3 * DAY
    const set = await tv<{ awayUntil: number | null }>(f.gw, 'POST', '/away', token, { until })
    expect(set.status).toBe(200)
    expect(set.body).toEqual({ awayUntil: until })
    expect(f.gw.alerts.settings(f.homeA)).toMatchObject({ awayUntil: until, updatedBy: `tv:${screenId}` })
    const state = tvState.parse((await tv(f.gw, 'GET', '/state', token)).body)
    expect(state.household?.care).toMatchObject({ status: 'away', awayUntil: until })
    // Away: no inactivity alert however long the house is still.
    f.silence(12 * H)
    expect(f.gw.alerts.openAlertOf(f.homeA, 'inactivity')).toBeUndefined()

    expect((await tv(f.gw, 'POST', '/away', token, { until: f.time.now() + 61 * DAY })).status).toBe(400)
    expect((await tv(f.gw, 'POST', '/away', token, { until: 'tomorrow' })).status).toBe(400)
    expect((await tv(f.gw, 'POST', '/away', token, { until: null })).body).toEqual({ awayUntil: null })
    expect(f.gw.alerts.settings(f.homeA).awayUntil).toBeNull()
  })

  it('a revoked screen gets 401 SCREEN_REVOKED at once; the revocation is audited', async () => {
    const f = fx = await tvFixture()
    const { token, screenId } = await pairScreen(f.gw, { homeId: f.homeA })
    expect((await tv(f.gw, 'GET', '/state', token)).status).toBe(200)
    const revoked = await f.gw.api<{ revokedAt: number, revokedBy: string }>('DELETE', `/api/v1/screens/${screenId}?by=clerk-2`)
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ revokedAt: f.time.now(), revokedBy: 'clerk-2' })
    for (const [method, path] of [['GET', '/state'], ['POST', '/checkin'], ['GET', '/finance/any']] as const) {
      const res = await tv<{ error: string }>(f.gw, method, path, token)
      expect(res.status).toBe(401)
      expect(res.body.error).toBe('SCREEN_REVOKED')
    }
    expect(f.gw.db.prepare("SELECT actor, action FROM audit_log WHERE entity = 'screen' AND entity_id = ? ORDER BY id").all(screenId))
      .toEqual([{ actor: 'clerk-1', action: 'pair' }, { actor: 'clerk-2', action: 'revoke' }])
    expect((await f.gw.api('DELETE', '/api/v1/screens/scr-nope')).status).toBe(404)
    expect((await f.gw.api<Array<{ id: string, revokedAt: number | null }>>('GET', `/api/v1/screens?homeId=${f.homeA}`)).body)
      .toEqual([expect.objectContaining({ id: screenId, revokedAt: f.time.now() })])
  })
})
