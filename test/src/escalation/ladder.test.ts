import { describe, expect, it } from 'vitest'
import { DEFAULT_LADDER, type Alert } from '../../../src/alerts.ts'
import { openAlert, rungsTold, step, type Effect } from '../../../src/escalation/ladder.ts'

const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time
const MIN = 60_000
const ladder = DEFAULT_LADDER

const notified = (effects: Effect[]): number[] => effects.flatMap((e) => e.kind === 'notify' ? [e.rung] : [])
const actions = (effects: Effect[]): string[] => effects.flatMap((e) => e.kind === 'record' ? [e.event.action] : [])

function inactivity (): Alert {
  return openAlert({ id: 'a1', homeId: 'h1', type: 'inactivity', since: T0 - 180 * MIN, at: T0 }, ladder).alert
}

describe('escalation ladder', () => {
  it('opens an inactivity alert on the TV and climbs family, grid worker, village duty on timeouts', () => {
    const opened = openAlert({ id: 'a1', homeId: 'h1', type: 'inactivity', since: T0 - 180 * MIN, at: T0 }, ladder)
    expect(opened.alert).toMatchObject({ state: 'open', rung: 0, nextRungAt: T0 + 5 * MIN })
    expect(notified(opened.effects)).toEqual([0])
    expect(actions(opened.effects)).toEqual(['opened'])

    let alert = opened.alert
    const early = step(alert, ladder, { kind: 'tick', at: T0 + 5 * MIN - 1 })
    expect(early.effects).toEqual([])
    const family = step(alert, ladder, { kind: 'tick', at: T0 + 5 * MIN })
    expect(family.alert).toMatchObject({ rung: 1, nextRungAt: T0 + 20 * MIN })
    expect(notified(family.effects)).toEqual([1])
    expect(actions(family.effects)).toEqual(['escalated'])
    alert = step(family.alert, ladder, { kind: 'tick', at: T0 + 20 * MIN }).alert
    expect(alert).toMatchObject({ rung: 2, nextRungAt: T0 + 50 * MIN })
    const top = step(alert, ladder, { kind: 'tick', at: T0 + 50 * MIN })
    expect(top.alert).toMatchObject({ rung: 3, nextRungAt: null })
    expect(step(top.alert, ladder, { kind: 'tick', at: T0 + 999 * MIN }).effects).toEqual([])
  })

  it('gives a late rung its full wait after an outage', () => {
    const late = step(inactivity(), ladder, { kind: 'tick', at: T0 + 60 * MIN })
    expect(late.alert).toMatchObject({ rung: 1, nextRungAt: T0 + 75 * MIN })
  })

  it('acknowledgement stops the climb and tells everyone already notified', () => {
    const atFamily = step(inactivity(), ladder, { kind: 'tick', at: T0 + 5 * MIN }).alert
    const acked = step(atFamily, ladder, { kind: 'ack', at: T0 + 6 * MIN, by: 'con-1' })
    expect(acked.alert).toMatchObject({ state: 'acknowledged', nextRungAt: null, acknowledgedBy: 'con-1', acknowledgedAt: T0 + 6 * MIN })
    expect(acked.effects).toContainEqual({ kind: 'inform', rungs: [0, 1], notice: 'acknowledged' })
    expect(step(acked.alert, ladder, { kind: 'tick', at: T0 + 99 * MIN }).effects).toEqual([])
    expect(step(acked.alert, ladder, { kind: 'ack', at: T0 + 7 * MIN, by: 'con-2' }).effects).toEqual([])
  })

  it('resolution records outcome and note and sends the all-clear to the rungs told', () => {
    const atGrid = step(step(inactivity(), ladder, { kind: 'tick', at: T0 + 5 * MIN }).alert, ladder, { kind: 'tick', at: T0 + 20 * MIN }).alert
    const done = step(atGrid, ladder, { kind: 'resolve', at: T0 + 40 * MIN, by: 'gw-1', outcome: 'helped_at_home', note: '摔倒，已扶起' })
    expect(done.alert).toMatchObject({ state: 'resolved', outcome: 'helped_at_home', note: '摔倒，已扶起', resolvedBy: 'gw-1', nextRungAt: null })
    expect(done.effects).toContainEqual({ kind: 'inform', rungs: [0, 1, 2], notice: 'all_clear' })
    expect(actions(done.effects)).toEqual(['resolved'])
    expect(step(done.alert, ladder, { kind: 'tick', at: T0 + 999 * MIN }).effects).toEqual([])
  })

  it('new motion auto-resolves inactivity; motion older than the alert does not', () => {
    const alert = inactivity()
    expect(step(alert, ladder, { kind: 'activity', at: alert.since }).effects).toEqual([])
    const done = step(alert, ladder, { kind: 'activity', at: T0 + MIN })
    expect(done.alert).toMatchObject({ state: 'resolved', resolvedBy: 'system', outcome: 'resident_ok' })
    expect(actions(done.effects)).toEqual(['auto_resolved'])
    expect(done.effects).toContainEqual({ kind: 'inform', rungs: [0], notice: 'all_clear' })
  })

  it('home_offline goes straight to the grid worker and stays there; motion does not end it', () => {
    const opened = openAlert({ id: 'a2', homeId: 'h1', type: 'home_offline', since: T0 - 30 * MIN, at: T0 }, ladder)
    expect(opened.alert).toMatchObject({ rung: 2, nextRungAt: null })
    expect(notified(opened.effects)).toEqual([2])
    expect(rungsTold(opened.alert)).toEqual([2])
    expect(step(opened.alert, ladder, { kind: 'activity', at: T0 + MIN }).effects).toEqual([])
    const back = step(opened.alert, ladder, { kind: 'cleared', at: T0 + MIN, outcome: 'device_fixed', detail: 'back online' })
    expect(back.alert.state).toBe('resolved')
    expect(back.effects).toContainEqual({ kind: 'inform', rungs: [2], notice: 'all_clear' })
  })

  it('low battery and silent sensors go to the grid worker only', () => {
    for (const type of ['low_battery', 'sensor_silent'] as const) {
      const { alert, effects } = openAlert({ id: 'a', homeId: 'h1', type, since: T0, at: T0 }, ladder)
      expect(alert).toMatchObject({ rung: 2, nextRungAt: null })
      expect(notified(effects)).toEqual([2])
    }
  })

  it('a maintenance alert opened in quiet hours notifies nobody until they end', () => {
    const opened = openAlert({ id: 'a3', homeId: 'h1', type: 'low_battery', since: T0, at: T0, notifyAt: T0 + 60 * MIN }, ladder)
    expect(opened.alert).toMatchObject({ rung: -1, nextRungAt: T0 + 60 * MIN })
    expect(notified(opened.effects)).toEqual([])
    expect(rungsTold(opened.alert)).toEqual([])
    const later = step(opened.alert, ladder, { kind: 'tick', at: T0 + 60 * MIN })
    expect(later.alert).toMatchObject({ rung: 2, nextRungAt: null })
    expect(notified(later.effects)).toEqual([2])
  })

  it('a repeat updates the open alert without notifying again', () => {
    const upd = step(inactivity(), ladder, { kind: 'update', at: T0 + MIN, detail: 'again' })
    expect(notified(upd.effects)).toEqual([])
    expect(actions(upd.effects)).toEqual(['updated'])
  })
})

