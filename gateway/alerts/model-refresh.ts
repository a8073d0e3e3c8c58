// Learned inactivity thresholds for the running gateway: one activity model per home with devices,
// learned from its last HISTORY_DAYS of activity (src/activity-model), served to the alert engine as a
// ModelThresholds. The embedded gateway learns every home at start-up (before the alert engine starts)
// and nightly from the notify schedules' model-refresh job. A cluster worker learns only the homes of the
// partitions it owns (gateway/cluster/partition-models.ts): at takeover, nightly, and forgets them when
// it drops the partition. A home without a model (new, not yet learned, or its query failed) gets the
// cold-start model: the fixed thresholds learnModel itself gives a home with no history, and no not_up.
import type { TimerFunctions, Clock } from '../../src/clock.ts'
import { CHINA_TZ_OFFSET_MINUTES, LEARN_DEFAULTS, learnModel, ModelThresholds, type HomeModel } from '../../src/activity-model/index.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { Logger } from '../logger.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import { systemTimerFunctions } from '../timers.ts'

/**
 * History fetched per home: the model's own learning window (42 days), the same history the evaluation
 * (`npm run eval`) learned from, so the running gateway behaves as measured. It blends in fully at 28.
 */
export const HISTORY_DAYS = LEARN_DEFAULTS.windowDays
const DAY_MS = 86_400_000
/** Parallel telemetry queries: enough to hide query latency, few enough not to starve ingest. */
const DEFAULT_CONCURRENCY = 8
/** Start-up waits at most this long for the first refresh; the rest finishes in the background. */
const DEFAULT_STARTUP_BUDGET_MS = 20_000

export interface ModelRefreshDeps {
  devices: Pick<DeviceStore, 'list'>
  telemetry: Pick<TelemetryStore, 'activityEvents'>
  clock: Clock
  log: Logger
  /** For the budgets (start-up, takeover); default the real ones. */
  timers?: TimerFunctions
  /** Telemetry queries in flight at once, over every learn() and refresh() running together. */
  concurrency?: number
  startupBudgetMs?: number
  tzOffsetMinutes?: number
}

export interface RefreshResult { homes: number, learned: number, failed: number, ms: number }

/** Which homes a refresh covers (a cluster worker: those of the partitions it owns). */
export type HomeFilter = (homeId: string) => boolean

type Outcome = 'learned' | 'failed' | 'skipped'

/** One home waiting for, or in, its telemetry query. Everyone who asks for the home meanwhile shares it. */
interface Job { homeId: string, forgotten: boolean, done: Promise<Outcome>, settle: (o: Outcome) => void }

export class ModelRefresh {
  private readonly models = new Map<string, HomeModel>()
  readonly thresholds: ModelThresholds
  /** Queued homes, in the order asked (a Map: taking the first is O(1), a province queues 10^5). */
  private readonly waiting = new Map<string, Job>()
  private readonly inFlight = new Set<Job>()
  private stopped = false

  constructor (private readonly deps: ModelRefreshDeps) {
    const tzOffsetMinutes = deps.tzOffsetMinutes ?? CHINA_TZ_OFFSET_MINUTES
    // No history: learnModel returns the fixed cold-start thresholds (learnedWeight 0, no wake-by).
    this.thresholds = new ModelThresholds(this.models, learnModel({ activityTimes: [], until: 0, tzOffsetMinutes }))
  }

  model (homeId: string): HomeModel | undefined {
    return this.models.get(homeId)
  }

  /** Homes with a model now. */
  get size (): number {
    return this.models.size
  }

  /**
   * The start-up refresh: waits for it up to the start-up budget, so a huge registry or a slow store
   * cannot hold the gateway down; homes learned later take effect at their next deadline check (the
   * engine re-reads the threshold when a deadline fires and looks again later if it moved later).
   */
  async start (): Promise<void> {
    const budget = this.deps.startupBudgetMs ?? DEFAULT_STARTUP_BUDGET_MS
    if (await this.within(this.refresh(), budget) === 'late') {
      this.deps.log.warn({ budgetMs: budget }, 'activity models still learning; homes without one use the cold-start thresholds meanwhile')
    }
  }

  /** Waits for the queries in flight; no new query starts after this, and queued homes are dropped. */
  async stop (): Promise<void> {
    this.stopped = true
    for (const job of this.waiting.values()) job.settle('skipped')
    this.waiting.clear()
    await Promise.all([...this.inFlight].map(async (job) => await job.done))
  }

  /** Homes with a device not revoked, those `owns` accepts (all without it). */
  homes (owns?: HomeFilter): string[] {
    const homes = new Set<string>()
    for (const d of this.deps.devices.list()) if (d.revokedAt === null && (owns?.(d.homeId) ?? true)) homes.add(d.homeId)
    return [...homes]
  }

