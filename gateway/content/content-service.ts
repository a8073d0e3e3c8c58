// Village content: notices (party affairs, study, safety, health), the meeting calendar, the medical
// team's visits, emergency broadcasts and finance statements. Written by staff (admin API now, the
// console later), read by the TV app. Every write is audited (audit_log).
import type { Clock } from '../../src/clock.ts'
import type { TvBroadcast, TvCareVisit, TvMeeting, TvNotice, TvStatementDetail, TvStatementSummary } from '../../src/tv/tv-api.ts'
import type { Db } from '../db/open-database.ts'
import { Broadcasts } from './broadcasts.ts'
import { CareVisits } from './care-visits.ts'
import { auditWriter, type ContentChange, type ContentContext } from './content-context.ts'
import type { ChainReport } from '../../src/content/finance-schemas.ts'
import { verifyChain } from './finance-chain.ts'
import { publishedSummaries, statementDetail } from './finance-read.ts'
import { FinanceReview } from './finance-review.ts'
import { FinanceStatements } from './finance-statements.ts'
import { Meetings } from './meetings.ts'
import { Notices } from './notices.ts'

export type { ContentChange } from './content-context.ts'

export interface TvContent {
  notices: TvNotice[]
  meetings: TvMeeting[]
  careVisits: TvCareVisit[]
  statements: TvStatementSummary[]
  broadcast: TvBroadcast | null
}

// A village's fleet of screens polls every 60 s: serve them from memory. An entry lives until a write
// to the village, the next scheduled start/end, or this cap (meetings slide out of the window slowly).
const CACHE_MAX_AGE_MS = 30_000

export class ContentService {
  readonly notices: Notices
  readonly meetings: Meetings
  readonly careVisits: CareVisits
  readonly broadcasts: Broadcasts
  /** Drafts, entries and corrections of finance statements. */
  readonly finance: FinanceStatements
  /** Submit, return, approve (publish, hash-chain). */
  readonly review: FinanceReview
  private readonly listeners = new Set<(change: ContentChange) => void>()
  private readonly cache = new Map<string, { at: number, until: number, value: TvContent }>()
  protected readonly ctx: ContentContext

  constructor (readonly db: Db, readonly clock: Clock) {
    this.ctx = { db, clock, audit: auditWriter(db, clock), emit: (change) => this.emit(change) }
    this.notices = new Notices(this.ctx)
    this.meetings = new Meetings(this.ctx)
    this.careVisits = new CareVisits(this.ctx)
    this.broadcasts = new Broadcasts(this.ctx)
    this.finance = new FinanceStatements(this.ctx)
    this.review = new FinanceReview(this.ctx, this.finance)
  }

  /** Everything a village screen shows; `gridId` adds the notices targeted to the screen's grid. */
  tvContent (villageId: string, gridId: string | null): TvContent {
    const now = this.clock.now()
    const key = `${villageId}\u0000${gridId ?? ''}`
    const hit = this.cache.get(key)
    // `at <= now` too: a clock set back must not serve a view computed for a later time.
    if (hit !== undefined && hit.at <= now && now < hit.until) return hit.value
    const broadcast = this.broadcasts.active(villageId, now)
    const value: TvContent = {
      notices: this.notices.tv(villageId, gridId, now),
      meetings: this.meetings.tv(villageId, now),
      careVisits: this.careVisits.tv(villageId, now),
      statements: publishedSummaries(this.db, villageId),
      broadcast
    }
    const boundaries = [now + CACHE_MAX_AGE_MS, this.notices.nextBoundary(villageId, now), broadcast?.endsAt ?? null]
    this.cache.set(key, { at: now, until: Math.min(...boundaries.filter((t): t is number => t !== null)), value })
    return value
  }

  /** One published statement with totals, changes and one page of entries; NOT_FOUND otherwise. */
  statementDetail (villageId: string, statementId: string, page: number, pageSize?: number): TvStatementDetail {
    return statementDetail(this.db, villageId, statementId, page, pageSize)
  }

  /** Subscribe to content changes (the TV event stream); returns the unsubscribe function. */
  onChange (listener: (change: ContentChange) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Re-check the village's hash chain of published finance statements. */
  verifyChain (villageId: string): ChainReport {
    return verifyChain(this.db, villageId)
  }

  /** Tell the village's screens that what they show changed without a write (a scheduled notice started). */
  announce (villageId: string): void {
    this.emit({ villageId, kind: 'content' })
  }

  /** Village → id of its broadcast showing now: take it before a replica's tables are replaced (reloaded). */
  activeBroadcastIds (): Map<string, string> {
    return this.broadcasts.activeIds(this.clock.now())
  }

  /**
   * A cluster worker's replica had its tables replaced underneath (gateway/cluster/pg/content-sync.ts):
   * tell the screens of each changed village what the writes would have told them on the admin node.
   * `broadcastsBefore` is activeBroadcastIds() from before the replacement.
   */
  reloaded (villages: Iterable<string>, broadcastsBefore: Map<string, string>): void {
    this.broadcasts.rearm()
    const now = this.clock.now()
    for (const villageId of villages) {
      const before = broadcastsBefore.get(villageId)
      const active = this.broadcasts.active(villageId, now)
      if (before !== undefined && before !== active?.id) this.emit({ villageId, kind: 'broadcast_end', id: before })
      if (active !== null && active.id !== before) this.emit({ villageId, kind: 'broadcast', broadcast: active })
      this.emit({ villageId, kind: 'content' })
    }
  }

  /** Stops timers (broadcast expiry); they are unref'd, so forgetting this never holds a process open. */
  close (): void {
    this.broadcasts.close()
  }

  private emit (change: ContentChange): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${change.villageId}\u0000`)) this.cache.delete(key)
    for (const listener of this.listeners) {
      // A failing subscriber (a closed SSE socket) must not stop the others or the write that emitted.
      try { listener(change) } catch { /* the subscriber's own problem */ }
    }
  }
}