describe('early TV check-in (two thresholds)', () => {
  it('holds family back until holdUntil, then re-asks the TV once with a full TV timeout', () => {
    const opened = openAlert({ id: 'a4', homeId: 'h1', type: 'inactivity', since: T0 - 135 * MIN, at: T0, holdUntil: T0 + 45 * MIN }, ladder)
    expect(opened.alert).toMatchObject({ rung: 0, nextRungAt: T0 + 45 * MIN })
    expect(notified(opened.effects)).toEqual([0])
    const again = step(opened.alert, ladder, { kind: 'reask', at: T0 + 45 * MIN, detail: 'again' })
    expect(again.alert).toMatchObject({ rung: 0, state: 'open', nextRungAt: T0 + 50 * MIN })
    expect(notified(again.effects)).toEqual([0])
    expect(actions(again.effects)).toEqual(['updated'])
    const family = step(again.alert, ladder, { kind: 'tick', at: T0 + 50 * MIN })
    expect(family.alert).toMatchObject({ rung: 1, nextRungAt: T0 + 65 * MIN })
    // Past the first rung a re-ask changes nothing.
    expect(step(family.alert, ladder, { kind: 'reask', at: T0 + 51 * MIN, detail: 'again' }).effects).toEqual([])
  })

  it('a hold shorter than the TV timeout changes nothing', () => {
    const opened = openAlert({ id: 'a5', homeId: 'h1', type: 'inactivity', since: T0 - 180 * MIN, at: T0, holdUntil: T0 + MIN }, ladder)
    expect(opened.alert.nextRungAt).toBe(T0 + 5 * MIN)
  })
})
