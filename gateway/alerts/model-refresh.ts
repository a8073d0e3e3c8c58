// Learned inactivity thresholds for the running gateway: one activity model per home with devices,
// learned from its last HISTORY_DAYS of activity (src/activity-model), served to the alert engine as a
// ModelThresholds. Run once at start-up (before the alert engine starts) and nightly from the notify
// schedules' model-refresh job. A home without a model (new, or its query failed) gets the cold-start
// model: the fixed thresholds learnModel itself gives a home with no history, and no not_up.
import type { Clock } from '../../src/clock.ts'
import { CHINA_TZ_OFFSET_MINUTES, LEARN_DEFAULTS, learnModel, ModelThresholds, type HomeModel } from '../../src/activity-model/index.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { Logger } from '../logger.ts'
import type { DeviceStore } from '../registry/device-store.ts'

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
  concurrency?: number
  startupBudgetMs?: number
  tzOffsetMinutes?: number
}

export interface RefreshResult { homes: number, learned: number, failed: number, ms: number }

export class ModelRefresh {
  private readonly models = new Map<string, HomeModel>()
  readonly thresholds: ModelThresholds
  private running: Promise<RefreshResult> | null = null
  private stopped = false

  constructor (private readonly deps: ModelRefreshDeps) {
    const tzOffsetMinutes = deps.tzOffsetMinutes ?? CHINA_TZ_OFFSET_MINUTES
    // No history: learnModel returns the fixed cold-start thresholds (learnedWeight 0, no wake-by).
    this.thresholds = new ModelThresholds(this.models, learnModel({ activityTimes: [], until: 0, tzOffsetMinutes }))
  }

  model (homeId: string): HomeModel | undefined {
    return this.models.get(homeId)
  }

  /**
   * The start-up refresh: waits for it up to the start-up budget, so a huge registry or a slow store
   * cannot hold the gateway down; homes learned later take effect at their next deadline check (the
   * engine re-reads the threshold when a deadline fires and looks again later if it moved later).
   */
  async start (): Promise<void> {
    const budget = this.deps.startupBudgetMs ?? DEFAULT_STARTUP_BUDGET_MS
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), budget) })
    const outcome = await Promise.race([this.refresh(), late])
    clearTimeout(timer)
    if (outcome === 'late') this.deps.log.warn({ budgetMs: budget }, 'activity models still learning; homes without one use the cold-start thresholds meanwhile')
  }

  /** Waits for a refresh in progress; no new query starts after this. */
  async stop (): Promise<void> {
    this.stopped = true
    await this.running?.catch(() => undefined)
  }

  /** Learn every home's model again; a second call while one runs joins it. Never throws for one home. */
  refresh (): Promise<RefreshResult> {
    this.running ??= this.run().finally(() => { this.running = null })
    return this.running
  }

  private async run (): Promise<RefreshResult> {
    const { clock, log } = this.deps
    const started = performance.now()
    const homes = [...new Set(this.deps.devices.list().filter((d) => d.revokedAt === null).map((d) => d.homeId))]
    let next = 0
    let learned = 0
    let failed = 0
    const worker = async (): Promise<void> => {
      while (!this.stopped && next < homes.length) {
        const homeId = homes[next++] as string
        try {
          this.models.set(homeId, await this.learn(homeId, clock.now()))
          learned++
        } catch (err) {
          // Keep the previous model (or the cold start): a failed query must not make thresholds stricter.
          failed++
          log.warn({ err, homeId }, 'activity model refresh failed for a home; keeping its previous model')
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(homes.length, this.deps.concurrency ?? DEFAULT_CONCURRENCY) }, worker))
    const result = { homes: homes.length, learned, failed, ms: Math.round(performance.now() - started) }
    log.info(result, 'activity models refreshed')
    return result
  }

  private async learn (homeId: string, now: number): Promise<HomeModel> {
    const events = await this.deps.telemetry.activityEvents(homeId, { from: now - HISTORY_DAYS * DAY_MS, to: now })
    return learnModel({
      activityTimes: events.map((e) => e.at),
      until: now,
      tzOffsetMinutes: this.deps.tzOffsetMinutes ?? CHINA_TZ_OFFSET_MINUTES
    })
  }
}
