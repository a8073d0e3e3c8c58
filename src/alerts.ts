// Alerts and escalation: shared types of the activity model (src/activity-model/), the alert engine
// (gateway/alerts/) and the notification outbox (gateway/notify/). Pure types; time is passed in.

export type AlertType =
  /** Still for longer than is normal for this person at this time of day. */
  | 'inactivity'
  /** No activity by the time this person is usually up. */
  | 'not_up'
  /** Every sensor (or the hub) of a home is offline: a maintenance matter for the grid worker, not a panic call. */
  | 'home_offline'
  | 'low_battery'
  /** One sensor has reported no motion for days while the others of its home still do. */
  | 'sensor_silent'

export type AlertState = 'open' | 'acknowledged' | 'resolved'

/** The ladder: 0 the resident's own TV, 1 family, 2 the grid worker, 3 village duty / township centre. */
export type Rung = 0 | 1 | 2 | 3
export const RUNG_NAMES = ['tv_checkin', 'family', 'grid_worker', 'village_duty'] as const

export type Outcome = 'resident_ok' | 'false_alarm' | 'helped_at_home' | 'hospital' | 'deceased' | 'device_fixed' | 'other'

export interface Alert {
  id: string
  homeId: string
  type: AlertType
  state: AlertState
  /** The highest rung notified so far (-1 before the first). */
  rung: -1 | Rung
  /** When the condition began (e.g. the last activity before the inactivity). */
  since: number
  openedAt: number
  /** When the next rung is due if nobody acknowledges; null when acknowledged/resolved or at the top. */
  nextRungAt: number | null
  acknowledgedAt: number | null
  acknowledgedBy: string | null
  resolvedAt: number | null
  resolvedBy: string | null
  outcome: Outcome | null
  note: string | null
}

/** One audited state change: every transition is persisted with who, when and why. */
export interface AlertEvent {
  alertId: string
  at: number
  /** 'system' or a user/contact id. */
  actor: string
  action: 'opened' | 'updated' | 'escalated' | 'acknowledged' | 'resolved' | 'auto_resolved'
  rung: number | null
  detail: string | null
}

/** Per-rung wait before climbing, in ms; configurable per village and home. */
export interface LadderConfig {
  /** How long the TV check-in waits for the resident's OK before family is called. */
  tvTimeoutMs: number
  familyTimeoutMs: number
  gridTimeoutMs: number
}

export const DEFAULT_LADDER: LadderConfig = { tvTimeoutMs: 5 * 60_000, familyTimeoutMs: 15 * 60_000, gridTimeoutMs: 30 * 60_000 }

/**
 * How long this home may be inactive, starting at `since`, before an inactivity alert. Implemented by the
 * learned activity model (fixed thresholds during cold start). `now` is for model freshness only.
 */
export interface ThresholdProvider {
  inactivityThresholdMs(homeId: string, since: number): number
  /** The latest normal time of the first activity of the day containing `dayOf`, or null when unknown. */
  usualWakeBy(homeId: string, dayOf: number): number | null
}

/** A message for one recipient on one channel, written to the durable outbox. */
export interface Notification {
  alertId: string | null
  /** A contact id, or 'tv:<homeId>' for a home's screens, or 'village:<villageId>' for a duty channel. */
  recipient: string
  channel: 'webhook' | 'wecom' | 'dingtalk' | 'mqtt' | 'sse' | 'sms'
  kind: 'alert' | 'checkin' | 'all_clear' | 'daily_summary' | 'acknowledged'
  /** Short Chinese text, already shaped for the recipient (names only to those entitled). */
  text: string
  /** Structured body for machine channels (webhook JSON, SSE, MQTT). */
  data: Record<string, unknown>
  /** A signed link to acknowledge, where the channel can carry one. */
  ackUrl?: string
}
