// The outbox table (migration 2): one row per message to one recipient on one channel. A pending row has
// next_attempt_at set; a delivered or dead row has it NULL. Synchronous (better-sqlite3), so an insert
// joins whatever transaction the caller has open on the same connection.
import type { Db } from '../db/open-database.ts'
import type { Notification } from '../../src/alerts.ts'
import type { ChannelName, Delivery } from './channel.ts'
import type { OutboxQueue } from './outbox-queue.ts'

export interface OutboxRow {
  id: number
  createdAt: number
  recipient: string
  channel: ChannelName
  kind: Notification['kind']
  alertId: string | null
  attempts: number
  nextAttemptAt: number | null
  deliveredAt: number | null
  lastError: string | null
  deadAt: number | null
}

interface RawRow extends OutboxRow { payload: string }

const COLUMNS = `id, created_at AS createdAt, recipient, channel, kind, alert_id AS alertId, payload, attempts,
  next_attempt_at AS nextAttemptAt, delivered_at AS deliveredAt, last_error AS lastError, dead_at AS deadAt`

export function toDelivery (row: RawRow): Delivery & { attempts: number } {
  const payload = JSON.parse(row.payload) as { text: string, data: Record<string, unknown>, ackUrl?: string }
  return {
    id: String(row.id),
    createdAt: row.createdAt,
    alertId: row.alertId,
    recipient: row.recipient,
    channel: row.channel,
    kind: row.kind,
    text: payload.text,
    data: payload.data,
    ...(payload.ackUrl === undefined ? {} : { ackUrl: payload.ackUrl }),
    attempts: row.attempts
  }
}

export class OutboxStore implements OutboxQueue {
  private readonly insertStmt
  private readonly dueStmt
  private readonly earliestStmt
  private readonly leaseStmt

  constructor (private readonly db: Db) {
    this.insertStmt = db.prepare(`INSERT INTO outbox (created_at, recipient, channel, kind, alert_id, dedupe_key, payload, next_attempt_at)
      VALUES (@createdAt, @recipient, @channel, @kind, @alertId, @dedupeKey, @payload, @createdAt)
      ON CONFLICT (dedupe_key) DO NOTHING`)
    this.dueStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`)
    this.earliestStmt = db.prepare('SELECT MIN(next_attempt_at) AS at FROM outbox WHERE next_attempt_at IS NOT NULL')
    this.leaseStmt = db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE id = ?')
  }

  get open (): boolean { return this.db.open }

  /** One INSERT; returns the new row id, or null when a row with the same dedupe key already exists. */
  insert (n: Notification, now: number, dedupeKey: string | null): number | null {
    const payload = JSON.stringify({ text: n.text, data: n.data, ...(n.ackUrl === undefined ? {} : { ackUrl: n.ackUrl }) })
    const result = this.insertStmt.run({
      createdAt: now, recipient: n.recipient, channel: n.channel, kind: n.kind, alertId: n.alertId, dedupeKey, payload
    })
    return result.changes === 0 ? null : Number(result.lastInsertRowid)
  }

  earliestDue (): number | null {
    return (this.earliestStmt.get() as { at: number | null }).at
  }

  /**
   * Take up to `limit` due rows and lease them until `leaseUntil`: the lease keeps them from being taken
   * again while in flight, and is what resumes them if the process dies mid-send (at-least-once).
   */
  claimDue (now: number, limit: number, leaseUntil: number): Array<Delivery & { attempts: number }> {
    return this.db.transaction(() => {
      const rows = this.dueStmt.all(now, limit) as RawRow[]
      for (const row of rows) this.leaseStmt.run(leaseUntil, row.id)
      return rows.map(toDelivery)
    })()
  }

  markDelivered (id: number, now: number, countAttempt = true): void {
    this.db.prepare(`UPDATE outbox SET delivered_at = COALESCE(delivered_at, @now), next_attempt_at = NULL,
      attempts = attempts + @inc, last_error = NULL WHERE id = @id AND dead_at IS NULL`).run({ id, now, inc: countAttempt ? 1 : 0 })
  }

  /** Record a failed attempt: retry at `nextAt`, or dead (`deadAt`) when nextAt is null. */
  markFailed (id: number, attempts: number, error: string, nextAt: number | null, deadAt: number | null): void {
    this.db.prepare(`UPDATE outbox SET attempts = @attempts, last_error = @error, next_attempt_at = @nextAt, dead_at = @deadAt
      WHERE id = @id AND delivered_at IS NULL`).run({ id, attempts, error, nextAt, deadAt })
  }

  /** Put a leased row back without counting an attempt (shutdown mid-send). */
  release (id: number, at: number): void {
    this.db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL AND dead_at IS NULL').run(at, id)
  }

  /** Make a recipient's pending rows on a channel due now (an SSE client just connected). */
  kick (recipient: string, channel: ChannelName, now: number): number {
    return this.db.prepare(`UPDATE outbox SET next_attempt_at = @now WHERE recipient = @recipient AND channel = @channel
      AND next_attempt_at > @now`).run({ recipient, channel, now }).changes
  }

  /** Messages for a recipient after `afterId` (delivered or not, not dead), for SSE Last-Event-ID replay. */
  replay (recipient: string, channel: ChannelName, afterId: number, since: number, limit: number): Delivery[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE recipient = ? AND channel = ? AND id > ? AND created_at >= ?
      AND dead_at IS NULL ORDER BY id LIMIT ?`).all(recipient, channel, afterId, since, limit) as RawRow[]).map(toDelivery)
  }

  pendingByChannel (): Array<{ channel: ChannelName, n: number }> {
    return this.db.prepare('SELECT channel, COUNT(*) AS n FROM outbox WHERE next_attempt_at IS NOT NULL GROUP BY channel').all() as Array<{ channel: ChannelName, n: number }>
  }

  get (id: number): OutboxRow | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`).get(id) as RawRow | undefined
    if (row === undefined) return undefined
    const { payload: _payload, ...rest } = row
    return rest
  }

  /** Retention: delete delivered and dead rows (they hold names in their text) created before `before`. */
  prune (before: number): number {
    return this.db.prepare('DELETE FROM outbox WHERE created_at < ? AND next_attempt_at IS NULL').run(before).changes
  }
}
