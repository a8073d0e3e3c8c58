// People's actions on alerts in cluster mode (acknowledge links, the console): reads from PostgreSQL, and
// actions routed to the home's partition owner on its stream, as the worker API routes them. A person
// pressing "I'm on it" expects to see it taken, so an action then waits (briefly) for the owner's commit
// to show in PostgreSQL and answers with the alert as it stands; if the owner is slow (a takeover in
// progress), the answer is the alert as it was, and the routed command is still applied when the new
// owner reads the stream.
import type { Alert, AlertEvent, AlertState, AlertType, Outcome } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import type { AlertSettings } from '../../src/escalation/alert-schemas.ts'
import { AnjuError } from '../../src/errors.ts'
import type pg from 'pg'
import { ALERT_NOTIFICATION_COLUMNS, type AlertDesk, type AlertNotification } from '../alerts/alert-desk.ts'
import type { HouseholdAlerts } from '../tv/household-alerts.ts'
import type { AlertCommand } from './contracts.ts'
import type { PgAlertLog } from './pg/alert-log.ts'
import { int8, int8OrNull } from './pg/pg-schema.ts'

/** Long enough for an owner's batch commit (a few ms to ~100 ms); short enough for a phone's patience. */
const APPLIED_WAIT_MS = 3000
const POLL_MS = 50

export interface ClusterAlertDeskDeps {
  alertLog: Pick<PgAlertLog, 'get' | 'events' | 'list' | 'settingsOf'>
  pool: pg.Pool
  household: HouseholdAlerts
  route: (homeId: string, command: AlertCommand) => Promise<unknown>
  clock: Clock
  appliedWaitMs?: number
}

export class ClusterAlertDesk implements AlertDesk {
  readonly household: HouseholdAlerts

  constructor (private readonly deps: ClusterAlertDeskDeps) {
    this.household = deps.household
  }

  async get (id: string): Promise<Alert & { events: AlertEvent[] }> {
    const alert = await this.deps.alertLog.get(id)
    if (alert === undefined) throw new AnjuError('NOT_FOUND', `alert ${id} does not exist`)
    return { ...alert, events: await this.deps.alertLog.events(id) }
  }

  async list (filter: { state?: AlertState, homeId?: string, type?: AlertType }): Promise<Alert[]> {
    return await this.deps.alertLog.list(filter)
  }

  async notifications (alertId: string): Promise<AlertNotification[]> {
    const { rows } = await this.deps.pool.query<Record<string, unknown>>(`SELECT ${ALERT_NOTIFICATION_COLUMNS} FROM outbox WHERE alert_id = $1 ORDER BY id`, [alertId])
    return rows.map((r) => ({
      id: int8(r.id), at: int8(r.at), recipient: r.recipient as string, channel: r.channel as string, kind: r.kind as string,
      deliveredAt: int8OrNull(r.deliveredAt), attempts: r.attempts as number, lastError: r.lastError as string | null, failedAt: int8OrNull(r.failedAt)
    }))
  }

  async acknowledge (id: string, by: string): Promise<Alert> {
    const alert = await this.unresolved(id)
    if (alert.state === 'acknowledged') return alert
    await this.deps.route(alert.homeId, { kind: 'ack', alertId: id, by })
    return await this.settled(id, (a) => a.state !== 'open')
  }

  async resolve (id: string, by: string, outcome: Outcome, note: string | null): Promise<Alert> {
    const alert = await this.unresolved(id)
    await this.deps.route(alert.homeId, { kind: 'resolve', alertId: id, by, outcome, note })
    return await this.settled(id, (a) => a.state === 'resolved')
  }

  async setAway (homeId: string, until: number | null, by: string): Promise<AlertSettings> {
    await this.deps.route(homeId, { kind: 'away', homeId, until, by })
    const expected = until !== null && until > this.deps.clock.now() ? until : null
    return await this.waitFor(async () => await this.deps.alertLog.settingsOf(homeId), (s) => s.awayUntil === expected)
  }

  /** As AlertEngine: NOT_FOUND for no such alert, CONFLICT once resolved. */
  private async unresolved (id: string): Promise<Alert> {
    const alert = await this.deps.alertLog.get(id)
    if (alert === undefined) throw new AnjuError('NOT_FOUND', `alert ${id} does not exist`)
    if (alert.state === 'resolved') throw new AnjuError('CONFLICT', `alert ${id} is already resolved`)
    return alert
  }

  private async settled (id: string, done: (a: Alert) => boolean): Promise<Alert> {
    return await this.waitFor(async () => await this.deps.alertLog.get(id) as Alert, done)
  }

  private async waitFor<T> (read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
    // Wall-clock deadline: the injected clock may be a simulated one that does not move on its own.
    const deadline = Date.now() + (this.deps.appliedWaitMs ?? APPLIED_WAIT_MS)
    for (;;) {
      const value = await read()
      if (done(value) || Date.now() >= deadline) return value
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }
}
