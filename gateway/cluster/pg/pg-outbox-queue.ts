// The outbox in PostgreSQL, shared by every worker: gateway/notify/outbox.ts's delivery loop (backoff,
// concurrency, dead rows, metrics) drains it unchanged through the OutboxQueue interface. Rows are
// claimed with FOR UPDATE SKIP LOCKED and leased in the same statement, so two workers never take the
// same row; a worker that dies mid-send leaves a lease that runs out and anyone may then retry the row.
import type pg from 'pg'
import type { Notification } from '../../../src/alerts.ts'
import type { ChannelName, Delivery } from '../../notify/channel.ts'
import type { OutboxQueue } from '../../notify/outbox-queue.ts'
import { toDelivery, type OutboxRow } from '../../notify/outbox-store.ts'
import { OUTBOX_CHANNEL } from './alert-log.ts'
import { listen } from './pg-listen.ts'
import { int8, int8OrNull } from './pg-schema.ts'

const columns = (t = ''): string => `${t}id, ${t}created_at AS "createdAt", ${t}recipient, ${t}channel, ${t}kind,
  ${t}alert_id AS "alertId", ${t}payload, ${t}attempts, ${t}next_attempt_at AS "nextAttemptAt", ${t}delivered_at AS "deliveredAt",
  ${t}last_error AS "lastError", ${t}dead_at AS "deadAt"`
/** The outbox columns under OutboxRow's names (plus payload), for queries of other modules (pg-sse.ts). */
export const OUTBOX_COLUMNS = columns()

export type Raw = Record<string, unknown>
export interface RawRow extends OutboxRow { payload: string }

/** pg's int8 strings to numbers: the same row objects as the SQLite OutboxStore's. */
export function toRow (r: Raw): RawRow {
  return {
    id: int8(r.id),
    createdAt: int8(r.createdAt),
    recipient: r.recipient as string,
    channel: r.channel as ChannelName,
    kind: r.kind as Notification['kind'],
    alertId: r.alertId as string | null,
    payload: r.payload as string,
    attempts: r.attempts as number,
    nextAttemptAt: int8OrNull(r.nextAttemptAt),
    deliveredAt: int8OrNull(r.deliveredAt),
    lastError: r.lastError as string | null,
    deadAt: int8OrNull(r.deadAt)
  }
}

export class PgOutboxQueue implements OutboxQueue {
  private closed = false

  /**
   * @param channels the channels this process can deliver on; rows on others are left for a process that
   *   can (cluster workers serve no TV screens, so they leave `sse` rows alone rather than fail them until
   *   dead). Default: every channel.
   */
  constructor (private readonly pool: pg.Pool, private readonly channels?: readonly ChannelName[]) {}

  get open (): boolean { return !this.closed }

  /** Stop serving the delivery loop (call before ending the pool). The pool is the caller's. */
  close (): void { this.closed = true }

  /** Insert one row, due at once; returns its id, or null when `dedupeKey` was already used. Wakes every worker. */
  async insert (n: Notification, now: number, dedupeKey: string | null = null): Promise<number | null> {
    const payload = JSON.stringify({ text: n.text, data: n.data, ...(n.ackUrl === undefined ? {} : { ackUrl: n.ackUrl }) })
    // One statement: the notification is queued by the same (implicit) transaction, sent only if the
    // row commits, and not at all for a duplicate (no row comes out of the INSERT).
    const { rows } = await this.pool.query<{ id: string }>(`WITH inserted AS (
        INSERT INTO outbox (created_at, recipient, channel, kind, alert_id, dedupe_key, payload, next_attempt_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $1) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
      )
      SELECT id, pg_notify('${OUTBOX_CHANNEL}', '') FROM inserted`,
    [now, n.recipient, n.channel, n.kind, n.alertId, dedupeKey, payload])
    return rows[0] === undefined ? null : int8(rows[0].id)
  }

