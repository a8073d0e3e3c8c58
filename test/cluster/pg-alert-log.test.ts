// The alert log on a real PostgreSQL: a partition's new owner fences the old one out (a late commit from
// a worker that lost its lease writes nothing: no alert, no notification), a takeover loads exactly the
// partition's open alerts with their audit trail, and the HTTP API reads the same shapes as in SQLite.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import type { Alert, AlertEvent, Notification } from '../../src/alerts.ts'
import { AlertStore } from '../../gateway/alerts/alert-store.ts'
import { FencedError, type AlertBatch } from '../../gateway/cluster/contracts.ts'
import { PgAlertLog } from '../../gateway/cluster/pg/alert-log.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { openDatabase } from '../../gateway/db/open-database.ts'
import { OutboxStore } from '../../gateway/notify/outbox-store.ts'
import { describeWithPostgres, startPostgres, type Postgres } from '../helpers/postgres.ts'

const T0 = Date.UTC(2024, 4, 1, 2, 0)
// Homes named after their partition keep the test readable; the real hash is partitions.ts's business.
const partitionOf = (homeId: string): number => Number(homeId.split('-')[1])

const alert = (id: string, homeId: string, patch: Partial<Alert> = {}): Alert => ({
  id, homeId, type: 'inactivity', state: 'open', rung: 0, since: T0 - 3 * 3_600_000, openedAt: T0, nextRungAt: T0 + 300_000,
  acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, outcome: null, note: null, ...patch
})
const event = (alertId: string, action: AlertEvent['action'], at: number, rung: number | null = null): AlertEvent =>
  ({ alertId, at, actor: 'system', action, rung, detail: null })
const notification = (alertId: string, recipient: string, text: string): Notification =>
  ({ alertId, recipient, channel: 'webhook', kind: 'alert', text, data: { homeId: 'h-3', rung: 1 }, ackUrl: `https://anju.example/ack/${alertId}` })
const batch = (patch: Partial<AlertBatch>): AlertBatch => ({ alerts: [], events: [], notifications: [], settings: [], ...patch })

