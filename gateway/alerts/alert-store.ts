// Alerts, their events and per-home alert settings in SQLite. Callers wrap related writes (and the
// notifications they cause) in one `transaction`.
import type { Alert, AlertEvent, AlertState, AlertType, LadderConfig } from '../../src/alerts.ts'
import type { AlertSettings } from '../../src/escalation/alert-schemas.ts'
import type { QuietHours } from '../../src/escalation/rules.ts'
import type { Db } from '../db/open-database.ts'

const ALERT_COLUMNS = `id, home_id AS homeId, type, state, rung, since, opened_at AS openedAt, next_rung_at AS nextRungAt,
  acknowledged_at AS acknowledgedAt, acknowledged_by AS acknowledgedBy, resolved_at AS resolvedAt,
  resolved_by AS resolvedBy, outcome, note`

interface SettingsRow {
  homeId: string
  awayUntil: number | null
  inactivityThresholdMs: number | null
  quietHours: string | null
  ladder: string | null
  updatedAt: number
  updatedBy: string
}

export function emptySettings (homeId: string): AlertSettings {
  return { homeId, awayUntil: null, inactivityThresholdMs: null, quietHours: null, ladder: null, updatedAt: null, updatedBy: null }
}

export class AlertStore {
  private readonly upsertStmt
  private readonly eventStmt

  constructor (private readonly db: Db) {
    this.upsertStmt = db.prepare(`INSERT INTO alerts (id, home_id, type, state, rung, since, opened_at, next_rung_at,
        acknowledged_at, acknowledged_by, resolved_at, resolved_by, outcome, note)
      VALUES (@id, @homeId, @type, @state, @rung, @since, @openedAt, @nextRungAt, @acknowledgedAt, @acknowledgedBy,
        @resolvedAt, @resolvedBy, @outcome, @note)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, rung = excluded.rung, since = excluded.since,
        next_rung_at = excluded.next_rung_at, acknowledged_at = excluded.acknowledged_at,
        acknowledged_by = excluded.acknowledged_by, resolved_at = excluded.resolved_at,
        resolved_by = excluded.resolved_by, outcome = excluded.outcome, note = excluded.note`)
    this.eventStmt = db.prepare(`INSERT INTO alert_events (alert_id, at, actor, action, rung, detail)
      VALUES (@alertId, @at, @actor, @action, @rung, @detail)`)
  }

  transaction<T> (fn: () => T): T {
    return this.db.transaction(fn)()
  }

  save (alert: Alert): void {
    this.upsertStmt.run(alert)
  }

  addEvent (event: AlertEvent): void {
    this.eventStmt.run(event)
  }

  get (id: string): Alert | undefined {
    return this.db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ?`).get(id) as Alert | undefined
  }

  events (alertId: string): AlertEvent[] {
    return this.db.prepare(`SELECT alert_id AS alertId, at, actor, action, rung, detail FROM alert_events
      WHERE alert_id = ? ORDER BY id`).all(alertId) as AlertEvent[]
  }

  /** Open and acknowledged alerts: what the engine resumes after a restart. */
  unresolved (): Alert[] {
    return this.db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE state != 'resolved'`).all() as Alert[]
  }

  list (filter: { state?: AlertState, homeId?: string, type?: AlertType }, limit = 500): Alert[] {
    return this.db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts
      WHERE (@state IS NULL OR state = @state) AND (@homeId IS NULL OR home_id = @homeId) AND (@type IS NULL OR type = @type)
      ORDER BY opened_at DESC, id LIMIT @limit`)
      .all({ state: filter.state ?? null, homeId: filter.homeId ?? null, type: filter.type ?? null, limit }) as Alert[]
  }

  allSettings (): AlertSettings[] {
    const rows = this.db.prepare(`SELECT home_id AS homeId, away_until AS awayUntil, inactivity_threshold_ms AS inactivityThresholdMs,
      quiet_hours AS quietHours, ladder, updated_at AS updatedAt, updated_by AS updatedBy FROM home_alert_settings`).all() as SettingsRow[]
    return rows.map((r) => ({
      ...r,
      quietHours: r.quietHours === null ? null : JSON.parse(r.quietHours) as QuietHours,
      ladder: r.ladder === null ? null : JSON.parse(r.ladder) as LadderConfig
    }))
  }

  /** Write the settings and one audit row with what changed (called inside a transaction). */
  saveSettings (settings: AlertSettings & { updatedAt: number, updatedBy: string }, change: Record<string, unknown>): void {
    this.db.prepare(`INSERT INTO home_alert_settings (home_id, away_until, inactivity_threshold_ms, quiet_hours, ladder, updated_at, updated_by)
      VALUES (@homeId, @awayUntil, @inactivityThresholdMs, @quietHours, @ladder, @updatedAt, @updatedBy)
      ON CONFLICT (home_id) DO UPDATE SET away_until = excluded.away_until, inactivity_threshold_ms = excluded.inactivity_threshold_ms,
        quiet_hours = excluded.quiet_hours, ladder = excluded.ladder, updated_at = excluded.updated_at, updated_by = excluded.updated_by`)
      .run({
        ...settings,
        quietHours: settings.quietHours === null ? null : JSON.stringify(settings.quietHours),
        ladder: settings.ladder === null ? null : JSON.stringify(settings.ladder)
      })
    this.db.prepare('INSERT INTO home_alert_settings_audit (home_id, at, actor, change) VALUES (?, ?, ?, ?)')
      .run(settings.homeId, settings.updatedAt, settings.updatedBy, JSON.stringify(change))
  }

  settingsAudit (homeId: string): Array<{ at: number, actor: string, change: Record<string, unknown> }> {
    const rows = this.db.prepare('SELECT at, actor, change FROM home_alert_settings_audit WHERE home_id = ? ORDER BY id')
      .all(homeId) as Array<{ at: number, actor: string, change: string }>
    return rows.map((r) => ({ ...r, change: JSON.parse(r.change) as Record<string, unknown> }))
  }
}
