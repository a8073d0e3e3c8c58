// Screens' event streams across cluster workers, on a real PostgreSQL: a home's TV messages, written to the
// shared outbox by whichever worker owns the home, reach its screens on whichever workers hold their
// streams — both screens when a home's two screens sit on two workers — and count as delivered once one
// did; a screen that connects later gets what is still waiting but not what another screen already had,
// a reconnecting one replays after its Last-Event-ID, and messages no screen took expire as dead.
import pg from 'pg'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { PgOutboxQueue } from '../../gateway/cluster/pg/pg-outbox-queue.ts'
import { PgSse } from '../../gateway/cluster/pg/pg-sse.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { createLogger } from '../../gateway/logger.ts'
import type { SseSink } from '../../gateway/notify/channels/sse-hub.ts'
import type { Notification } from '../../src/alerts.ts'
import { describeWithPostgres, startPostgres, type Postgres } from '../helpers/postgres.ts'

const MAX_AGE_MS = 3_600_000
const now = Date.UTC(2024, 4, 1, 2, 0)
const clock = { now: () => now }

/** The part of an HTTP response a stream writes to, keeping the events' ids and kinds as a screen parses them. */
class Screen implements SseSink {
  readonly events: Array<{ id: number, event: string }> = []
  writableLength = 0
  write (chunk: string): boolean {
    const id = /^id: (\d+)$/m.exec(chunk)
    const event = /^event: (\S+)$/m.exec(chunk)
    if (id !== null && event !== null) this.events.push({ id: Number(id[1]), event: event[1] as string })
    return true
  }

  end (): void {}
  destroy (): void {}
}

const message = (homeId: string, kind: Notification['kind']): Notification =>
  ({ alertId: 'al-1', recipient: `tv:${homeId}`, channel: 'sse', kind, text: '您还好吗?', data: { alertId: 'al-1' } })

async function until (check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const close of cleanup.splice(0).reverse()) await close() })

describeWithPostgres('screen streams over the shared outbox', () => {
  let server: Postgres
  let pool: pg.Pool
  let queue: PgOutboxQueue

  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.url, max: 6 })
    await migratePostgres(pool)
    queue = new PgOutboxQueue(pool)
  })
  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  async function worker (sweepMs?: number): Promise<PgSse> {
    const sse = new PgSse({ pool, clock, log: createLogger('silent'), maxAgeMs: MAX_AGE_MS, sweepMs })
    await sse.start()
    cleanup.push(async () => { await sse.close() })
    return sse
  }

  const delivered = async (id: number): Promise<boolean> => (await queue.get(id))?.deliveredAt != null

  it('reaches both screens of a home on two workers, once each, and is delivered', async () => {
    const [a, b] = [await worker(), await worker()]
    const kitchen = new Screen()
    const bedroom = new Screen()
    a.connectSse('h-1', kitchen, null)
    b.connectSse('h-1', bedroom, null)
    const other = new Screen()
    b.connectSse('h-2', other, null)

    const id = await queue.insert(message('h-1', 'checkin'), now) as number
    await until(() => kitchen.events.length > 0 && bedroom.events.length > 0, 'both screens')
    await until(async () => await delivered(id), 'the row marked delivered')
    const second = await queue.insert(message('h-1', 'all_clear'), now) as number
    await until(() => kitchen.events.length > 1 && bedroom.events.length > 1, 'the second message')
    // A few more wake-ups must not repeat anything.
    await queue.insert(message('h-3', 'alert'), now)
    await until(async () => (await pool.query("SELECT 1 FROM outbox WHERE recipient = 'tv:h-3'")).rowCount === 1, 'the other home\'s row')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(kitchen.events).toEqual([{ id, event: 'checkin' }, { id: second, event: 'all_clear' }])
    expect(bedroom.events).toEqual(kitchen.events)
    expect(other.events).toEqual([])
    expect(a.clientCount + b.clientCount).toBe(3)
  })

  it('waits for a screen, then gives a later screen only what no screen had, and replays after Last-Event-ID', async () => {
    const sse = await worker()
    const waiting = await queue.insert(message('h-4', 'checkin'), now) as number
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await delivered(waiting)).toBe(false)

    const first = new Screen()
    sse.connectSse('h-4', first, null)
    await until(() => first.events.length === 1, 'the waiting message')
    await until(async () => await delivered(waiting), 'delivered')
    const next = await queue.insert(message('h-4', 'all_clear'), now) as number
    await until(() => first.events.length === 2, 'the next message')

    // A second screen turned on now: everything was already seen by a screen, so nothing old shows.
    const late = new Screen()
    sse.connectSse('h-4', late, null)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(late.events).toEqual([])

    // The first screen's connection dropped after the first message: it replays the rest.
    const back = new Screen()
    const other = await worker()
    other.connectSse('h-4', back, waiting)
    await until(() => back.events.length === 1, 'the replay')
    expect(back.events).toEqual([{ id: next, event: 'all_clear' }])
  })

  it('expires messages no screen took within the outbox\'s max age', async () => {
    await worker(50)
    const old = await queue.insert(message('h-5', 'checkin'), now - MAX_AGE_MS - 1) as number
    const fresh = await queue.insert(message('h-5', 'all_clear'), now) as number
    await until(async () => (await queue.get(old))?.deadAt != null, 'the old row dead')
    expect(await queue.get(fresh)).toMatchObject({ deadAt: null, deliveredAt: null })
  })
})
