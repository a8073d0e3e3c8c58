// Alerts in cluster mode: each partition's owner commits every alert transition (alert rows, audit rows,
// settings, outbox rows) in one PostgreSQL transaction that first checks the partition's fencing epoch.
// A worker that lost its lease but has not noticed yet (a GC pause, a partition from Redis) still holds
// an old epoch, so its late commit is refused whole: no alert row and no notification from a stale owner.
// Read methods give the HTTP API the same shapes as gateway/alerts/alert-store.ts.
import { createHash } from 'node:crypto'
import type pg from 'pg'
import type { Alert, AlertEvent, AlertState, AlertType, LadderConfig } from '../../../src/alerts.ts'
import type { AlertSettings } from '../../../src/escalation/alert-schemas.ts'
import type { QuietHours } from '../../../src/escalation/rules.ts'
import { emptySettings } from '../../alerts/alert-store.ts'
import { FencedError, type AlertBatch, type PartitionState } from '../contracts.ts'
import { int8, int8OrNull } from './pg-schema.ts'

export const OUTBOX_CHANNEL = 'anju_outbox'

const ALERT_COLUMNS = `id, home_id AS "homeId", type, state, rung, since, opened_at AS "openedAt", next_rung_at AS "nextRungAt",
  acknowledged_at AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy", resolved_at AS "resolvedAt",
  resolved_by AS "resolvedBy", outcome, note`
const EVENT_COLUMNS = 'alert_id AS "alertId", at, actor, action, rung, detail'
const SETTINGS_COLUMNS = `home_id AS "homeId", away_until AS "awayUntil", inactivity_threshold_ms AS "inactivityThresholdMs",
  quiet_hours AS "quietHours", ladder, updated_at AS "updatedAt", updated_by AS "updatedBy"`

type Raw = Record<string, unknown>

// Key order as SQLite's rows (the column order of the SELECT), so objects compare and serialise alike.
function toAlert (r: Raw): Alert {
  return {
    id: r.id as string,
    homeId: r.homeId as string,
    type: r.type as AlertType,
    state: r.state as AlertState,
    rung: r.rung as Alert['rung'],
    since: int8(r.since),
    openedAt: int8(r.openedAt),
    nextRungAt: int8OrNull(r.nextRungAt),
    acknowledgedAt: int8OrNull(r.acknowledgedAt),
    acknowledgedBy: r.acknowledgedBy as string | null,
    resolvedAt: int8OrNull(r.resolvedAt),
    resolvedBy: r.resolvedBy as string | null,
    outcome: r.outcome as Alert['outcome'],
    note: r.note as string | null
  }
}

function toEvent (r: Raw): AlertEvent {
  return {
    alertId: r.alertId as string,
    at: int8(r.at),
    actor: r.actor as string,
    action: r.action as AlertEvent['action'],
    rung: r.rung as number | null,
    detail: r.detail as string | null
  }
}

function toSettings (r: Raw): AlertSettings {
  return {
    homeId: r.homeId as string,
    awayUntil: int8OrNull(r.awayUntil),
    inactivityThresholdMs: int8OrNull(r.inactivityThresholdMs),
    quietHours: r.quietHours === null ? null : JSON.parse(r.quietHours as string) as QuietHours,
    ladder: r.ladder === null ? null : JSON.parse(r.ladder as string) as LadderConfig,
    updatedAt: int8OrNull(r.updatedAt),
    updatedBy: r.updatedBy as string | null
  }
}

/** The last state of each alert, resolved ones first: an alert resolved and its successor opened in the
 *  same transition must not collide on the one-unresolved-per-home-and-type index. */
function latestAlerts (alerts: Alert[]): Alert[] {
  const byId = new Map<string, Alert>()
  for (const a of alerts) { byId.delete(a.id); byId.set(a.id, a) }
  const all = [...byId.values()]
  return [...all.filter((a) => a.state === 'resolved'), ...all.filter((a) => a.state !== 'resolved')]
}

export class PgAlertLog {
  constructor (
    private readonly pool: pg.Pool,
    /** The partition of a home (gateway/cluster/partitions.ts), with the cluster's partition count bound. */
    private readonly partitionOf: (homeId: string) => number
  ) {}

  /** Take over a partition: bump and return its epoch; commits carrying an older epoch are refused from now. */
  async claimPartition (partition: number, workerId: string, now: number): Promise<number> {
    const { rows } = await this.pool.query<{ epoch: string }>(`INSERT INTO partition_epochs (partition, epoch, owner, claimed_at)
      VALUES ($1, 1, $2, $3)
      ON CONFLICT (partition) DO UPDATE SET epoch = partition_epochs.epoch + 1, owner = EXCLUDED.owner, claimed_at = EXCLUDED.claimed_at
      RETURNING epoch`, [partition, workerId, now])
    return int8(rows[0]?.epoch)
  }

