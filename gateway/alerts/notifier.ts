// Turns ladder effects into notifications: who sits on each rung (from the registry) and what they are
// told. Channel: 'sse' for a home's TV; 'webhook' for people — the outbox maps a contact to its preferred
// channels (contact_channels), so this default only names the kind of recipient.
import type { Alert, Notification, Outcome, Rung } from '../../src/alerts.ts'
import type { Effect } from '../../src/escalation/ladder.ts'
import { acknowledgedText, alertText, CHECKIN_TEXT, closedText, type MessageContext } from '../../src/escalation/messages.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import type { AckLinks } from './ack-links.ts'

/** The outbox's side of the contract: synchronous, so it can join the caller's SQLite transaction. */
export interface NotificationSink {
  enqueue(n: Notification): void
}

export interface Recipient { recipient: string, channel: Notification['channel'] }

const CONTACT_CHANNEL: Notification['channel'] = 'webhook'

export class Notifier {
  constructor (private readonly places: PlacesStore, private readonly ackLinks?: AckLinks) {}

  /**
   * A signed acknowledge link (ack-links.ts) for a named contact on an alert: family, the grid worker and a
   * named village duty officer. Not for the TV (it has its own OK button) nor a village's anonymous duty
   * channel (`village:<id>`: no one person to name as the actor).
   */
  private ackUrl (alertId: string, recipient: string): { ackUrl: string } | Record<string, never> {
    if (recipient.startsWith('tv:') || recipient.startsWith('village:')) return {}
    const url = this.ackLinks?.url(alertId, recipient)
    return url === undefined ? {} : { ackUrl: url }
  }

  /** Recipients of one rung; empty when nobody is registered there (the engine then climbs at once). */
  recipients (homeId: string, rung: Rung): Recipient[] {
    if (rung === 0) return [{ recipient: `tv:${homeId}`, channel: 'sse' }]
    const home = this.places.getHome(homeId)
    if (home === undefined) return []
    const byRole = (role: string, filter: { homeId?: string, gridId?: string, villageId?: string }): Recipient[] =>
      this.places.listContacts(filter).filter((c) => c.role === role)
        .sort((a, b) => a.priority - b.priority).map((c) => ({ recipient: c.id, channel: CONTACT_CHANNEL }))
    if (rung === 1) return byRole('family', { homeId })
    if (rung === 2) return byRole('grid_worker', { gridId: home.gridId })
    const duty = byRole('village_duty', { villageId: home.villageId })
    // No named duty officer: the village's duty channel (e.g. the township command centre's console).
    return duty.length > 0 ? duty : [{ recipient: `village:${home.villageId}`, channel: CONTACT_CHANNEL }]
  }

  private context (alert: Alert, at: number): MessageContext {
    const home = this.places.getHome(alert.homeId)
    const name = this.places.listResidents(alert.homeId)[0]?.name ?? null
    return { type: alert.type, label: home?.label ?? alert.homeId, name, since: alert.since, at }
  }

  /** The notifications one effect causes; `record` effects cause none. */
  notifications (alert: Alert, effect: Effect, at: number): Notification[] {
    if (effect.kind === 'record') return []
    const ctx = this.context(alert, at)
    const data = (rung: Rung, kind: Notification['kind']): Record<string, unknown> => ({
      alertId: alert.id, homeId: alert.homeId, type: alert.type, state: alert.state, rung, kind, since: alert.since, at,
      ...(alert.outcome === null ? {} : { outcome: alert.outcome })
    })
    if (effect.kind === 'notify') {
      const kind = effect.rung === 0 ? 'checkin' : 'alert'
      const text = effect.rung === 0 ? CHECKIN_TEXT : alertText(ctx, effect.rung)
      return this.recipients(alert.homeId, effect.rung)
        .map((r) => ({ alertId: alert.id, ...r, kind, text, data: data(effect.rung, kind), ...this.ackUrl(alert.id, r.recipient) }))
    }
    const out: Notification[] = []
    for (const rung of effect.rungs) {
      const text = effect.notice === 'acknowledged'
        ? acknowledgedText(ctx, rung)
        : closedText(ctx, rung, alert.outcome as Outcome, alert.resolvedBy === 'system')
      for (const r of this.recipients(alert.homeId, rung)) out.push({ alertId: alert.id, ...r, kind: effect.notice, text, data: data(rung, effect.notice) })
    }
    return out
  }
}
