// The escalation ladder as a pure state machine: (alert, ladder config, input) -> (alert, effects).
// The gateway persists the effects' events and sends their notifications in one transaction.
import type { Alert, AlertEvent, AlertType, LadderConfig, Outcome, Rung } from '../alerts.ts'
import { TYPE_RULES } from './rules.ts'

export type LadderInput =
  /** Time passes; climbs one rung when `nextRungAt` is due. */
  | { kind: 'tick', at: number }
  | { kind: 'ack', at: number, by: string }
  | { kind: 'resolve', at: number, by: string, outcome: Outcome, note: string | null }
  /** New motion in the home; ends the alert when its type ends on activity. */
  | { kind: 'activity', at: number }
  /** The condition is gone by itself (device back online, battery replaced). */
  | { kind: 'cleared', at: number, outcome: Outcome, detail: string }
  /** The condition repeats or changes while the alert is open (one open alert per home and type). */
  | { kind: 'update', at: number, detail: string }
  /**
   * Ask the first rung again (the early TV check-in went unanswered and the full threshold is reached):
   * notifies it once more and gives it its full timeout from now before the next rung.
   */
  | { kind: 'reask', at: number, detail: string }

export type Effect =
  /** Notify the recipients of one rung for the first time. */
  | { kind: 'notify', rung: Rung }
  /** Tell everyone already notified that the alert was acknowledged or closed. */
  | { kind: 'inform', rungs: Rung[], notice: 'acknowledged' | 'all_clear' }
  | { kind: 'record', event: AlertEvent }

export interface Step {
  alert: Alert
  effects: Effect[]
}

/** How long a rung waits for an acknowledgement before the next is notified; null at the top. */
export function rungTimeout (type: AlertType, rung: Rung, ladder: LadderConfig): number | null {
  if (rung >= TYPE_RULES[type].topRung) return null
  return [ladder.tvTimeoutMs, ladder.familyTimeoutMs, ladder.gridTimeoutMs][rung] ?? null
}

/** The rungs notified so far, lowest first. */
export function rungsTold (alert: Alert): Rung[] {
  const out: Rung[] = []
  for (let r = TYPE_RULES[alert.type].firstRung; r <= alert.rung; r++) out.push(r as Rung)
  return out
}

function record (alert: Alert, at: number, actor: string, action: AlertEvent['action'], detail: string | null): Effect {
  return { kind: 'record', event: { alertId: alert.id, at, actor, action, rung: alert.rung === -1 ? null : alert.rung, detail } }
}

export interface OpenInput {
  id: string
  homeId: string
  type: AlertType
  since: number
  at: number
  /** Delay the first notification until then (quiet hours for maintenance alerts). */
  notifyAt?: number
  /**
   * The first rung waits at least until then before the next is due (an early TV check-in holds family
   * back until the full inactivity threshold). Ignored when it is before the first rung's own timeout.
   */
  holdUntil?: number
  detail?: string | null
}

export function openAlert (input: OpenInput, ladder: LadderConfig): Step {
  const base: Alert = {
    id: input.id, homeId: input.homeId, type: input.type, state: 'open', rung: -1, since: input.since, openedAt: input.at,
    nextRungAt: null, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, outcome: null, note: null
  }
  const detail = input.detail ?? null
  if (input.notifyAt !== undefined && input.notifyAt > input.at) {
    const alert = { ...base, nextRungAt: input.notifyAt }
    return { alert, effects: [record(alert, input.at, 'system', 'opened', detail)] }
  }
  const rung = TYPE_RULES[input.type].firstRung
  const timeout = rungTimeout(input.type, rung, ladder)
  const alert: Alert = { ...base, rung, nextRungAt: timeout === null ? null : Math.max(input.at + timeout, input.holdUntil ?? -Infinity) }
  return { alert, effects: [record(alert, input.at, 'system', 'opened', detail), { kind: 'notify', rung }] }
}

const unchanged = (alert: Alert): Step => ({ alert, effects: [] })

export function step (alert: Alert, ladder: LadderConfig, input: LadderInput): Step {
  if (alert.state === 'resolved') return unchanged(alert)
  switch (input.kind) {
    case 'tick': return climb(alert, ladder, input.at)
    case 'ack': {
      if (alert.state === 'acknowledged') return unchanged(alert)
      const next: Alert = { ...alert, state: 'acknowledged', nextRungAt: null, acknowledgedAt: input.at, acknowledgedBy: input.by }
      return { alert: next, effects: [record(next, input.at, input.by, 'acknowledged', null), ...inform(next, 'acknowledged')] }
    }
    case 'resolve':
      return close(alert, input.at, input.by, 'resolved', input.outcome, input.note)
    case 'activity':
      if (!TYPE_RULES[alert.type].endsOnActivity || input.at <= alert.since) return unchanged(alert)
      return close(alert, input.at, 'system', 'auto_resolved', 'resident_ok', 'motion detected')
    case 'cleared':
      return close(alert, input.at, 'system', 'auto_resolved', input.outcome, input.detail)
    case 'update':
      return { alert, effects: [record(alert, input.at, 'system', 'updated', input.detail)] }
    case 'reask': {
      if (alert.state !== 'open' || alert.rung === -1 || alert.rung !== TYPE_RULES[alert.type].firstRung) return unchanged(alert)
      const timeout = rungTimeout(alert.type, alert.rung, ladder)
      const next: Alert = { ...alert, nextRungAt: timeout === null ? null : input.at + timeout }
      return { alert: next, effects: [record(next, input.at, 'system', 'updated', input.detail), { kind: 'notify', rung: alert.rung }] }
    }
  }
}

function climb (alert: Alert, ladder: LadderConfig, at: number): Step {
  if (alert.state !== 'open' || alert.nextRungAt === null || at < alert.nextRungAt) return unchanged(alert)
  const rule = TYPE_RULES[alert.type]
  const rung = (alert.rung === -1 ? rule.firstRung : Math.min(alert.rung + 1, rule.topRung)) as Rung
  // The new rung's wait counts from now, not from when it was due: after a gateway outage the people
  // notified late still get their full time to answer before the next rung is called.
  const timeout = rungTimeout(alert.type, rung, ladder)
  const next: Alert = { ...alert, rung, nextRungAt: timeout === null ? null : at + timeout }
  const action = alert.rung === -1 ? 'updated' : 'escalated'
  return { alert: next, effects: [record(next, at, 'system', action, alert.rung === -1 ? 'first notification after quiet hours' : null), { kind: 'notify', rung }] }
}

function close (alert: Alert, at: number, by: string, action: 'resolved' | 'auto_resolved', outcome: Outcome, note: string | null): Step {
  const next: Alert = { ...alert, state: 'resolved', nextRungAt: null, resolvedAt: at, resolvedBy: by, outcome, note }
  return { alert: next, effects: [record(next, at, by, action, note), ...inform(next, 'all_clear')] }
}

function inform (alert: Alert, notice: 'acknowledged' | 'all_clear'): Effect[] {
  const rungs = rungsTold(alert)
  return rungs.length === 0 ? [] : [{ kind: 'inform', rungs, notice }]
}
