// What the TV app needs of one home's alerts, from whichever side holds them: the embedded gateway's
// AlertEngine (synchronous, in memory), or in cluster mode PostgreSQL for reads and the home's partition
// owner for the resident's answers (gateway/cluster/cluster-tv.ts, asynchronous). Screens, the console's
// family view and acknowledge links build the household from this, so both modes show the same thing.
import type { Alert, AlertEvent } from '../../src/alerts.ts'
import type { TvCheckIn } from '../../src/tv/tv-api.ts'
import type { AlertEngine } from '../alerts/alert-engine.ts'
import type { MaybePromise } from '../notify/outbox-queue.ts'

/** The alert types a resident can answer on the TV ("您还好吗?"). */
export const CHECKIN_TYPES = ['inactivity', 'not_up'] as const

export interface HomeAlerts {
  awayUntil: number | null
  /** The home's alerts, newest first (the household view keeps the unresolved and the last week's). */
  alerts: Alert[]
  /** The questions the screen should ask now (at most one per check-in type), inactivity first. */
  checkIns: TvCheckIn[]
}

export interface HouseholdAlerts {
  home(homeId: string): MaybePromise<HomeAlerts>
  checkIns(homeId: string): MaybePromise<TvCheckIn[]>
  /** The resident pressed OK: how many alerts that closes (cluster: the ones open when it was routed). */
  checkIn(homeId: string): MaybePromise<number>
  /** Away mode until `until` (null: back home); returns the away-until now in force for the home. */
  setAway(homeId: string, until: number | null, by: string): MaybePromise<number | null>
}

/** Apply `f` to a value that may or may not be a promise, staying synchronous when it is not. */
export function whenReady<T, U> (value: MaybePromise<T>, f: (v: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value)
}

/**
 * The check-in of one alert while it is still waiting at the TV rung, else null (answered or climbed).
 * The screen asks until the alert's next rung is due (`nextRungAt`): the resident can answer for as long
 * as nobody else has been called. `askedAt` is the latest time the TV rung was asked: when the alert
 * opened, or a later event from which the ladder set nextRungAt = asked + the TV timeout (a re-ask,
 * src/escalation/ladder.ts).
 */
export function checkInOf (alert: Alert, events: readonly AlertEvent[], tvTimeoutMs: number): TvCheckIn | null {
  if (alert.state !== 'open' || alert.rung !== 0 || alert.nextRungAt === null) return null
  const reaskAt = alert.nextRungAt - tvTimeoutMs
  let askedAt = alert.openedAt
  for (const e of events) {
    if (e.rung === 0 && e.at > askedAt && e.at === reaskAt) askedAt = e.at
  }
  return { alertId: alert.id, askedAt, expiresAt: alert.nextRungAt }
}

/** The embedded gateway's: straight from the alert engine, synchronously. */
export function engineHouseholdAlerts (engine: AlertEngine): HouseholdAlerts {
  const checkIns = (homeId: string): TvCheckIn[] => {
    const out: TvCheckIn[] = []
    for (const type of CHECKIN_TYPES) {
      const alert = engine.openAlertOf(homeId, type)
      const checkIn = alert === undefined ? null : checkInOf(alert, engine.store.events(alert.id), engine.ladderOf(homeId).tvTimeoutMs)
      if (checkIn !== null) out.push(checkIn)
    }
    return out
  }
  return {
    home: (homeId) => ({ awayUntil: engine.settings(homeId).awayUntil, alerts: engine.list({ homeId }), checkIns: checkIns(homeId) }),
    checkIns,
    checkIn: (homeId) => engine.checkIn(homeId).length,
    setAway: (homeId, until, by) => engine.setAway(homeId, until, by).awayUntil
  }
}
