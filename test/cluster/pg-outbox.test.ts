// The shared outbox on a real PostgreSQL, drained by the same delivery loop as the embedded gateway's
// (gateway/notify/outbox.ts) in two "workers" at once, sending to a real local webhook receiver: every
// message arrives exactly once whichever worker sends it, a failing receiver is retried with backoff, and
// a notification committed by one worker wakes the others at once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import type { Notification } from '../../src/alerts.ts'
import { systemClock } from '../../src/clock.ts'
import { PgAlertLog } from '../../gateway/cluster/pg/alert-log.ts'
import { PgOutboxQueue } from '../../gateway/cluster/pg/pg-outbox-queue.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { openDatabase } from '../../gateway/db/open-database.ts'
import { createLogger } from '../../gateway/logger.ts'
import type { Channel, Delivery } from '../../gateway/notify/channel.ts'
import { webhookChannel } from '../../gateway/notify/channels/webhook.ts'
import type { UrlAddress } from '../../gateway/notify/contact-channels.ts'
import { Outbox, type OutboxOptions } from '../../gateway/notify/outbox.ts'
import { eventually, startReceiver, type LocalReceiver } from '../gateway/notify/local-receiver.ts'
import { describeWithPostgres, startPostgres, type Postgres } from '../helpers/postgres.ts'

const SECRET = 'test-webhook-secret-0123456789abcdef'
const OPTIONS: OutboxOptions = { concurrency: 4, timeoutMs: 2000, retryBaseMs: 200, retryMaxDelayMs: 5000, maxAttempts: 5, maxAgeMs: 3_600_000 }

interface Worker { outbox: Outbox, queue: PgOutboxQueue, sent: string[], logs: Array<Record<string, unknown>> }

const message = (n: number): Notification =>
  ({ alertId: `al-${n}`, recipient: 'fam-1', channel: 'webhook', kind: 'alert', text: `消息 ${n}`, data: { n } })