describeWithPostgres('alert log in PostgreSQL', () => {
  let server: Postgres
  let pool: pg.Pool
  let log: PgAlertLog

  const count = async (table: string): Promise<number> => Number((await pool.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n)

  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.url, max: 4 })
    await migratePostgres(pool)
    log = new PgAlertLog(pool, partitionOf)
  })
  beforeEach(async () => {
    await pool.query('TRUNCATE alerts, alert_events, home_alert_settings, home_alert_settings_audit, outbox, partition_epochs')
  })
  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  it('bumps a partition\'s epoch on every claim, independently per partition', async () => {
    expect(await log.claimPartition(3, 'worker-a', T0)).toBe(1)
    expect(await log.claimPartition(3, 'worker-b', T0 + 1)).toBe(2)
    expect(await log.claimPartition(4, 'worker-a', T0 + 2)).toBe(1)
    expect((await pool.query('SELECT partition, epoch::int, owner FROM partition_epochs ORDER BY partition')).rows)
      .toEqual([{ partition: 3, epoch: 2, owner: 'worker-b' }, { partition: 4, epoch: 1, owner: 'worker-a' }])
  })

  it('refuses a commit from a superseded owner and writes nothing of it', async () => {
    const stale = await log.claimPartition(3, 'worker-a', T0)
    const current = await log.claimPartition(3, 'worker-b', T0 + 15_000) // worker-a's lease ran out

    const late = batch({
      alerts: [alert('al-1', 'h-3')],
      events: [event('al-1', 'opened', T0)],
      notifications: [{ notification: notification('al-1', 'fam-1', '王奶奶 已 3 小时没有活动'), createdAt: T0 }],
      settings: [{ settings: { homeId: 'h-3', awayUntil: T0 + 86_400_000, inactivityThresholdMs: null, quietHours: null, ladder: null, updatedAt: T0, updatedBy: 'fam-1' }, change: { awayUntil: T0 + 86_400_000 } }],
      streamId: '1714528800000-0'
    })
    const refused = await log.commit(3, stale, late).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(FencedError)
    expect(refused).toMatchObject({ partition: 3, epoch: stale })
    for (const table of ['alerts', 'alert_events', 'home_alert_settings', 'home_alert_settings_audit', 'outbox']) expect(await count(table)).toBe(0)
    expect((await log.loadPartition(3)).streamId).toBeNull()

    // The current owner's commit of the same transition goes through, once.
    await log.commit(3, current, late)
    expect(await count('alerts')).toBe(1)
    expect(await count('outbox')).toBe(1)
    expect((await log.loadPartition(3)).streamId).toBe('1714528800000-0')
    // A commit whose answer was lost and is retried does not queue the notification twice.
    await log.commit(3, current, batch({ notifications: late.notifications }))
    expect(await count('outbox')).toBe(1)
  })

  it('refuses a batch holding a home of another partition before writing anything', async () => {
    const epoch = await log.claimPartition(3, 'worker-a', T0)
    await expect(log.commit(3, epoch, batch({ alerts: [alert('al-1', 'h-3'), alert('al-2', 'h-4')] }))).rejects.toThrow(/partition 4, not 3/)
    expect(await count('alerts')).toBe(0)
  })

  it('gives a new owner its partition\'s unresolved alerts with their events in order, and its settings', async () => {
    const e3 = await log.claimPartition(3, 'worker-a', T0)
    const e4 = await log.claimPartition(4, 'worker-a', T0)
    const open = alert('al-open', 'h-3', { rung: 1, nextRungAt: T0 + 900_000 })
    const acked = alert('al-acked', 'h-3', { type: 'low_battery', state: 'acknowledged', acknowledgedAt: T0 + 60_000, acknowledgedBy: 'gw-1', nextRungAt: null })
    const done = alert('al-done', 'h-3', { type: 'not_up', state: 'resolved', resolvedAt: T0 + 1000, resolvedBy: 'tv:h-3', outcome: 'resident_ok', nextRungAt: null })
    await log.commit(3, e3, batch({
      alerts: [open, acked, done],
      events: [event('al-open', 'opened', T0), event('al-done', 'opened', T0), event('al-open', 'escalated', T0 + 300_000, 1),
        event('al-acked', 'opened', T0), event('al-done', 'resolved', T0 + 1000), event('al-acked', 'acknowledged', T0 + 60_000, 0)],
      settings: [{ settings: { homeId: 'h-3', awayUntil: null, inactivityThresholdMs: 7_200_000, quietHours: { start: '22:00', end: '07:00' }, ladder: { tvTimeoutMs: 300_000, familyTimeoutMs: 900_000, gridTimeoutMs: 1_800_000 }, updatedAt: T0, updatedBy: 'admin' }, change: { inactivityThresholdMs: 7_200_000 } }]
    }))
    await log.commit(4, e4, batch({ alerts: [alert('al-other', 'h-4')], events: [event('al-other', 'opened', T0)] }))

    const state = await log.loadPartition(3)
    expect(state.alerts.map((a) => a.id).sort()).toEqual(['al-acked', 'al-open'])
    expect(state.alerts.find((a) => a.id === 'al-open')).toEqual(open)
    expect(state.events.map((e) => [e.alertId, e.action])).toEqual([
      ['al-open', 'opened'], ['al-open', 'escalated'], ['al-acked', 'opened'], ['al-acked', 'acknowledged']])
    expect(state.settings).toEqual([{ homeId: 'h-3', awayUntil: null, inactivityThresholdMs: 7_200_000, quietHours: { start: '22:00', end: '07:00' }, ladder: { tvTimeoutMs: 300_000, familyTimeoutMs: 900_000, gridTimeoutMs: 1_800_000 }, updatedAt: T0, updatedBy: 'admin' }])
    expect(await log.settingsAudit('h-3')).toEqual([{ at: T0, actor: 'admin', change: { inactivityThresholdMs: 7_200_000 } }])
    expect((await log.loadPartition(4)).alerts.map((a) => a.id)).toEqual(['al-other'])
    expect(await log.loadPartition(5)).toEqual({ alerts: [], events: [], settings: [], streamId: null })
  })

  it('resolves an alert and opens its successor for the same home in one commit', async () => {
    const epoch = await log.claimPartition(3, 'worker-a', T0)
    await log.commit(3, epoch, batch({ alerts: [alert('al-1', 'h-3')] }))
    // The engine lists the new alert first; only one unresolved alert per home and type may exist at a time.
    await log.commit(3, epoch, batch({
      alerts: [alert('al-2', 'h-3', { openedAt: T0 + 60_000 }), alert('al-1', 'h-3', { state: 'resolved', resolvedAt: T0 + 60_000, resolvedBy: 'system', nextRungAt: null })]
    }))
    expect((await log.loadPartition(3)).alerts.map((a) => a.id)).toEqual(['al-2'])
  })

  it('answers the HTTP API with the same objects as the SQLite store, and queues the same outbox payload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-pg-alerts-'))
    const db = openDatabase(dir)
    try {
      const sqlite = new AlertStore(db)
      const epoch = await log.claimPartition(3, 'worker-a', T0)
      const alerts = [
        alert('al-b', 'h-3', { openedAt: T0 }),
        alert('al-a', 'h-3', { type: 'home_offline', openedAt: T0, state: 'acknowledged', acknowledgedAt: T0 + 5, acknowledgedBy: 'gw-1', nextRungAt: null }),
        alert('al-c', 'h-3', { type: 'not_up', openedAt: T0 - 86_400_000, state: 'resolved', resolvedAt: T0 - 80_000_000, resolvedBy: 'gw-1', outcome: 'false_alarm', note: '误报：住户外出', nextRungAt: null })
      ]
      const events = [event('al-b', 'opened', T0), { ...event('al-b', 'escalated', T0 + 300_000, 1), detail: 'family' }]
      const n = notification('al-b', 'fam-1', '山下庄 12号 王奶奶 已 3 小时没有活动')
      await log.commit(3, epoch, batch({ alerts, events, notifications: [{ notification: n, createdAt: T0 }] }))
      sqlite.transaction(() => { for (const a of alerts) sqlite.save(a); for (const e of events) sqlite.addEvent(e) })

      expect(await log.get('al-b')).toEqual(sqlite.get('al-b'))
      expect(await log.get('al-missing')).toBeUndefined()
      expect(await log.events('al-b')).toEqual(sqlite.events('al-b'))
      for (const filter of [{}, { state: 'resolved' as const }, { homeId: 'h-3', type: 'home_offline' as const }, { homeId: 'h-9' }]) {
        expect(await log.list(filter)).toEqual(sqlite.list(filter))
      }
      expect(await log.list({}, 1)).toEqual(sqlite.list({}, 1))

      new OutboxStore(db).insert(n, T0, null)
      const columns = 'created_at, recipient, channel, kind, alert_id, payload, attempts, next_attempt_at'
      const local = db.prepare(`SELECT ${columns} FROM outbox`).get()
      const shared = (await pool.query(`SELECT ${columns} FROM outbox`)).rows[0]
      expect({ ...shared, created_at: Number(shared.created_at), next_attempt_at: Number(shared.next_attempt_at) }).toEqual(local)
    } finally {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
