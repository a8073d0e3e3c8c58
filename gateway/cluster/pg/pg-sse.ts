// Screens' event streams in cluster mode. A home's `sse` outbox rows are written to PostgreSQL by its
// partition owner, but its screens hold their streams open on whatever worker the load balancer chose.
// So the outbox loop leaves `sse` rows alone (PgOutboxQueue's channel list), and each worker writes the
// rows of the homes it has screens for, woken by the outbox NOTIFY every commit of outbox rows sends
// (and by a slow sweep, in case one was missed). A row counts as delivered once any screen got it; the
// sweep gives up on rows no screen took within the outbox's max age, as the embedded outbox does.
//
// Two screens of one home may sit on two workers: each worker writes every new row to its own screens,
// delivered or not, so a row is not withheld from one screen because the other one already took it.
// "New" is per stream: rows after the newest id this worker had seen when the stream opened (or after
// its Last-Event-ID), plus rows no screen has taken yet (what the embedded gateway sends a fresh screen).
import type pg from 'pg'
import type { Clock } from '../../../src/clock.ts'
import type { Delivery } from '../../notify/channel.ts'
import type { SseSink } from '../../notify/channels/sse-hub.ts'
import { SseHub } from '../../notify/channels/sse-hub.ts'
import { toDelivery } from '../../notify/outbox-store.ts'
import type { Logger } from '../../logger.ts'
import type { SseSource } from '../../tv/tv-events.ts'
import { OUTBOX_CHANNEL } from './alert-log.ts'
import { listen } from './pg-listen.ts'
import { OUTBOX_COLUMNS, toRow, type Raw, type RawRow } from './pg-outbox-queue.ts'
import { int8 } from './pg-schema.ts'

/** Rows of this age or newer are looked at even once delivered (another worker's screen took them). */
const RECENT_MS = 120_000
/** The safety net for a missed NOTIFY, and the pace of expiring rows nobody took. */
const SWEEP_MS = 30_000
/** As NotifyService: a screen back from a long absence gets at most this many missed messages. */
const MAX_REPLAY = 500

export interface PgSseDeps {
  pool: pg.Pool
  clock: Clock
  log: Logger
  /** The outbox's max age: older rows are not sent to screens any more. */
  maxAgeMs: number
  /** Where LISTEN connects (default: a connection of the pool). */
  listenSource?: string | pg.Pool
  sweepMs?: number
}

interface Stream {
  homeId: string
  /** Rows up to this id are written only if no screen has taken them yet. */
  floor: number
  write: (d: Delivery) => boolean
}

export class PgSse implements SseSource {
  private readonly hub: SseHub
  private readonly streams = new Set<Stream>()
  /** The newest `sse` row id seen: where a new stream's "new" starts. */
  private newestId = 0
  private polling: Promise<void> | null = null
  private pollAgain = false
  private stopListening: (() => Promise<void>) | null = null
  private sweepTimer: NodeJS.Timeout | null = null
  private closed = false
  /** Rows written to a screen whose "delivered" did not reach the database yet (the write said no to a repeat). */
  private readonly unmarked = new Set<number>()

  constructor (private readonly deps: PgSseDeps) {
    this.hub = new SseHub(deps.clock)
  }

  get clientCount (): number { return this.hub.clientCount }

  /** Listen for outbox commits and start the sweep; resolves once listening. */
  async start (): Promise<void> {
    const { rows } = await this.deps.pool.query<{ id: string | null }>("SELECT MAX(id) AS id FROM outbox WHERE channel = 'sse'")
    this.newestId = rows[0]?.id === null || rows[0]?.id === undefined ? 0 : int8(rows[0].id)
    this.stopListening = await listen(this.deps.listenSource ?? this.deps.pool, OUTBOX_CHANNEL, {
      onNotify: () => this.poll(),
      onError: (err) => this.deps.log.warn({ err }, 'outbox listener reconnecting')
    })
    const sweep = (): void => {
      this.poll()
      void this.expire().catch((err: unknown) => this.deps.log.error({ err }, 'expiring screen messages failed'))
    }
    this.sweepTimer = setInterval(sweep, this.deps.sweepMs ?? SWEEP_MS)
    this.sweepTimer.unref()
  }

