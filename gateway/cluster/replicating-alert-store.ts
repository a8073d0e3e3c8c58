// The alert store of one partition in cluster mode. The alert engine stays synchronous: it writes to a
// local in-memory SQLite copy of the partition's alert state exactly as in single-process mode, and this
// store collects everything one transaction wrote — alerts, audit rows, settings and the notifications
// the transition caused — into one AlertBatch, handed over after the local commit. The batch is then
// committed to PostgreSQL in one transaction (gateway/cluster/pg/alert-log.ts), and only a committed
// batch's notifications are ever sent: a worker that dies first has told no one, and the partition's
// next owner computes the transition again from the state in PostgreSQL.
import type { Alert, AlertEvent, Notification } from '../../src/alerts.ts'
import type { AlertSettings } from '../../src/escalation/alert-schemas.ts'
import type { Clock } from '../../src/clock.ts'
import { AlertStore } from '../alerts/alert-store.ts'
import type { NotificationSink } from '../alerts/notifier.ts'
import type { Db } from '../db/open-database.ts'
import type { AlertBatch, PartitionState } from './contracts.ts'

interface OpenBatch {
  alerts: Map<string, Alert>
  events: AlertEvent[]
  notifications: AlertBatch['notifications']
  settings: AlertBatch['settings']
}

const emptyBatch = (): OpenBatch => ({ alerts: new Map(), events: [], notifications: [], settings: [] })

export class ReplicatingAlertStore extends AlertStore {
  private open: OpenBatch | null = null
  /** True while loading state from PostgreSQL: those writes are already durable, nothing to ship. */
  private seeding = false
  /** The engine's notification sink: notifications join the batch of the transaction that caused them. */
  readonly sink: NotificationSink = {
    enqueue: (n) => this.capture((b) => {
      for (const row of this.expand(n)) b.notifications.push({ notification: row, createdAt: this.clock.now() })
    })
  }

  /**
   * @param expand the outbox rows one notification becomes (NotifyService.expand: one per channel of the
   *   recipient); default the notification as given.
   */
  constructor (db: Db, private readonly clock: Clock, private readonly ship: (batch: AlertBatch) => void,
    private readonly expand: (n: Notification) => Notification[] = (n) => [n]) {
    super(db)
  }

  /** Load a partition's durable state into the local copy (before its engine starts). */
  seed (state: PartitionState): void {
    this.seeding = true
    try {
      super.transaction(() => {
        for (const alert of state.alerts) super.save(alert)
        for (const event of state.events) super.addEvent(event)
        for (const s of state.settings) super.saveSettings({ ...s, updatedAt: s.updatedAt ?? 0, updatedBy: s.updatedBy ?? 'system' }, {})
      })
    } finally {
      this.seeding = false
    }
  }

  override transaction<T> (fn: () => T): T {
    // Nested: better-sqlite3 makes it a savepoint; its writes belong to the outer batch.
    if (this.open !== null) return super.transaction(fn)
    const batch = this.open = emptyBatch()
    let result: T
    try {
      result = super.transaction(fn)
    } finally {
      this.open = null
    }
    if (batch.alerts.size + batch.events.length + batch.notifications.length + batch.settings.length > 0) {
      this.ship({ alerts: [...batch.alerts.values()], events: batch.events, notifications: batch.notifications, settings: batch.settings })
    }
    return result
  }

  override save (alert: Alert): void {
    super.save(alert)
    this.capture((b) => b.alerts.set(alert.id, { ...alert }))
  }

  override addEvent (event: AlertEvent): void {
    super.addEvent(event)
    this.capture((b) => b.events.push({ ...event }))
  }

  override saveSettings (settings: AlertSettings & { updatedAt: number, updatedBy: string }, change: Record<string, unknown>): void {
    super.saveSettings(settings, change)
    this.capture((b) => b.settings.push({ settings: { ...settings }, change }))
  }

  /** Add to the open transaction's batch; a write outside one ships alone (the engine always opens one). */
  private capture (add: (batch: OpenBatch) => void): void {
    if (this.seeding) return
    if (this.open !== null) { add(this.open); return }
    this.transaction(() => { if (this.open !== null) add(this.open) })
  }
}
