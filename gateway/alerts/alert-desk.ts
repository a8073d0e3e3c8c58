// What people do with alerts — read them, acknowledge, resolve with the outcome, away mode — for the
// surfaces they use (acknowledge links, the console), from whichever side holds the alerts: the embedded
// gateway's AlertEngine (synchronous), or in cluster mode PostgreSQL for reads and the home's partition
// owner for the actions (gateway/cluster/cluster-alert-desk.ts, asynchronous).
import type { Alert, AlertEvent, AlertState, AlertType, Outcome } from '../../src/alerts.ts'
import type { AlertSettings } from '../../src/escalation/alert-schemas.ts'
import type { Db } from '../db/open-database.ts'
import type { MaybePromise } from '../notify/outbox-queue.ts'
import { engineHouseholdAlerts, type HouseholdAlerts } from '../tv/household-alerts.ts'
import type { AlertEngine } from './alert-engine.ts'

export interface AlertNotification {
  id: number
  at: number
  recipient: string
  channel: string
  kind: string
  deliveredAt: number | null
  attempts: number
  lastError: string | null
  failedAt: number | null
}

/** The outbox columns as AlertNotification names them (the same in SQLite and PostgreSQL). */
export const ALERT_NOTIFICATION_COLUMNS = `id, created_at AS "at", recipient, channel, kind, delivered_at AS "deliveredAt", attempts,
  last_error AS "lastError", dead_at AS "failedAt"`

export interface AlertDesk {
  /** The alert with its events; throws NOT_FOUND. */
  get(id: string): MaybePromise<Alert & { events: AlertEvent[] }>
  /** Newest first. */
  list(filter: { state?: AlertState, homeId?: string, type?: AlertType }): MaybePromise<Alert[]>
  /** Throws CONFLICT once resolved. Returns the alert as it stands after. */
  acknowledge(id: string, by: string): MaybePromise<Alert>
  resolve(id: string, by: string, outcome: Outcome, note: string | null): MaybePromise<Alert>
  setAway(homeId: string, until: number | null, by: string): MaybePromise<AlertSettings>
  /** Every message queued for the alert, oldest first: who was told, on what, whether it arrived. */
  notifications(alertId: string): MaybePromise<AlertNotification[]>
  /** The household's view of a home's alerts (the TV's, the family page's, an acknowledge link's status). */
  household: HouseholdAlerts
}

export function engineAlertDesk (engine: AlertEngine, db: Db): AlertDesk {
  const notifications = db.prepare(`SELECT ${ALERT_NOTIFICATION_COLUMNS} FROM outbox WHERE alert_id = ? ORDER BY id`)
  return {
    notifications: (alertId) => notifications.all(alertId) as AlertNotification[],
    get: (id) => engine.get(id),
    list: (filter) => engine.list(filter),
    acknowledge: (id, by) => engine.acknowledge(id, by),
    resolve: (id, by, outcome, note) => engine.resolve(id, by, outcome, note),
    setAway: (homeId, until, by) => engine.setAway(homeId, until, by),
    household: engineHouseholdAlerts(engine)
  }
}