  connectSse (homeId: string, sink: SseSink, lastEventId: number | null): () => void {
    const client = this.hub.add(homeId, sink)
    const stream: Stream = { homeId, floor: lastEventId ?? this.newestId, write: client.write }
    this.streams.add(stream)
    if (lastEventId !== null && lastEventId < this.newestId) void this.replay(stream, lastEventId)
    this.poll()
    return () => {
      this.streams.delete(stream)
      client.remove()
    }
  }

  /** End every stream (screens reconnect to another worker with Last-Event-ID) and stop listening. */
  async close (): Promise<void> {
    this.closed = true
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer)
    this.hub.closeAll()
    this.streams.clear()
    await this.stopListening?.()
    await this.polling
  }

  /** Coalesce wake-ups: one query at a time, and one more after it if woken meanwhile. */
  private poll (): void {
    if (this.closed || this.streams.size === 0) return
    if (this.polling !== null) { this.pollAgain = true; return }
    this.polling = this.deliverNew()
      .catch((err: unknown) => this.deps.log.error({ err }, 'reading screen messages failed'))
      .finally(() => {
        this.polling = null
        if (this.pollAgain) { this.pollAgain = false; this.poll() }
      })
  }

  private async deliverNew (): Promise<void> {
    const homes = [...new Set([...this.streams].map((s) => s.homeId))].map((h) => `tv:${h}`)
    const now = this.deps.clock.now()
    // Undelivered rows within the max age, and recent rows whatever their state (another worker's screen
    // may have taken a row this worker's screens have not had yet).
    const { rows } = await this.deps.pool.query<Raw>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE channel = 'sse' AND recipient = ANY($1)
      AND dead_at IS NULL AND created_at >= $2 AND (delivered_at IS NULL OR created_at >= $3) ORDER BY id`,
    [homes, now - this.deps.maxAgeMs, now - RECENT_MS])
    await this.write(rows.map(toRow))
  }

  private async replay (stream: Stream, lastEventId: number): Promise<void> {
    try {
      const now = this.deps.clock.now()
      const { rows } = await this.deps.pool.query<Raw>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE channel = 'sse' AND recipient = $1
        AND id > $2 AND dead_at IS NULL AND created_at >= $3 ORDER BY id LIMIT $4`, [`tv:${stream.homeId}`, lastEventId, now - this.deps.maxAgeMs, MAX_REPLAY])
      await this.write(rows.map(toRow), stream)
    } catch (err) {
      this.deps.log.error({ err }, 'replaying screen messages failed')
    }
  }

  /** Write rows to the streams of their homes (or to `only`); mark the ones a screen took as delivered. */
  private async write (rows: RawRow[], only?: Stream): Promise<void> {
    const taken: number[] = []
    for (const row of rows) {
      this.newestId = Math.max(this.newestId, row.id)
      const homeId = row.recipient.slice('tv:'.length)
      const d = toDelivery(row)
      let reached = false
      for (const stream of only === undefined ? this.streams : [only]) {
        if (stream.homeId !== homeId) continue
        if (only === undefined && row.id <= stream.floor && row.deliveredAt !== null) continue
        // The hub remembers what each stream was written, so a row seen by two polls goes out once.
        if (stream.write(d)) reached = true
      }
      if (row.deliveredAt === null && (reached || this.unmarked.has(row.id))) taken.push(row.id)
    }
    if (taken.length === 0) return
    for (const id of taken) this.unmarked.add(id)
    await this.deps.pool.query(`UPDATE outbox SET delivered_at = COALESCE(delivered_at, $2), next_attempt_at = NULL, last_error = NULL
      WHERE id = ANY($1) AND dead_at IS NULL`, [taken, this.deps.clock.now()])
    for (const id of taken) this.unmarked.delete(id)
  }

  /** Rows no screen took within the max age: dead, as the embedded outbox leaves them, and off the due list. */
  private async expire (): Promise<void> {
    const now = this.deps.clock.now()
    const result = await this.deps.pool.query(`UPDATE outbox SET dead_at = $1, next_attempt_at = NULL, last_error = 'no screen of this home was connected'
      WHERE channel = 'sse' AND delivered_at IS NULL AND dead_at IS NULL AND created_at < $2`, [now, now - this.deps.maxAgeMs])
    if ((result.rowCount ?? 0) > 0) this.deps.log.info({ expired: result.rowCount }, 'screen messages expired unseen')
  }
}
