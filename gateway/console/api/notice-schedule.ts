// Scheduled publishing: a notice with a future startsAt sits in the database until then. Polling screens
// pick it up when their cache expires (ContentService caches until the next start), but screens on the
// event stream only re-fetch when told — so once a minute (node-cron) this announces a content change
// for every village where a notice started or ended since the last run.
import { schedule as cronSchedule } from 'node-cron'
import type { Clock } from '../../../src/clock.ts'
import type { Db } from '../../db/open-database.ts'
import type { Logger } from '../../logger.ts'

export interface NoticeScheduleDeps {
  db: Db
  clock: Clock
  log: Logger
  /** Tell the village's screens to re-fetch (ContentService's change signal). */
  announce: (villageId: string) => void
  /** Injectable for tests; default node-cron. */
  schedule?: (expression: string, job: () => void) => { stop(): unknown }
}

export class NoticeSchedule {
  private last: number
  private task: { stop(): unknown } | null = null

  constructor (private readonly deps: NoticeScheduleDeps) {
    this.last = deps.clock.now()
  }

  start (): void {
    if (this.task !== null) return
    const schedule = this.deps.schedule ?? ((expression, job) => cronSchedule(expression, job, { name: 'notice-schedule', noOverlap: true }))
    this.task = schedule('* * * * *', () => {
      try { this.tick() } catch (err) { this.deps.log.error({ err, job: 'notice-schedule' }, 'scheduled notice check failed') }
    })
  }

  /** Villages with a notice starting or ending in (last, now]; each announced once. */
  tick (): string[] {
    const now = this.deps.clock.now()
    // A closed gateway (tests, shutdown) must never be touched by a late cron tick.
    if (!this.deps.db.open || now <= this.last) { this.last = Math.min(this.last, now); return [] }
    const rows = this.deps.db.prepare(`SELECT DISTINCT village_id AS villageId FROM notices WHERE withdrawn_at IS NULL AND
      ((starts_at > @last AND starts_at <= @now) OR (ends_at > @last AND ends_at <= @now))`).all({ last: this.last, now }) as Array<{ villageId: string }>
    this.last = now
    for (const r of rows) this.deps.announce(r.villageId)
    return rows.map((r) => r.villageId)
  }

  stop (): void {
    void this.task?.stop()
    this.task = null
  }
}
