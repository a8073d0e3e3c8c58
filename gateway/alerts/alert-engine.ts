// The alert engine as the rest of the gateway sees it: the watching core (alert-watch.ts) plus what people
// do with alerts — acknowledge, resolve, the resident's own "I'm fine", away mode and per-home settings.
import type { Alert, AlertEvent, AlertState, AlertType, Outcome } from '../../src/alerts.ts'
import type { AlertSettings, AlertSettingsInput } from '../../src/escalation/alert-schemas.ts'
import { AnjuError } from '../../src/errors.ts'
import { AlertWatch } from './alert-watch.ts'

export type { AlertEngineDeps } from './alert-watch.ts'
export type { NotificationSink } from './notifier.ts'

export class AlertEngine extends AlertWatch {
  list (filter: { state?: AlertState, homeId?: string, type?: AlertType }): Alert[] {
    return this.store.list(filter)
  }

  get (id: string): Alert & { events: AlertEvent[] } {
    const alert = this.store.get(id)
    if (alert === undefined) throw new AnjuError('NOT_FOUND', `alert ${id} does not exist`)
    return { ...alert, events: this.store.events(id) }
  }

  private unresolvedAlert (id: string): Alert {
    const alert = this.unresolvedById.get(id)
    if (alert !== undefined) return alert
    this.get(id)
    throw new AnjuError('CONFLICT', `alert ${id} is already resolved`)
  }

  /** Stops the climb; everyone already notified hears that someone is on it. Repeating it changes nothing. */
  acknowledge (id: string, by: string): Alert {
    return this.apply(this.unresolvedAlert(id), { kind: 'ack', at: this.now(), by })
  }

  /** Closes the loop with an outcome and a note; everyone already notified is told. */
  resolve (id: string, by: string, outcome: Outcome, note: string | null): Alert {
    return this.apply(this.unresolvedAlert(id), { kind: 'resolve', at: this.now(), by, outcome, note })
  }

  /** The resident pressed OK on the TV check-in: resolves the home's inactivity alerts and counts as activity. */
  checkIn (homeId: string): Alert[] {
    const at = this.now()
    const closed: Alert[] = []
    for (const type of ['inactivity', 'not_up'] as const) {
      const alert = this.openAlertOf(homeId, type)
      if (alert !== undefined) closed.push(this.apply(alert, { kind: 'resolve', at, by: `tv:${homeId}`, outcome: 'resident_ok', note: 'answered the TV check-in' }))
    }
    this.noteActivity(homeId, at)
    return closed
  }

  /**
   * Away mode: no inactivity or not-up alerts until `until` (null: back now). Setting it answers any open
   * inactivity alert of the home (whoever says the resident is away has accounted for them).
   */
  setAway (homeId: string, until: number | null, by: string): AlertSettings {
    const now = this.now()
    const away = until !== null && until > now
    const settings = this.saveSettings(homeId, { awayUntil: away ? until : null }, by)
    if (away) {
      for (const type of ['inactivity', 'not_up'] as const) {
        const alert = this.openAlertOf(homeId, type)
        if (alert !== undefined) this.apply(alert, { kind: 'resolve', at: now, by, outcome: 'resident_ok', note: 'away mode' })
      }
    }
    this.rescheduleInactivity(homeId)
    return settings
  }

  updateSettings (homeId: string, input: AlertSettingsInput): AlertSettings {
    const { by, ...change } = input
    const settings = this.saveSettings(homeId, change, by)
    this.rescheduleInactivity(homeId)
    return settings
  }

  settingsWithAudit (homeId: string): AlertSettings & { audit: ReturnType<AlertWatch['store']['settingsAudit']> } {
    return { ...this.settings(homeId), audit: this.store.settingsAudit(homeId) }
  }

  private saveSettings (homeId: string, change: Partial<AlertSettings>, by: string): AlertSettings {
    if (this.deps.places.getHome(homeId) === undefined) throw new AnjuError('NOT_FOUND', `home ${homeId} does not exist`)
    const next = { ...this.settings(homeId), ...change, homeId, updatedAt: this.now(), updatedBy: by }
    this.store.transaction(() => this.store.saveSettings(next, change))
    this.settingsOf.set(homeId, next)
    return next
  }
}
