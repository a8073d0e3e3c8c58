// The household part of the TV state: only ever built for the home a screen is paired to. Activity comes
// from telemetry (per hour of today in China time), alerts and away mode from HouseholdAlerts (the alert
// engine, or PostgreSQL in cluster mode). No resident's name: the label is the home's, and one naming a
// resident is replaced.
import type { Alert, Outcome } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { TvCheckIn, TvHousehold } from '../../src/tv/tv-api.ts'
import type { MaybePromise } from '../notify/outbox-queue.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import { CHECKIN_TYPES, whenReady, type HouseholdAlerts } from './household-alerts.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** China Standard Time, UTC+8, no daylight saving: whole hours, so hourly buckets align with UTC ones. */
const CST_OFFSET = 8 * HOUR
/** No motion for this long in the daytime shows as "quiet" (the cold-start daytime threshold is 3 h). */
const QUIET_AFTER_MS = 3 * HOUR
/** Daytime in village time for "quiet": 07:00-21:00; at night stillness is normal. */
const DAY_FROM_HOUR = 7
const DAY_TO_HOUR = 21
const ALERT_WINDOW_MS = 7 * DAY

const RUNG_WHO = ['', '家属', '网格员', '村值班'] as const
const OUTCOME_TEXT: Record<Outcome, string> = {
  resident_ok: '老人平安',
  false_alarm: '误报',
  helped_at_home: '已上门协助',
  hospital: '已送医',
  deceased: '已处理',
  device_fixed: '设备已恢复',
  other: '已处理'
}

export interface HouseholdDeps {
  alerts: HouseholdAlerts
  telemetry: TelemetryStore
  places: PlacesStore
  devices: DeviceStore
  clock: Clock
}

/** Start of today in China time, as unix ms. */
export function chinaDayStart (now: number): number {
  return Math.floor((now + CST_OFFSET) / DAY) * DAY - CST_OFFSET
}

/** Plain Chinese for the screen: where the alert stands and who is on it. */
export function statusText (a: Alert): string {
  if (a.state === 'acknowledged') return '已有人确认，正在处理'
  if (a.state === 'resolved') {
    if (a.resolvedBy?.startsWith('tv:') === true) return '已处理：本人报平安'
    if (a.note === 'away mode') return '已处理：外出模式'
    if (a.resolvedBy === 'system' && a.outcome === 'resident_ok') return '已处理：检测到活动，平安'
    return `已处理：${OUTCOME_TEXT[a.outcome ?? 'other']}`
  }
  if (a.rung <= 0) return '待确认'
  return `已通知${RUNG_WHO[a.rung as 1 | 2 | 3]}，待确认`
}

export class Household {
  constructor (private readonly deps: HouseholdDeps) {}

  async build (homeId: string): Promise<TvHousehold | null> {
    const { alerts, telemetry, places, devices, clock } = this.deps
    const home = places.getHome(homeId)
    if (home === undefined) return null
    const now = clock.now()
    const dayStart = chinaDayStart(now)
    const [buckets, lastByDevice, homeAlerts] = await Promise.all([
      telemetry.activityCounts(homeId, { from: dayStart, to: dayStart + DAY, bucketMs: HOUR }),
      telemetry.lastActivityByDevice(homeId),
      alerts.home(homeId)
    ])
    const hourly = new Array<number>(24).fill(0)
    for (const b of buckets) {
      const hour = Math.floor((b.start - dayStart) / HOUR)
      if (hour >= 0 && hour < 24) hourly[hour] = (hourly[hour] ?? 0) + b.count
    }
    let lastActivityAt: number | null = null
    for (const at of lastByDevice.values()) if (lastActivityAt === null || at > lastActivityAt) lastActivityAt = at
    const monitored = devices.list({ homeId }).some((d) => d.kind !== 'hub' && d.revokedAt === null)
    const awayUntil = homeAlerts.awayUntil
    const list = homeAlerts.alerts.filter((a) => a.state !== 'resolved' || a.openedAt >= now - ALERT_WINDOW_MS)
    const alerting = homeAlerts.alerts.some((a) => a.state !== 'resolved' && (CHECKIN_TYPES as readonly string[]).includes(a.type))
    return {
      homeId,
      homeLabel: this.label(homeId, home.label),
      monitored,
      care: {
        status: this.status({ now, awayUntil, alerting, monitored, lastActivityAt, dayStart }),
        lastActivityAt,
        hourly,
        awayUntil: awayUntil !== null && awayUntil > now ? awayUntil : null
      },
      alerts: list.map((a) => ({ id: a.id, type: a.type, state: a.state, openedAt: a.openedAt, resolvedAt: a.resolvedAt, statusText: statusText(a) })),
      checkIn: homeAlerts.checkIns[0] ?? null
    }
  }

  /** The check-in the screen should show now: an open inactivity/not-up alert at the TV rung. */
  checkIn (homeId: string): MaybePromise<TvCheckIn | null> {
    return whenReady(this.deps.alerts.checkIns(homeId), (list) => list[0] ?? null)
  }

  /** The check-in of one alert while it is still waiting at the TV rung, else null (answered or climbed). */
  checkInOf (alertId: string, homeId: string): MaybePromise<TvCheckIn | null> {
    return whenReady(this.deps.alerts.checkIns(homeId), (list) => list.find((c) => c.alertId === alertId) ?? null)
  }

  private status (s: { now: number, awayUntil: number | null, alerting: boolean, monitored: boolean, lastActivityAt: number | null, dayStart: number }): TvHousehold['care']['status'] {
    if (s.awayUntil !== null && s.awayUntil > s.now) return 'away'
    if (s.alerting) return 'alert'
    if (!s.monitored || s.lastActivityAt === null || s.lastActivityAt < s.dayStart) return 'no_data'
    const hour = Math.floor((s.now - s.dayStart) / HOUR)
    if (hour >= DAY_FROM_HOUR && hour < DAY_TO_HOUR && s.now - s.lastActivityAt > QUIET_AFTER_MS) return 'quiet'
    return 'normal'
  }

  /** The home's label, unless staff wrote a resident's name into it: the screen shows no names. */
  private label (homeId: string, label: string): string {
    const names = this.deps.places.listResidents(homeId).map((r) => r.name).filter((n) => n.length > 0)
    return names.some((n) => label.includes(n)) ? '我的家' : label
  }
}