  /**
   * What a new owner resumes: the partition's unresolved alerts, their events in order, its settings, and
   * the stream position of the last committed batch.
   */
  async loadPartition (partition: number): Promise<PartitionState> {
    const client = await this.pool.connect()
    try {
      // One snapshot: an alert and its events from the same moment.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const alerts = await client.query<Raw>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE partition = $1 AND state <> 'resolved'
        ORDER BY opened_at, id COLLATE "C"`, [partition])
      const events = await client.query<Raw>(`SELECT ${EVENT_COLUMNS} FROM alert_events
        WHERE alert_id IN (SELECT id FROM alerts WHERE partition = $1 AND state <> 'resolved') ORDER BY id`, [partition])
      const settings = await client.query<Raw>(`SELECT ${SETTINGS_COLUMNS} FROM home_alert_settings WHERE partition = $1
        ORDER BY home_id COLLATE "C"`, [partition])
      const stream = await client.query<{ streamId: string | null }>('SELECT stream_id AS "streamId" FROM partition_epochs WHERE partition = $1', [partition])
      await client.query('COMMIT')
      return {
        alerts: alerts.rows.map(toAlert),
        events: events.rows.map(toEvent),
        settings: settings.rows.map(toSettings),
        streamId: stream.rows[0]?.streamId ?? null
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }

  /**
   * Write one transition, all or nothing, if `epoch` is still the partition's: otherwise nothing is
   * written and FencedError is thrown (the caller must stop acting for the partition).
   */
  async commit (partition: number, epoch: number, batch: AlertBatch): Promise<void> {
    // Checked before anything is written: a batch spanning partitions would escape the fence.
    for (const homeId of [...batch.alerts.map((a) => a.homeId), ...batch.settings.map((s) => s.settings.homeId)]) {
      const p = this.partitionOf(homeId)
      if (p !== partition) throw new Error(`home ${homeId} is in partition ${p}, not ${partition}`)
    }
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      // FOR UPDATE: a claim of this partition waits for this commit, and this commit for a claim
      // already running, so no transition straddles a change of owner.
      const { rows } = await client.query<{ epoch: string }>('SELECT epoch FROM partition_epochs WHERE partition = $1 FOR UPDATE', [partition])
      const current = rows[0] === undefined ? null : int8(rows[0].epoch)
      if (current !== epoch) {
        await client.query('ROLLBACK')
        throw new FencedError(partition, epoch)
      }
      if (batch.streamId !== undefined) await client.query('UPDATE partition_epochs SET stream_id = $2 WHERE partition = $1', [partition, batch.streamId])
      await this.writeAlerts(client, partition, latestAlerts(batch.alerts))
      await this.writeEvents(client, batch.events)
      for (const { settings, change } of batch.settings) await this.writeSettings(client, partition, settings, change)
      if (batch.notifications.length > 0) {
        await this.writeOutbox(client, batch.notifications)
        // Delivered at COMMIT: wakes the outbox of every worker (the rows are anyone's to send).
        await client.query(`NOTIFY ${OUTBOX_CHANNEL}`)
      }
      await client.query('COMMIT')
    } catch (err) {
      if (!(err instanceof FencedError)) await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }

  private async writeAlerts (client: pg.PoolClient, partition: number, alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return
    const col = <K extends keyof Alert>(k: K): Array<Alert[K]> => alerts.map((a) => a[k])
    await client.query(`INSERT INTO alerts (partition, id, home_id, type, state, rung, since, opened_at, next_rung_at,
        acknowledged_at, acknowledged_by, resolved_at, resolved_by, outcome, note)
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[], $8::bigint[], $9::bigint[],
        $10::bigint[], $11::text[], $12::bigint[], $13::text[], $14::text[], $15::text[])
      ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, rung = EXCLUDED.rung, since = EXCLUDED.since,
        next_rung_at = EXCLUDED.next_rung_at, acknowledged_at = EXCLUDED.acknowledged_at,
        acknowledged_by = EXCLUDED.acknowledged_by, resolved_at = EXCLUDED.resolved_at,
        resolved_by = EXCLUDED.resolved_by, outcome = EXCLUDED.outcome, note = EXCLUDED.note`,
    [partition, col('id'), col('homeId'), col('type'), col('state'), col('rung'), col('since'), col('openedAt'), col('nextRungAt'),
      col('acknowledgedAt'), col('acknowledgedBy'), col('resolvedAt'), col('resolvedBy'), col('outcome'), col('note')])
  }

  private async writeEvents (client: pg.PoolClient, events: AlertEvent[]): Promise<void> {
    if (events.length === 0) return
    // WITH ORDINALITY + ORDER BY: ids are assigned in the batch's order, which is the audit order.
    await client.query(`INSERT INTO alert_events (alert_id, at, actor, action, rung, detail)
      SELECT alert_id, at, actor, action, rung, detail
      FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[]) WITH ORDINALITY
        AS e(alert_id, at, actor, action, rung, detail, n) ORDER BY n`,
    [events.map((e) => e.alertId), events.map((e) => e.at), events.map((e) => e.actor), events.map((e) => e.action),
      events.map((e) => e.rung), events.map((e) => e.detail)])
  }

  private async writeSettings (client: pg.PoolClient, partition: number, s: AlertBatch['settings'][number]['settings'], change: Record<string, unknown>): Promise<void> {
    await client.query(`INSERT INTO home_alert_settings (home_id, partition, away_until, inactivity_threshold_ms, quiet_hours, ladder, updated_at, updated_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (home_id) DO UPDATE SET partition = EXCLUDED.partition, away_until = EXCLUDED.away_until,
        inactivity_threshold_ms = EXCLUDED.inactivity_threshold_ms, quiet_hours = EXCLUDED.quiet_hours, ladder = EXCLUDED.ladder,
        updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [s.homeId, partition, s.awayUntil, s.inactivityThresholdMs, s.quietHours === null ? null : JSON.stringify(s.quietHours),
      s.ladder === null ? null : JSON.stringify(s.ladder), s.updatedAt, s.updatedBy])
    await client.query('INSERT INTO home_alert_settings_audit (home_id, at, actor, change) VALUES ($1, $2, $3, $4)',
      [s.homeId, s.updatedAt, s.updatedBy, JSON.stringify(change)])
  }

  private async writeOutbox (client: pg.PoolClient, rows: AlertBatch['notifications']): Promise<void> {
    // The payload exactly as gateway/notify/outbox-store.ts writes it; due at once (next_attempt_at = created_at).
    const payload = rows.map(({ notification: n }) => JSON.stringify({ text: n.text, data: n.data, ...(n.ackUrl === undefined ? {} : { ackUrl: n.ackUrl }) }))
    // A commit whose COMMIT reached the database but whose answer was lost is retried by the caller; the
    // dedupe key (the message and the moment it was made) keeps that retry from sending it twice.
    const dedupe = rows.map(({ notification: n, createdAt }) => 'batch:' + createHash('sha256')
      .update(JSON.stringify([n.alertId, n.recipient, n.channel, n.kind, createdAt, n.text])).digest('base64url'))
    await client.query(`INSERT INTO outbox (created_at, recipient, channel, kind, alert_id, dedupe_key, payload, next_attempt_at)
      SELECT created_at, recipient, channel, kind, alert_id, dedupe_key, payload, created_at
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
        AS o(created_at, recipient, channel, kind, alert_id, dedupe_key, payload, n) ORDER BY n
      ON CONFLICT (dedupe_key) DO NOTHING`,
    [rows.map((r) => r.createdAt), rows.map((r) => r.notification.recipient), rows.map((r) => r.notification.channel),
      rows.map((r) => r.notification.kind), rows.map((r) => r.notification.alertId), dedupe, payload])
  }

  async get (id: string): Promise<Alert | undefined> {
    const { rows } = await this.pool.query<Raw>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [id])
    return rows[0] === undefined ? undefined : toAlert(rows[0])
  }

  async events (alertId: string): Promise<AlertEvent[]> {
    const { rows } = await this.pool.query<Raw>(`SELECT ${EVENT_COLUMNS} FROM alert_events WHERE alert_id = $1 ORDER BY id`, [alertId])
    return rows.map(toEvent)
  }

  /** Newest first, as AlertStore.list (ids compared bytewise, as SQLite does, whatever the database's collation). */
  async list (filter: { state?: AlertState, homeId?: string, type?: AlertType }, limit = 500): Promise<Alert[]> {
    const { rows } = await this.pool.query<Raw>(`SELECT ${ALERT_COLUMNS} FROM alerts
      WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR home_id = $2) AND ($3::text IS NULL OR type = $3)
      ORDER BY opened_at DESC, id COLLATE "C" LIMIT $4`, [filter.state ?? null, filter.homeId ?? null, filter.type ?? null, limit])
    return rows.map(toAlert)
  }

  /** A home's alert settings (away mode, overrides, ladder); a home never set has the empty ones. */
  async settingsOf (homeId: string): Promise<AlertSettings> {
    const { rows } = await this.pool.query<Raw>(`SELECT ${SETTINGS_COLUMNS} FROM home_alert_settings WHERE home_id = $1`, [homeId])
    return rows[0] === undefined ? emptySettings(homeId) : toSettings(rows[0])
  }

  async settingsAudit (homeId: string): Promise<Array<{ at: number, actor: string, change: Record<string, unknown> }>> {
    const { rows } = await this.pool.query<{ at: string, actor: string, change: string }>(
      'SELECT at, actor, change FROM home_alert_settings_audit WHERE home_id = $1 ORDER BY id', [homeId])
    return rows.map((r) => ({ at: int8(r.at), actor: r.actor, change: JSON.parse(r.change) as Record<string, unknown> }))
  }
}
