// The 每日平安 summary and outbox retention on cluster workers, on a real PostgreSQL outbox, a real SQLite
// registry and the embedded telemetry store: two workers each summarise the homes of the partitions they
// own, a home whose partition changed hands mid-job is not summarised twice, a home away gets none, and
// only the owner of partition 0 prunes the shared outbox.
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { PgOutboxQueue } from '../../gateway/cluster/pg/pg-outbox-queue.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { workerSchedules } from '../../gateway/cluster/worker-schedules.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { createLogger } from '../../gateway/logger.ts'
import { ContactChannels } from '../../gateway/notify/contact-channels.ts'
import { EmbeddedTelemetryStore } from '../../gateway/telemetry/embedded-store.ts'
import { openNotify, SECRET, type NotifyFixture } from '../gateway/notify/notify-fixture.ts'
import { describeWithPostgres, startPostgres, type Postgres } from '../helpers/postgres.ts'

const H = 3_600_000
const MIDNIGHT = Date.UTC(2024, 3, 30, 16) // 2024-05-01 00:00 village time
const NOW = MIDNIGHT + 20 * H
const clock = { now: () => NOW }
const NOTIFY = parseConfig({ dataDir: '/nonexistent', notify: { webhookSecret: SECRET } }).notify

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const close of cleanup.splice(0).reverse()) await close() })

describeWithPostgres('scheduled jobs on cluster workers', () => {
  let server: Postgres
  let pool: pg.Pool
  let queue: PgOutboxQueue

  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.url, max: 4 })
    await migratePostgres(pool)
    queue = new PgOutboxQueue(pool)
  })
  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  /** A registry replica with homes h-1 … h-3, each with one family contact on the webhook; h-1 has moved today. */
  async function replica (): Promise<{ fx: NotifyFixture, telemetry: EmbeddedTelemetryStore }> {
    const fx = openNotify()
    const channels = new ContactChannels(fx.db, clock)
    channels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: 'http://127.0.0.1:9/hook' } }])
    for (const n of [2, 3]) {
      fx.places.createHome({ id: `h-${n}`, gridId: 'g-1', label: `山下庄 ${n}号` })
      fx.places.createContact({ id: `fam-${n}`, homeId: `h-${n}`, name: '家属', phone: '13800000001', role: 'family' })
      channels.replace(`fam-${n}`, [{ channel: 'webhook', enabled: true, config: { url: 'http://127.0.0.1:9/hook' } }])
    }
    const telemetry = new EmbeddedTelemetryStore({ path: join(fx.dataDir, 'telemetry.db'), clock, log: createLogger('silent') })
    await telemetry.start()
    telemetry.write([{ kind: 'activity', villageId: 'v-1', homeId: 'h-1', deviceId: 'pir-1', at: MIDNIGHT + 7 * H, timeSource: 'device' }])
    await telemetry.flush()
    cleanup.push(async () => { await telemetry.close(); await fx.close() })
    return { fx, telemetry }
  }

  it('summarises each home once across the workers that own it, and none for a home away', async () => {
    const { fx, telemetry } = await replica()
    const worker = (owned: string[], away: string[] = []) => workerSchedules({
      config: NOTIFY, clock, log: createLogger('silent'), notify: fx.notify, queue, places: fx.places, telemetry,
      ownsHome: (homeId) => owned.includes(homeId),
      ownsFirstPartition: () => false,
      awayUntil: (homeId) => away.includes(homeId) ? NOW + 24 * H : null
    })
    // h-2 changed hands between the two runs: both workers see it as theirs.
    expect(await worker(['h-1', 'h-2']).dailySummary()).toEqual({ homes: 2, messages: 2 })
    expect(await worker(['h-2', 'h-3'], ['h-3']).dailySummary()).toEqual({ homes: 1, messages: 0 })

    const { rows } = await pool.query<{ recipient: string, text: string }>("SELECT recipient, payload::json->>'text' AS text FROM outbox WHERE kind = 'daily_summary' ORDER BY recipient")
    expect(rows).toEqual([
      { recipient: 'fam-1', text: '【安居·每日平安】山下庄 12号 今天共 1 次活动，最近一次 07:00。' },
      { recipient: 'fam-2', text: '【安居·每日平安】山下庄 2号 今天没有记录到活动，请打电话问候一下。' }
    ])
  })

  it('prunes the shared outbox on the owner of partition 0 only', async () => {
    const { fx, telemetry } = await replica()
    const old = await queue.insert({ alertId: null, recipient: 'fam-1', channel: 'webhook', kind: 'alert', text: '旧消息', data: {} }, NOW - 400 * 24 * H) as number
    await queue.markDelivered(old, NOW - 400 * 24 * H)
    const worker = (first: boolean) => workerSchedules({
      config: NOTIFY, clock, log: createLogger('silent'), notify: fx.notify, queue, places: fx.places, telemetry,
      ownsHome: () => false, ownsFirstPartition: () => first, awayUntil: () => null
    })
    await worker(false).retention()
    expect(await queue.get(old)).toBeDefined()
    await worker(true).retention()
    expect(await queue.get(old)).toBeUndefined()
  })
})
