// What the outbox's delivery loop (outbox.ts) needs from the table it drains. Two implementations: the
// embedded gateway's SQLite OutboxStore (synchronous, the default) and, in cluster mode, PostgreSQL's
// PgOutboxQueue (asynchronous, shared by every worker). Each method may answer directly or with a
// promise; the loop awaits only promises, so single-process timing is exactly what it was.
import type { ChannelName, Delivery } from './channel.ts'

export type MaybePromise<T> = T | Promise<T>

export interface OutboxQueue {
  /** False once the backing database is closed: the loop stops touching it (shutdown ordering). */
  readonly open: boolean
  /** The earliest next_attempt_at of a pending row (leased rows count at their lease end), or null. */
  earliestDue(): MaybePromise<number | null>
  /**
   * Take up to `limit` due rows and lease them until `leaseUntil`, atomically: a row claimed here is not
   * handed to anyone else (this or another process) until its lease runs out.
   */
  claimDue(now: number, limit: number, leaseUntil: number): MaybePromise<Array<Delivery & { attempts: number }>>
  markDelivered(id: number, now: number, countAttempt?: boolean): MaybePromise<void>
  /** Record a failed attempt: retry at `nextAt`, or dead (`deadAt`) when nextAt is null. */
  markFailed(id: number, attempts: number, error: string, nextAt: number | null, deadAt: number | null): MaybePromise<void>
  /** Put a leased row back without counting an attempt (shutdown mid-send). */
  release(id: number, at: number): MaybePromise<void>
  /** Make a recipient's pending rows on a channel due now; returns how many. */
  kick(recipient: string, channel: ChannelName, now: number): MaybePromise<number>
}
