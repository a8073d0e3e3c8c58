// The durable outbox: `enqueue` writes one row synchronously (inside the caller's SQLite transaction when
// there is one), and a delivery loop sends due rows with bounded concurrency, retries failures with
// backoff and jitter, and marks rows dead (logged at error) once they are out of attempts or too old.
// One timer, set for the earliest due row; rows survive restarts because the table is the only queue.
// The loop drains an OutboxQueue: the gateway's own SQLite table by default, or (cluster mode) a queue
// shared by several processes, whose answers may be promises.
import type { Notification } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import type { Db } from '../db/open-database.ts'
import type { Logger } from '../logger.ts'
import { isExhausted, retryDelay, type RetryPolicy } from './backoff.ts'
import { systemTimers, type Channel, type ChannelName, type Delivery, type Timers } from './channel.ts'
import type { Address } from './contact-channels.ts'
import { scrub } from './channels/http-post.ts'
import type { OutboxQueue } from './outbox-queue.ts'
import { OutboxStore } from './outbox-store.ts'
import type { NotifyMetrics } from './notify-metrics.ts'

export interface OutboxOptions extends RetryPolicy {
  concurrency: number
  /** Per send; a row is leased for this plus a margin, after which a crashed send is retried. */
  timeoutMs: number
}

export interface OutboxDeps {
  db: Db
  clock: Clock
  log: Logger
  options: OutboxOptions
  // Each channel takes its own address type; the resolver returns the matching one for the channel.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  channels: Partial<Record<ChannelName, Channel<any>>>
  resolve: (recipient: string, channel: ChannelName) => Address | null
  timers?: Timers
  /** [0, 1); injectable so backoff is reproducible in tests. */
  random?: () => number
  metrics?: NotifyMetrics
  /**
   * The table to drain instead of `db`'s outbox (cluster mode: PostgreSQL, shared by every worker).
   * `enqueue` and `kick` write to the SQLite store only when this is absent: with a shared queue, rows
   * are inserted by whoever owns that queue (PgAlertLog.commit) and other processes are woken by `wake`.
   */
  queue?: OutboxQueue
}