  async earliestDue (): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: string | null }>(`SELECT MIN(next_attempt_at) AS at FROM outbox WHERE next_attempt_at IS NOT NULL
      AND ($1::text[] IS NULL OR channel = ANY($1))`, [this.channels ?? null])
    return int8OrNull(rows[0]?.at)
  }

  /**
   * Select the due rows no other worker holds (SKIP LOCKED: rows another worker is claiming right now are
   * passed over, not waited for) and lease them, in one statement and so one transaction.
   */
  async claimDue (now: number, limit: number, leaseUntil: number): Promise<Array<Delivery & { attempts: number }>> {
    const { rows } = await this.pool.query<Raw>(`WITH due AS (
        SELECT id, next_attempt_at FROM outbox WHERE next_attempt_at <= $1 AND ($4::text[] IS NULL OR channel = ANY($4))
        ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
      )
      UPDATE outbox o SET next_attempt_at = $3 FROM due WHERE o.id = due.id
      RETURNING ${columns('o.')}, due.next_attempt_at AS "dueAt"`, [now, limit, leaseUntil, this.channels ?? null])
    // RETURNING has no order: due first, as the SQLite store hands them out.
    rows.sort((a, b) => int8(a.dueAt) - int8(b.dueAt) || int8(a.id) - int8(b.id))
    return rows.map((r) => toDelivery(toRow(r)))
  }

  async markDelivered (id: number, now: number, countAttempt = true): Promise<void> {
    await this.pool.query(`UPDATE outbox SET delivered_at = COALESCE(delivered_at, $2), next_attempt_at = NULL,
      attempts = attempts + $3, last_error = NULL WHERE id = $1 AND dead_at IS NULL`, [id, now, countAttempt ? 1 : 0])
  }

  async markFailed (id: number, attempts: number, error: string, nextAt: number | null, deadAt: number | null): Promise<void> {
    await this.pool.query(`UPDATE outbox SET attempts = $2, last_error = $3, next_attempt_at = $4, dead_at = $5
      WHERE id = $1 AND delivered_at IS NULL`, [id, attempts, error, nextAt, deadAt])
  }

  async release (id: number, at: number): Promise<void> {
    await this.pool.query('UPDATE outbox SET next_attempt_at = $2 WHERE id = $1 AND delivered_at IS NULL AND dead_at IS NULL', [id, at])
  }

  async kick (recipient: string, channel: ChannelName, now: number): Promise<number> {
    const result = await this.pool.query(`UPDATE outbox SET next_attempt_at = $3 WHERE recipient = $1 AND channel = $2
      AND next_attempt_at > $3`, [recipient, channel, now])
    return result.rowCount ?? 0
  }

  /** Messages for a recipient after `afterId` (delivered or not, not dead), for SSE Last-Event-ID replay. */
  async replay (recipient: string, channel: ChannelName, afterId: number, since: number, limit: number): Promise<Delivery[]> {
    const { rows } = await this.pool.query<Raw>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE recipient = $1 AND channel = $2 AND id > $3
      AND created_at >= $4 AND dead_at IS NULL ORDER BY id LIMIT $5`, [recipient, channel, afterId, since, limit])
    return rows.map((r) => toDelivery(toRow(r)))
  }

  async pendingByChannel (): Promise<Array<{ channel: ChannelName, n: number }>> {
    const { rows } = await this.pool.query<{ channel: ChannelName, n: string }>(
      'SELECT channel, COUNT(*) AS n FROM outbox WHERE next_attempt_at IS NOT NULL GROUP BY channel')
    return rows.map((r) => ({ channel: r.channel, n: int8(r.n) }))
  }

  async get (id: number): Promise<OutboxRow | undefined> {
    const { rows } = await this.pool.query<Raw>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = $1`, [id])
    if (rows[0] === undefined) return undefined
    const { payload: _payload, ...rest } = toRow(rows[0])
    return rest
  }

  /** Retention: delete delivered and dead rows (they hold names in their text) created before `before`. */
  async prune (before: number): Promise<number> {
    return (await this.pool.query('DELETE FROM outbox WHERE created_at < $1 AND next_attempt_at IS NULL', [before])).rowCount ?? 0
  }

  /**
   * Call `onInsert` whenever any worker commits outbox rows (and after a reconnect, when a NOTIFY may have
   * been missed): pass the local Outbox's `wake`. Resolves once listening; the function returned stops.
   */
  async listen (onInsert: () => void, options: { source?: string | pg.Pool, onError?: (err: Error) => void } = {}): Promise<() => Promise<void>> {
    return await listen(options.source ?? this.pool, OUTBOX_CHANNEL, { onNotify: () => onInsert(), onError: options.onError })
  }
}
