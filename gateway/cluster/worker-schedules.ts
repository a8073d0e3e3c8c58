// The scheduled jobs on cluster workers (gateway/notify/schedules.ts, unchanged): every worker runs the
// crons, each for what it owns, so a job is done once however many workers there are.
//   每日平安: each worker summarises the homes of the partitions it owns at that minute (their away mode is
//     in its engines), into the shared outbox. The dedupe key (day, home, contact, channel) is unique in
//     PostgreSQL, so a partition changing hands mid-job never sends a family two summaries.
//   model refresh: each worker learns the homes of the partitions it owns at that minute
//     (partition-models.ts), so the 42-day history of a home is read once a night, not once per worker.
//   retention of the shared outbox: the owner of partition 0 alone (one DELETE, not N).
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../logger.ts'
import { dailySummaryProvider } from '../notify/daily-summary.ts'
import type { NotifyService } from '../notify/notify-service.ts'
import { Schedules, type EnqueueFor, type ScheduleFn } from '../notify/schedules.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import type { PgOutboxQueue } from './pg/pg-outbox-queue.ts'

export interface WorkerSchedulesDeps {
  config: Config['notify']
  clock: Clock
  log: Logger
  /** Who the family contacts are and which channels they have (the worker's registry replica). */
  notify: Pick<NotifyService, 'familyHomes' | 'channelsOf'>
  queue: Pick<PgOutboxQueue, 'insert' | 'prune'>
  places: Pick<PlacesStore, 'getHome'>
  telemetry: Pick<TelemetryStore, 'activityCounts' | 'lastActivityByDevice'>
  /** Whether this worker owns the home's partition now. */
  ownsHome: (homeId: string) => boolean
  /** Whether this worker owns partition 0 now (it does the cluster-wide jobs). */
  ownsFirstPartition: () => boolean
  /** The home's away-mode end, from the engine of its partition (owned homes only). */
  awayUntil: (homeId: string) => number | null
  modelRefresh?: () => Promise<void>
  schedule?: ScheduleFn
}

export function workerSchedules (deps: WorkerSchedulesDeps): Schedules {
  const { clock, queue } = deps
  // NotifyService.enqueueFor, into PostgreSQL: one row per channel the contact has, each with its own key.
  const enqueueFor: EnqueueFor = async (recipient, message, options = {}) => {
    const ids: number[] = []
    for (const channel of deps.notify.channelsOf(recipient)) {
      const dedupeKey = options.dedupeKey === undefined ? null : `${options.dedupeKey}:${channel}`
      const id = await queue.insert({ ...message, recipient, channel }, clock.now(), dedupeKey)
      if (id !== null) ids.push(id)
    }
    return ids
  }
  return new Schedules({
    cron: deps.config,
    clock,
    log: deps.log,
    enqueueFor,
    familyHomes: () => deps.notify.familyHomes().filter((h) => deps.ownsHome(h.homeId)),
    summaryProvider: dailySummaryProvider({ telemetry: deps.telemetry, places: deps.places, clock, awayUntil: deps.awayUntil }),
    modelRefresh: deps.modelRefresh,
    retention: [async () => {
      if (!deps.ownsFirstPartition()) return { pruned: 0, skipped: 'partition 0 is another worker\'s' }
      return { pruned: await queue.prune(clock.now() - deps.config.retentionDays * 86_400_000) }
    }],
    schedule: deps.schedule
  })
}