/** Longest single timer: Node clamps larger delays to 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1
const LEASE_MARGIN_MS = 30_000

export class Outbox {
  readonly store: OutboxStore
  private readonly queue: OutboxQueue
  private readonly timers: Timers
  private readonly random: () => number
  private timer: unknown = null
  private armedAt: number | null = null
  private running = false
  private abort = new AbortController()
  private readonly inflight = new Map<number, Promise<void>>()
  /** An asynchronous claim is running: a second pump would count the same free slots twice. */
  private claiming: Promise<void> | null = null
  private pumpAgain = false

  constructor (private readonly deps: OutboxDeps) {
    this.store = new OutboxStore(deps.db)
    this.queue = deps.queue ?? this.store
    this.timers = deps.timers ?? systemTimers
    this.random = deps.random ?? Math.random
  }

  /**
   * Queue one message; returns its id, or null when `dedupeKey` was already used (e.g. the alert engine
   * re-running a rung after a restart). Synchronous: one INSERT on the gateway's connection, so inside a
   * `db.transaction(...)` it commits or rolls back with the caller's state change.
   */
  enqueue (n: Notification, options: { dedupeKey?: string } = {}): number | null {
    // A row in the local table would never be sent by a loop draining the shared queue.
    if (this.queue !== this.store) throw new Error('outbox: enqueue writes the local SQLite outbox, but this outbox drains a shared queue')
    const now = this.deps.clock.now()
    const id = this.store.insert(n, now, options.dedupeKey ?? null)
    if (id !== null) {
      this.deps.metrics?.enqueued.inc({ channel: n.channel })
      this.wakeAt(now)
    }
    return id
  }

  /** Make a recipient's waiting rows on a channel due now (an SSE screen just connected). */
  kick (recipient: string, channel: ChannelName): void {
    const now = this.deps.clock.now()
    const changed = this.queue.kick(recipient, channel, now)
    if (!(changed instanceof Promise)) {
      if (changed > 0) this.wakeAt(now)
      return
    }
    changed.then((n) => { if (n > 0) this.wakeAt(now) }, (err: unknown) => {
      this.deps.log.error({ err }, 'outbox: could not make waiting notifications due')
    })
  }

  /**
   * Look for due rows now: another process inserted some into the shared queue (cluster mode: its
   * commit's NOTIFY). Harmless when there are none.
   */
  wake (): void {
    this.wakeAt(this.deps.clock.now())
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.abort = new AbortController()
    this.arm()
  }

  /** Stop sending: in-flight sends are aborted and their rows put back due now, without using an attempt. */
  async stop (): Promise<void> {
    this.running = false
    this.clearTimer()
    this.abort.abort()
    await this.claiming
    await Promise.allSettled([...this.inflight.values()])
  }

  /** Resolves once nothing is in flight (tests). */
  async idle (): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()])
  }

  get inFlight (): number { return this.inflight.size }

  private wakeAt (at: number): void {
    if (!this.running) return
    if (this.armedAt !== null && this.armedAt <= at) return
    this.setTimer(at)
  }

  /** Set the one timer for the earliest due row not in flight (leased rows are due in the future). */
  private arm (): void {
    if (!this.running || !this.queue.open) return
    let due: ReturnType<OutboxQueue['earliestDue']>
    try {
      due = this.queue.earliestDue()
    } catch (err) {
      this.retryLater(err)
      return
    }
    if (!(due instanceof Promise)) {
      if (due === null) { this.clearTimer(); return }
      this.armAt(due)
      return
    }
    // Asynchronous: the answer may be stale by now, so it only ever brings the timer forward; a null does
    // not clear a timer that a wake() set meanwhile (a spare pump finds nothing and costs one query).
    due.then((at) => { if (at !== null) this.armAt(at) }, (err: unknown) => this.retryLater(err))
  }

  private armAt (due: number): void {
    if (!this.running) return
    if (this.armedAt !== null && this.armedAt <= due) return
    this.setTimer(due)
  }

  /** The queue could not be read (database restarting): look again in a second, and say so. */
  private retryLater (err: unknown): void {
    this.deps.log.error({ err }, 'outbox: could not read due notifications')
    if (this.running) this.setTimer(this.deps.clock.now() + 1000)
  }

  private setTimer (at: number): void {
    this.clearTimer()
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.deps.clock.now()))
    this.armedAt = at
    this.timer = this.timers.setTimeout(() => {
      this.timer = null
      this.armedAt = null
      this.pump()
    }, delay)
  }

  private clearTimer (): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer)
    this.timer = null
    this.armedAt = null
  }

  private pump (): void {
    if (!this.running) return
    if (this.claiming !== null) { this.pumpAgain = true; return }
    const free = this.deps.options.concurrency - this.inflight.size
    // Saturated: every completion pumps again, so no timer is needed until a slot frees.
    if (free <= 0) return
    const now = this.deps.clock.now()
    let claimed: ReturnType<OutboxQueue['claimDue']>
    try {
      claimed = this.queue.open ? this.queue.claimDue(now, free, now + this.deps.options.timeoutMs + LEASE_MARGIN_MS) : []
    } catch (err) {
      this.retryLater(err)
      return
    }
    if (!(claimed instanceof Promise)) {
      this.send(claimed, free)
      return
    }
    this.claiming = claimed.then(async (rows) => {
      this.claiming = null
      if (this.running) { this.send(rows, free); return }
      // Stopped while claiming: hand the leases back now rather than let the rows wait out the lease.
      await Promise.allSettled(rows.map(async (row) => { await this.queue.release(Number(row.id), this.deps.clock.now()) }))
    }, (err: unknown) => {
      this.claiming = null
      this.retryLater(err)
    }).finally(() => {
      if (!this.pumpAgain) return
      this.pumpAgain = false
      this.pump()
    })
  }

  private send (rows: Array<Delivery & { attempts: number }>, free: number): void {
    for (const row of rows) {
      const id = Number(row.id)
      // Already being sent (kick() made a leased row due again): one send per row at a time.
      if (this.inflight.has(id)) continue
      const sending = this.deliver(row).catch((err: unknown) => {
        this.deps.log.error({ err, outboxId: id }, 'outbox: could not record a delivery result')
      }).finally(() => {
        this.inflight.delete(id)
        this.pump()
      })
      this.inflight.set(id, sending)
    }
    if (rows.length < free) this.arm()
  }

  private async deliver (row: Delivery & { attempts: number }): Promise<void> {
    const id = Number(row.id)
    const { channel: name, recipient } = row
    const log = this.deps.log
    const started = this.deps.clock.now()
    try {
      const channel = this.deps.channels[name]
      if (channel === undefined) throw new Error(`channel ${name} is not configured on this gateway`)
      const address = this.deps.resolve(recipient, name)
      if (address === null) throw new Error(`no enabled ${name} address for this recipient`)
      await channel.send(row, address, this.abort.signal)
      await this.queue.markDelivered(id, this.deps.clock.now())
      this.deps.metrics?.sent.inc({ channel: name })
      log.debug({ outboxId: id, channel: name, recipient, ms: this.deps.clock.now() - started }, 'notification sent')
    } catch (err) {
      const now = this.deps.clock.now()
      if (!this.running) {
        // Shutting down: the abort is ours, not the receiver's fault.
        if (this.queue.open) await this.queue.release(id, now)
        return
      }
      const attempts = row.attempts + 1
      const error = scrub((err as Error).message ?? String(err)).slice(0, 300)
      this.deps.metrics?.failures.inc({ channel: name })
      const context = { outboxId: id, channel: name, recipient, kind: row.kind, alertId: row.alertId, attempts, error }
      if (isExhausted(this.deps.options, attempts, row.createdAt, now)) {
        await this.queue.markFailed(id, attempts, error, null, now)
        this.deps.metrics?.dead.inc({ channel: name })
        log.error(context, 'NOTIFICATION DEAD: gave up delivering; nobody received this message on this channel')
      } else {
        const next = now + retryDelay(this.deps.options, attempts, this.random())
        await this.queue.markFailed(id, attempts, error, next, null)
        log.warn({ ...context, retryInMs: next - now }, 'notification failed; will retry')
      }
    }
  }
}
