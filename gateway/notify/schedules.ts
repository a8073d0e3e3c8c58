// Scheduled jobs (node-cron, Asia/Shanghai time): the daily 每日平安 summary to family, the nightly
// activity-model refresh and the retention jobs. Each job logs its own failure by name and never
// overlaps itself. The `schedule` function is injectable, so tests run jobs directly instead of waiting
// for cron minutes.
import { schedule as cronSchedule } from 'node-cron'
import type { Notification } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import type { Logger } from '../logger.ts'

/** Villages keep Beijing time; cron expressions in config are read in it whatever the host's zone. */
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai'

export type ScheduleFn = (expression: string, job: () => Promise<void>, options: { name: string, timezone: string }) => { stop(): unknown }

const defaultSchedule: ScheduleFn = (expression, job, options) =>
  cronSchedule(expression, job, { ...options, noOverlap: true })

const hhmm = new Intl.DateTimeFormat('zh-CN', { timeZone: SCHEDULE_TIMEZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: SCHEDULE_TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit' })

/** The calendar day (YYYY-MM-DD) of `at` in Beijing time. */
export const localDay = (at: number): string => ymd.format(at)

/**
 * The 每日平安 text: "【安居·每日平安】{home label} 今天共 {n} 次活动，最近一次 {HH:MM}。" A day with no
 * activity is said plainly rather than dressed up as 平安 (an inactivity alert handles the emergency).
 * The home label is a house number, never the resident's name, so the text suits every family contact.
 */
export function formatDailySummary (s: { homeLabel: string, activityCount: number, lastActivityAt: number | null }): string {
  if (s.activityCount === 0 || s.lastActivityAt === null) return `【安居·每日平安】${s.homeLabel} 今天没有记录到活动，请打电话问候一下。`
  return `【安居·每日平安】${s.homeLabel} 今天共 ${s.activityCount} 次活动，最近一次 ${hhmm.format(s.lastActivityAt)}。`
}

/** Queue a message on each of the recipient's channels; the new outbox ids (a promise where the outbox is PostgreSQL). */
export type EnqueueFor = (recipient: string, message: Omit<Notification, 'recipient' | 'channel'>, options?: { dedupeKey?: string }) => number[] | Promise<number[]>

export interface ScheduleDeps {
  cron: { dailySummaryCron: string, modelRefreshCron: string, retentionCron: string }
  clock: Clock
  log: Logger
  enqueueFor: EnqueueFor
  /** Homes that have family contacts, with those contacts' ids. */
  familyHomes: () => Array<{ homeId: string, contactIds: string[] }>
  /** The summary text of a home for today (see formatDailySummary), or null to send none (e.g. away). */
  summaryProvider?: (homeId: string) => Promise<string | null>
  modelRefresh?: () => Promise<void> | void
  /** Retention jobs of every feature; each runs even if another fails. */
  retention?: Array<() => Promise<unknown> | unknown>
  schedule?: ScheduleFn
}

export class Schedules {
  private tasks: Array<{ stop(): unknown }> = []

  constructor (private readonly deps: ScheduleDeps) {}

  start (): void {
    if (this.tasks.length > 0) return
    const schedule = this.deps.schedule ?? defaultSchedule
    const add = (name: string, expression: string, job: () => Promise<unknown>): void => {
      this.tasks.push(schedule(expression, async () => { await this.run(name, job) }, { name, timezone: SCHEDULE_TIMEZONE }))
    }
    add('daily-summary', this.deps.cron.dailySummaryCron, () => this.dailySummary())
    add('model-refresh', this.deps.cron.modelRefreshCron, () => this.modelRefresh())
    add('retention', this.deps.cron.retentionCron, () => this.retention())
  }

  async stop (): Promise<void> {
    const tasks = this.tasks
    this.tasks = []
    for (const task of tasks) await task.stop()
  }

  /** Queue today's summary for every family contact of every home; safe to run twice a day (dedupe key). */
  async dailySummary (): Promise<{ homes: number, messages: number }> {
    const provider = this.deps.summaryProvider
    if (provider === undefined) {
      this.deps.log.warn('daily summary: no summary provider is wired; nothing sent')
      return { homes: 0, messages: 0 }
    }
    const day = localDay(this.deps.clock.now())
    let homes = 0
    let messages = 0
    for (const { homeId, contactIds } of this.deps.familyHomes()) {
      let text: string | null
      try {
        text = await provider(homeId)
      } catch (err) {
        this.deps.log.error({ err, homeId }, 'daily summary: provider failed for a home')
        continue
      }
      if (text === null) continue
      homes++
      for (const contactId of contactIds) {
        messages += (await this.deps.enqueueFor(contactId, { alertId: null, kind: 'daily_summary', text, data: { homeId, day } },
          { dedupeKey: `daily_summary:${day}:${homeId}:${contactId}` })).length
      }
    }
    return { homes, messages }
  }

  async modelRefresh (): Promise<void> {
    if (this.deps.modelRefresh === undefined) return
    await this.deps.modelRefresh()
  }

  async retention (): Promise<void> {
    const failures: unknown[] = []
    for (const job of this.deps.retention ?? []) {
      try { await job() } catch (err) { failures.push(err) }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} retention job(s) failed`)
  }

  private async run (name: string, job: () => Promise<unknown>): Promise<void> {
    const started = this.deps.clock.now()
    try {
      const result = await job()
      this.deps.log.info({ job: name, ms: this.deps.clock.now() - started, result }, 'scheduled job done')
    } catch (err) {
      this.deps.log.error({ err, job: name }, 'scheduled job failed')
    }
  }
}