  /**
   * Learn every home with devices again (only those `owns` accepts, if given). Homes already being learned
   * are joined, not asked for twice. Never throws for one home.
   */
  async refresh (owns?: HomeFilter): Promise<RefreshResult> {
    const result = await this.learn(this.homes(owns))
    this.deps.log.info(result, 'activity models refreshed')
    return result
  }

  /**
   * Learn these homes now, at most `concurrency` queries at once over every caller. A home already queued
   * or in flight is joined: two callers asking for the same home (a takeover during the nightly refresh)
   * cause one query.
   */
  async learn (homeIds: Iterable<string>): Promise<RefreshResult> {
    const started = performance.now()
    const homes = [...new Set(homeIds)]
    const outcomes = await Promise.all(homes.map((homeId) => this.enqueue(homeId)))
    return {
      homes: homes.length,
      learned: outcomes.filter((o) => o === 'learned').length,
      failed: outcomes.filter((o) => o === 'failed').length,
      ms: Math.round(performance.now() - started)
    }
  }

  /**
   * Learn these homes (as learn()), waiting at most `budgetMs`: 'late' if the budget ran out first, the
   * rest then finishing in the background.
   */
  async learnWithin (homeIds: Iterable<string>, budgetMs: number): Promise<RefreshResult | 'late'> {
    return await this.within(this.learn(homeIds), budgetMs)
  }

  /**
   * Drop the models of the homes `which` accepts, and stop learning them (a query in flight is let finish
   * and its answer discarded), so a worker's memory follows the partitions it owns now. Returns how many
   * models were dropped. Their homes get the cold start until learned again.
   */
  forget (which: HomeFilter): number {
    let forgotten = 0
    for (const homeId of this.models.keys()) if (which(homeId)) { this.models.delete(homeId); forgotten++ }
    for (const [homeId, job] of this.waiting) if (which(homeId)) { this.waiting.delete(homeId); job.settle('skipped') }
    for (const job of this.inFlight) if (which(job.homeId)) job.forgotten = true
    return forgotten
  }

  private enqueue (homeId: string): Promise<Outcome> {
    if (this.stopped) return Promise.resolve('skipped')
    const joined = this.waiting.get(homeId) ?? [...this.inFlight].find((j) => j.homeId === homeId && !j.forgotten)
    if (joined !== undefined) return joined.done
    let settle: (o: Outcome) => void = () => {}
    const done = new Promise<Outcome>((resolve) => { settle = resolve })
    this.waiting.set(homeId, { homeId, forgotten: false, done, settle })
    this.pump()
    return done
  }

  /** Start queued homes while fewer than `concurrency` queries are in flight. */
  private pump (): void {
    const limit = this.deps.concurrency ?? DEFAULT_CONCURRENCY
    while (!this.stopped && this.inFlight.size < limit) {
      const next = this.waiting.values().next()
      if (next.done === true) return
      const job = next.value
      this.waiting.delete(job.homeId)
      this.inFlight.add(job)
      void this.run(job).then((outcome) => {
        this.inFlight.delete(job)
        job.settle(outcome)
        this.pump()
      })
    }
  }

  private async run (job: Job): Promise<Outcome> {
    try {
      const model = await this.learnHome(job.homeId, this.deps.clock.now())
      if (job.forgotten) return 'skipped'
      this.models.set(job.homeId, model)
      return 'learned'
    } catch (err) {
      if (job.forgotten) return 'skipped'
      // Keep the previous model (or the cold start): a failed query must not make thresholds stricter.
      this.deps.log.warn({ err, homeId: job.homeId }, 'activity model refresh failed for a home; keeping its previous model')
      return 'failed'
    }
  }

  private async learnHome (homeId: string, now: number): Promise<HomeModel> {
    const events = await this.deps.telemetry.activityEvents(homeId, { from: now - HISTORY_DAYS * DAY_MS, to: now })
    return learnModel({
      activityTimes: events.map((e) => e.at),
      until: now,
      tzOffsetMinutes: this.deps.tzOffsetMinutes ?? CHINA_TZ_OFFSET_MINUTES
    })
  }

  private async within<T> (work: Promise<T>, budgetMs: number): Promise<T | 'late'> {
    const timers = this.deps.timers ?? systemTimerFunctions
    let timer: unknown
    const late = new Promise<'late'>((resolve) => { timer = timers.setTimeout(() => resolve('late'), budgetMs) })
    try {
      return await Promise.race([work, late])
    } finally {
      timers.clearTimeout(timer)
    }
  }
}