describeWithPostgres('outbox in PostgreSQL, two workers', () => {
  let server: Postgres
  let pool: pg.Pool
  let hook: LocalReceiver
  const cleanup: Array<() => Promise<void> | void> = []

  /** One worker: its own connections, its own (unused) SQLite, the real webhook channel and Outbox loop. */
  async function worker (options: Partial<OutboxOptions> = {}, listen = true): Promise<Worker> {
    const workerPool = new pg.Pool({ connectionString: server.url, max: 4 })
    const dir = mkdtempSync(join(tmpdir(), 'anju-pg-outbox-'))
    const db = openDatabase(dir)
    const queue = new PgOutboxQueue(workerPool)
    const logs: Array<Record<string, unknown>> = []
    const sink = new Writable({ write (chunk: Buffer, _enc, done) { logs.push(JSON.parse(chunk.toString())); done() } })
    const webhook = webhookChannel({ secret: SECRET, clock: systemClock, timeoutMs: 2000 })
    const sent: string[] = []
    // The real channel, counting what this worker sent (to see the work spread over both).
    const counted: Channel<UrlAddress> = { name: 'webhook', send: async (d: Delivery, a: UrlAddress, s: AbortSignal) => { sent.push(d.id); await webhook.send(d, a, s) } }
    const outbox = new Outbox({
      db, clock: systemClock, log: createLogger('warn', sink), options: { ...OPTIONS, ...options }, random: () => 0.5,
      channels: { webhook: counted }, resolve: () => ({ url: hook.url }), queue
    })
    outbox.start()
    const unlisten = listen ? await queue.listen(() => outbox.wake()) : async () => {}
    cleanup.push(async () => {
      await unlisten()
      await outbox.stop()
      queue.close()
      await workerPool.end()
      db.close()
      rmSync(dir, { recursive: true, force: true })
    })
    return { outbox, queue, sent, logs }
  }

  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.url, max: 4 })
    await migratePostgres(pool)
  })
  beforeEach(async () => {
    await pool.query('TRUNCATE outbox, alerts, alert_events, partition_epochs')
    hook = await startReceiver()
  })
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
    await hook.close()
  })
  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  it('hands each due row to one claimer only (SKIP LOCKED), however many claim at once', async () => {
    const queue = new PgOutboxQueue(pool)
    for (let n = 0; n < 30; n++) await queue.insert(message(n), 1000 + n)
    const claims = await Promise.all([1, 2, 3].map(async () => await queue.claimDue(5000, 30, 60_000)))
    const ids = claims.flat().map((d) => d.id)
    expect(ids).toHaveLength(30)
    expect(new Set(ids).size).toBe(30)
    // Each claimer got its rows oldest first, as the SQLite store hands them out.
    for (const rows of claims) expect(rows.map((r) => r.createdAt)).toEqual([...rows.map((r) => r.createdAt)].sort((a, b) => a - b))
    expect(await queue.claimDue(5000, 30, 60_000)).toEqual([])
  })

  it('leaves rows on channels a process cannot deliver (a worker has no TV screens) for one that can', async () => {
    const all = new PgOutboxQueue(pool)
    const workerQueue = new PgOutboxQueue(pool, ['webhook'])
    await all.insert(message(1), 1000)
    await all.insert({ ...message(2), recipient: 'tv:home-1', channel: 'sse' }, 1001)
    expect(await workerQueue.earliestDue()).toBe(1000)
    expect((await workerQueue.claimDue(5000, 10, 60_000)).map((d) => d.channel)).toEqual(['webhook'])
    expect(await workerQueue.claimDue(5000, 10, 60_000)).toEqual([])
    expect((await all.claimDue(5000, 10, 60_000)).map((d) => d.channel)).toEqual(['sse'])
  })

  it('delivers 200 messages through two workers, each exactly once', async () => {
    const a = await worker()
    const b = await worker()
    const queue = new PgOutboxQueue(pool)
    const now = Date.now()
    const ids = await Promise.all(Array.from({ length: 200 }, async (_x, n) => await queue.insert(message(n), now)))

    await eventually(() => hook.requests.length >= 200, 20_000, '200 deliveries')
    await Promise.all([a.outbox.idle(), b.outbox.idle()])
    await new Promise((resolve) => setTimeout(resolve, 200)) // a duplicate would arrive now
    const received = hook.requests.map((r) => (JSON.parse(r.body) as { id: string }).id)
    expect(received).toHaveLength(200)
    expect(new Set(received)).toEqual(new Set(ids.map(String)))
    // Both workers sent (the rows are anyone's), and nothing is left pending or leased.
    expect(a.sent.length).toBeGreaterThan(0)
    expect(b.sent.length).toBeGreaterThan(0)
    expect(a.sent.length + b.sent.length).toBe(200)
    const { rows } = await pool.query('SELECT COUNT(*)::int AS n FROM outbox WHERE delivered_at IS NOT NULL AND attempts = 1 AND next_attempt_at IS NULL')
    expect(rows[0].n).toBe(200)
  })

  it('retries a failing receiver with backoff, then delivers once', async () => {
    hook.script = [{ status: 500, body: { error: 'down' } }, { status: 503 }]
    await worker()
    await worker()
    const queue = new PgOutboxQueue(pool)
    const id = await queue.insert(message(1), Date.now()) as number

    let done = await queue.get(id)
    for (const deadline = Date.now() + 5000; done?.deliveredAt === null && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      done = await queue.get(id)
    }
    expect(done).toMatchObject({ attempts: 3, lastError: null, nextAttemptAt: null, deadAt: null })
    expect(hook.requests).toHaveLength(3)
    // Equal jitter with random = 0.5: 200 ms base → 150 ms, then doubled → 300 ms.
    const at = hook.requests.map((r) => r.at)
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(140)
    expect((at[2] as number) - (at[1] as number)).toBeGreaterThanOrEqual(290)
    expect(new Set(hook.requests.map((r) => r.headers['x-anju-message-id']))).toEqual(new Set([String(id)]))
  })

  it('sends a row whose worker died mid-send once its lease runs out, from another worker', async () => {
    const queue = new PgOutboxQueue(pool)
    const now = Date.now()
    const id = await queue.insert(message(3), now) as number
    // The dead worker claimed it (lease: 300 ms here) and never answered.
    expect((await queue.claimDue(now, 10, now + 300)).map((d) => d.id)).toEqual([String(id)])
    await worker()
    await eventually(() => hook.requests.length === 1, 3000, 'the delivery after the lease')
    expect((hook.requests[0]?.at ?? 0) - now).toBeGreaterThanOrEqual(290)
    expect(JSON.parse(hook.requests[0]?.body ?? '')).toMatchObject({ id: String(id), text: '消息 3' })
  })

  it('wakes an idle worker\'s outbox when another worker commits a notification', async () => {
    const bystander = await worker({}, false)
    const idle = await worker()
    // Both have looked at the empty outbox by now. An outbox with nothing due sets no timer: only the
    // NOTIFY can make it look again, so the bystander (not listening) never will.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const log = new PgAlertLog(pool, () => 0)
    const epoch = await log.claimPartition(0, 'worker-a', Date.now())
    const createdAt = Date.now()
    await log.commit(0, epoch, {
      alerts: [{ id: 'al-1', homeId: 'h-1', type: 'inactivity', state: 'open', rung: 1, since: createdAt - 3 * 3_600_000, openedAt: createdAt, nextRungAt: createdAt + 900_000, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, outcome: null, note: null }],
      events: [{ alertId: 'al-1', at: createdAt, actor: 'system', action: 'opened', rung: 1, detail: null }],
      notifications: [{ notification: { ...message(7), alertId: 'al-1', ackUrl: 'https://anju.example/ack/al-1' }, createdAt }],
      settings: []
    })
    await eventually(() => hook.requests.length === 1, 2000, 'the woken worker\'s delivery')
    expect(JSON.parse(hook.requests[0]?.body ?? '')).toMatchObject({ alertId: 'al-1', text: '消息 7', data: { n: 7 }, ackUrl: 'https://anju.example/ack/al-1' })
    expect(idle.sent).toHaveLength(1)
    expect(bystander.sent).toHaveLength(0)
  })
})
