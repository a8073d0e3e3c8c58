// The core of the alert engine: watches the bus, opens alerts when a rule's deadline passes, walks each
// alert up its ladder and persists every transition together with the notifications it causes.
// AlertEngine (alert-engine.ts) adds the actions people take: acknowledge, resolve, away mode, settings.
//
// Delivery: a rung's notifications are enqueued inside the SQLite transaction that records the rung. With
// the outbox in the same database (gateway/notify) that is exactly once. With any other sink the choice is
// AT-LEAST-ONCE: a crash after enqueue and before commit leaves the rung unrecorded, so it is sent again
// after restart — a duplicate call is better than a missing one.
import type { ActivityEvent, DeviceStateEvent } from '../../src/events.ts'
import type { Alert, AlertType, LadderConfig, Outcome, ThresholdProvider } from '../../src/alerts.ts'
import { DEFAULT_LADDER } from '../../src/alerts.ts'
import type { AlertSettings } from '../../src/escalation/alert-schemas.ts'
import { openAlert, step, type LadderInput, type Step } from '../../src/escalation/ladder.ts'
import {
  CHECK_IN_FRACTION, checkInDelayMs, EARLY_CHECK_IN_DETAIL, HOME_OFFLINE_AFTER_MS, inactivityDeadline, isAway, isSustained, isUpBy, rememberActivity,
  nextNotUpCheck, quietHoursEnd, REASK_DETAIL, TYPE_RULES
} from '../../src/escalation/rules.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { Db } from '../db/open-database.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { Logger } from '../logger.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import { newId } from '../registry/secrets.ts'
import type { AckLinks } from './ack-links.ts'
import { AlertStore, emptySettings } from './alert-store.ts'
import { DeadlineScheduler, type Timers } from './deadline-scheduler.ts'
import { DeviceWatchList } from './device-watch.ts'
import { LoneEventFilter } from './lone-events.ts'
import { Notifier, type NotificationSink } from './notifier.ts'

export interface AlertEngineDeps {
  db: Db
  /**
   * Where alerts are persisted; default an AlertStore on `db`. Cluster mode passes one that also ships
   * each transaction to PostgreSQL (gateway/cluster/replicating-alert-store.ts).
   */
  store?: AlertStore
  bus: EventBus
  places: PlacesStore
  /** Only `list()`: the devices whose homes this engine watches. */
  devices: Pick<DeviceStore, 'list'>
  telemetry: TelemetryStore
  thresholds: ThresholdProvider
  sink: NotificationSink
  timers: Timers
  log: Logger
  /** The ladder where a home has none of its own (config `alerts`); DEFAULT_LADDER when absent. */
  ladder?: LadderConfig
  /** Signs acknowledge links for the people on an alert's ladder; no links without it. */
  ackLinks?: AckLinks
  /** Lone-event filter window (see lone-events.ts); 0 counts every event. Default 10 min, as evaluated. */
  isolationMs?: number
  /**
   * Two thresholds (src/escalation/rules.ts CHECK_IN_FRACTION): the TV check-in at this fraction of the
   * inactivity threshold; family held back to the full threshold, where the TV asks again; while that
   * early check-in is unanswered only sustained activity ends it. 1 (the default) = one threshold (TV at
   * the threshold, family one TV timeout later). A home's own ladder setting (checkInFraction) wins.
   */
  checkInFraction?: number
}

/** A failed transition (e.g. the disk is full) is retried this much later rather than lost. */
const RETRY_MS = 5_000
const key = (kind: 'r' | 'i' | 'u' | 'o', id: string): string => `${kind}|${id}`

export class AlertWatch {
  readonly store: AlertStore
  protected readonly scheduler: DeadlineScheduler
  private readonly notifier: Notifier
  private readonly deviceWatch = new DeviceWatchList()
  private readonly lastActivityOf = new Map<string, number>()
  /**
   * Homes with sensors but no activity ever seen: when watching began (engine start, or the first device
   * of a new home coming online). Their inactivity clock runs from then, so a resident who falls before
   * the first motion the gateway ever sees is still alerted. Not activity: lastActivity() stays null.
   */
  private readonly watchedSince = new Map<string, number>()
  /** Counted activity of the last SUSTAINED_WINDOW_MS per home, thinned (is the resident moving about?). */
  private readonly recentActivityOf = new Map<string, number[]>()
  private readonly loneEvents: LoneEventFilter
  /** Unresolved alerts by `homeId|type` (one per home and type) and by id. */
  private readonly unresolved = new Map<string, Alert>()
  protected readonly unresolvedById = new Map<string, Alert>()
  protected readonly settingsOf = new Map<string, AlertSettings>()
  private unsubscribe: Array<() => void> = []

  constructor (protected readonly deps: AlertEngineDeps) {
    this.store = deps.store ?? new AlertStore(deps.db)
    this.loneEvents = new LoneEventFilter(deps.isolationMs)
    this.notifier = new Notifier(deps.places, deps.ackLinks)
    this.scheduler = new DeadlineScheduler(deps.timers, (k) => this.due(k))
  }

  protected now (): number {
    return this.deps.timers.now()
  }

  async start (): Promise<void> {
    const now = this.now()
    for (const s of this.store.allSettings()) this.settingsOf.set(s.homeId, s)
    for (const alert of this.store.unresolved()) {
      this.track(alert)
      // Its home's next battery reading decides whether it still holds (the registry may say otherwise).
      if (alert.type === 'low_battery') this.deviceWatch.mayHaveLowBattery(alert.homeId)
    }
    for (const d of this.deps.devices.list()) {
      if (d.revokedAt === null) this.deviceWatch.seed(d.id, d.homeId, d.kind, d.battery, now)
    }
    // Listen before the history query resolves so no motion arriving meanwhile is missed.
    this.unsubscribe = [
      this.deps.bus.on('activity', (e) => this.guard(() => this.onActivity(e))),
      this.deps.bus.on('device-state', (e) => this.guard(() => this.onDeviceState(e)))
    ]
    const history = await this.deps.telemetry.lastActivityByHome().catch((err: unknown) => {
      // Better a running engine that learns each home's last activity from its next motion than no gateway.
      this.deps.log.error({ err }, 'could not read last activity from telemetry; inactivity deadlines start at the next motion')
      return new Map<string, number>()
    })
    // A home's latest raw event stands in for its latest counted activity: when it was a lone event, the
    // timer after a restart runs from it, a little late (exact would cost a history query per home).
    // Homes with an open alert get the exact answer, so a lone event cannot resolve one (lone-events.ts).
    for (const [homeId, at] of history) this.loneEvents.seed(homeId, at)
    for (const alert of [...this.unresolved.values()]) {
      if (!TYPE_RULES[alert.type].endsOnActivity) continue
      history.set(alert.homeId, await this.loneEvents.lastCountedSince(this.deps.telemetry, alert.homeId, alert.since, now))
    }
    // Counted motion recorded after an alert's start (missed in a crash) ends it here.
    for (const [homeId, at] of history) this.noteActivity(homeId, at)
    for (const [homeId, since] of this.deviceWatch.offlineHomes()) this.scheduler.set(key('o', homeId), since + HOME_OFFLINE_AFTER_MS)
    for (const d of this.deps.devices.list()) if (d.revokedAt === null) this.startWatching(d.homeId, now)
    this.scheduler.start()
    this.deps.log.info({ unresolved: this.unresolved.size, homes: this.lastActivityOf.size }, 'alert engine started')
  }

  stop (): void {
    for (const off of this.unsubscribe) off()
    this.unsubscribe = []
    this.scheduler.stop()
  }

  private guard (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.deps.log.error({ err }, 'alert engine failed to handle an event')
    }
  }

  lastActivity (homeId: string): number | null {
    return this.lastActivityOf.get(homeId) ?? null
  }

  openAlertOf (homeId: string, type: AlertType): Alert | undefined {
    return this.unresolved.get(`${homeId}|${type}`)
  }

  settings (homeId: string): AlertSettings {
    return this.settingsOf.get(homeId) ?? emptySettings(homeId)
  }

  ladderOf (homeId: string): LadderConfig {
    return this.settings(homeId).ladder ?? this.deps.ladder ?? DEFAULT_LADDER
  }

  /** The full inactivity threshold (family); a staff override replaces the learned one. */
  private threshold (homeId: string): (since: number) => number {
    const override = this.settings(homeId).inactivityThresholdMs
    return (since) => override ?? this.deps.thresholds.inactivityThresholdMs(homeId, since)
  }

  /** This home's check-in fraction: its own ladder setting, else the engine's (default 1: one threshold). */
  checkInFractionOf (homeId: string): number {
    return Math.min(1, Math.max(0.1, this.settings(homeId).ladder?.checkInFraction ?? this.deps.checkInFraction ?? CHECK_IN_FRACTION))
  }

  /** The TV check-in threshold: the check-in fraction of the full one. */
  private checkInThreshold (homeId: string): (since: number) => number {
    const full = this.threshold(homeId)
    const fraction = this.checkInFractionOf(homeId)
    return (since) => checkInDelayMs(full(since), fraction)
  }

  /** An inactivity alert whose early check-in is unanswered and has not been asked again yet. */
  private awaitingReask (alert: Alert): boolean {
    if (alert.type !== 'inactivity' || alert.state !== 'open' || alert.rung !== 0) return false
    const events = this.store.events(alert.id)
    return events.some((e) => e.action === 'opened' && e.detail?.startsWith(EARLY_CHECK_IN_DETAIL) === true) && !events.some((e) => e.detail === REASK_DETAIL)
  }

  /** An early check-in past its TV timeout and still unanswered: only sustained activity ends it. */
  private unansweredCheckIn (alert: Alert, at: number): boolean {
    return this.checkInFractionOf(alert.homeId) < 1 && alert.type === 'inactivity' && alert.state === 'open' && alert.rung === 0 &&
      at >= alert.openedAt + this.ladderOf(alert.homeId).tvTimeoutMs
  }

  /** Apply one ladder input to an alert and commit the result. */
  apply (alert: Alert, input: LadderInput): Alert {
    return this.commit(step(alert, this.ladderOf(alert.homeId), input))
  }

  private commit (first: Step): Alert {
    const at = this.now()
    const ladder = this.ladderOf(first.alert.homeId)
    let { alert, effects } = first
    if (effects.length === 0) return alert
    this.store.transaction(() => {
      for (let guard = 0; ; guard++) {
        this.store.save(alert)
        let emptyRung = false
        for (const effect of effects) {
          if (effect.kind === 'record') { this.store.addEvent(effect.event); continue }
          const notifications = this.notifier.notifications(alert, effect, at)
          for (const n of notifications) this.deps.sink.enqueue(n)
          if (effect.kind === 'notify' && notifications.length === 0) emptyRung = true
        }
        if (!emptyRung || alert.nextRungAt === null || guard > 3) break
        // Nobody is registered on this rung: say so and climb now instead of waiting for no one.
        this.store.addEvent({ alertId: alert.id, at, actor: 'system', action: 'updated', rung: alert.rung, detail: 'no recipients on this rung' })
        ;({ alert, effects } = step({ ...alert, nextRungAt: at }, ladder, { kind: 'tick', at }))
      }
    })
    this.track(alert)
    return alert
  }

  private track (alert: Alert): void {
    const k = `${alert.homeId}|${alert.type}`
    if (alert.state === 'resolved') {
      if (this.unresolved.get(k)?.id === alert.id) this.unresolved.delete(k)
      this.unresolvedById.delete(alert.id)
      this.scheduler.delete(key('r', alert.id))
      return
    }
    this.unresolved.set(k, alert)
    this.unresolvedById.set(alert.id, alert)
    if (alert.nextRungAt === null) this.scheduler.delete(key('r', alert.id))
    else this.scheduler.set(key('r', alert.id), alert.nextRungAt)
  }

  /** Open an alert of `type` for a home, or note the repeat on the one already open. */
  protected raise (homeId: string, type: AlertType, since: number, detail: string, holdUntil?: number): Alert {
    const existing = this.openAlertOf(homeId, type)
    if (existing !== undefined) return this.apply(existing, { kind: 'update', at: this.now(), detail })
    const now = this.now()
    const quietEnd = TYPE_RULES[type].maintenance ? quietHoursEnd(now, this.settings(homeId).quietHours) : null
    return this.commit(openAlert({ id: newId('alrt'), homeId, type, since, at: now, notifyAt: quietEnd ?? undefined, holdUntil, detail }, this.ladderOf(homeId)))
  }

  protected clear (homeId: string, type: AlertType, outcome: Outcome, detail: string): void {
    const alert = this.openAlertOf(homeId, type)
    if (alert !== undefined) this.apply(alert, { kind: 'cleared', at: this.now(), outcome, detail })
  }

  private due (k: string): void {
    const [kind, id] = [k.slice(0, 1), k.slice(2)]
    try {
      if (kind === 'r') {
        const alert = this.unresolvedById.get(id)
        if (alert !== undefined && alert.nextRungAt !== null && alert.nextRungAt <= this.now() && this.awaitingReask(alert)) {
          this.apply(alert, { kind: 'reask', at: this.now(), detail: REASK_DETAIL })
        } else if (alert !== undefined) this.apply(alert, { kind: 'tick', at: this.now() })
      } else if (kind === 'i') this.checkInactivity(id)
      else if (kind === 'u') this.checkNotUp(id)
      else if (kind === 'o') this.checkOffline(id)
    } catch (err) {
      this.deps.log.error({ err, deadline: kind }, 'alert deadline failed; retrying')
      this.scheduler.set(k, this.now() + RETRY_MS)
    }
  }

  private onActivity (e: ActivityEvent): void {
    const silent = this.deviceWatch.motion(e.deviceId, e.homeId, e.at)
    if (silent.length === 0) this.clear(e.homeId, 'sensor_silent', 'device_fixed', 'every sensor sees motion again')
    else if (this.openAlertOf(e.homeId, 'sensor_silent') === undefined) this.raise(e.homeId, 'sensor_silent', e.at, `silent: ${silent.join(', ')}`)
    this.clear(e.homeId, 'home_offline', 'device_fixed', 'motion reported')
    this.scheduler.delete(key('o', e.homeId))
    // Only counted activity moves the inactivity timer and ends an inactivity alert (lone-events.ts).
    const counted = this.loneEvents.countedAt(e.homeId, e.at)
    if (counted !== null) {
      let recent = this.recentActivityOf.get(e.homeId)
      if (recent === undefined) this.recentActivityOf.set(e.homeId, recent = [])
      const sustained = isSustained(recent, counted)
      rememberActivity(recent, counted)
      this.noteActivity(e.homeId, counted, sustained)
    }
  }

  /**
   * New activity: end inactivity alerts and move the home's deadlines. Older, out-of-order events change
   * nothing. `sustained` false (a short burst: a cat, sunlight) does not end an unanswered early check-in.
   */
  protected noteActivity (homeId: string, at: number, sustained = true): void {
    const last = this.lastActivityOf.get(homeId)
    if (last !== undefined && at <= last) return
    this.lastActivityOf.set(homeId, at)
    for (const type of ['inactivity', 'not_up'] as const) {
      const alert = this.openAlertOf(homeId, type)
      if (alert === undefined) continue
      if (!sustained && this.unansweredCheckIn(alert, at)) {
        this.apply(alert, { kind: 'update', at, detail: 'brief motion; the check-in stays open' })
        continue
      }
      this.apply(alert, { kind: 'activity', at })
    }
    const deadline = inactivityDeadline(at, this.settings(homeId).awayUntil, this.checkInThreshold(homeId))
    this.scheduler.ensureBy(key('i', homeId), deadline.at)
    if (this.scheduler.get(key('u', homeId)) === undefined) this.scheduleNotUp(homeId)
  }

  /** The instant a home's inactivity clock runs from: its last counted activity, else when watching began. */
  private clockStart (homeId: string): number | undefined {
    return this.lastActivityOf.get(homeId) ?? this.watchedSince.get(homeId)
  }

  /** A home with devices and no activity known: start its inactivity clock (see watchedSince). */
  private startWatching (homeId: string, at: number): void {
    if (this.lastActivityOf.has(homeId) || this.watchedSince.has(homeId)) return
    this.watchedSince.set(homeId, at)
    this.scheduler.ensureBy(key('i', homeId), inactivityDeadline(at, this.settings(homeId).awayUntil, this.checkInThreshold(homeId)).at)
    if (this.scheduler.get(key('u', homeId)) === undefined) this.scheduleNotUp(homeId)
  }

  private scheduleNotUp (homeId: string): void {
    const next = nextNotUpCheck(homeId, this.now(), this.clockStart(homeId) ?? 0, this.deps.thresholds)
    if (next !== null) this.scheduler.set(key('u', homeId), next)
  }

  protected rescheduleInactivity (homeId: string): void {
    const last = this.clockStart(homeId)
    if (last === undefined) return
    this.scheduler.set(key('i', homeId), inactivityDeadline(last, this.settings(homeId).awayUntil, this.checkInThreshold(homeId)).at)
  }

  private checkInactivity (homeId: string): void {
    const last = this.clockStart(homeId)
    if (last === undefined || this.openAlertOf(homeId, 'inactivity') !== undefined || this.openAlertOf(homeId, 'not_up') !== undefined) return
    const deadline = inactivityDeadline(last, this.settings(homeId).awayUntil, this.checkInThreshold(homeId))
    // An early wake-up (the deadline moved later since it was set): look again then.
    if (deadline.at > this.now()) { this.scheduler.set(key('i', homeId), deadline.at); return }
    const full = deadline.since + this.threshold(homeId)(deadline.since)
    const minutes = Math.round((full - deadline.since) / 60_000)
    const never = this.lastActivityOf.has(homeId) ? '' : '; no activity seen since watching began'
    // Family waits for the full threshold (the TV asks again then) when the check-in came early.
    if (full > this.now() + this.ladderOf(homeId).tvTimeoutMs) {
      this.raise(homeId, 'inactivity', deadline.since, `${EARLY_CHECK_IN_DETAIL} at ${Math.round((deadline.at - deadline.since) / 60_000)} min; threshold ${minutes} min${never}`, full)
    } else this.raise(homeId, 'inactivity', deadline.since, `threshold ${minutes} min${never}`)
  }

  private checkNotUp (homeId: string): void {
    const now = this.now()
    const last = this.clockStart(homeId)
    const covered = this.openAlertOf(homeId, 'inactivity') !== undefined || this.openAlertOf(homeId, 'not_up') !== undefined
    if (last !== undefined && !isUpBy(last, now) && !isAway(this.settings(homeId).awayUntil, now) && !covered) {
      this.raise(homeId, 'not_up', last, 'no activity by the usual wake-up time')
    }
    // Not up while an early check-in is unanswered: ask again now, family one TV timeout later.
    const open = this.openAlertOf(homeId, 'inactivity')
    if (last !== undefined && !isUpBy(last, now) && open !== undefined && this.awaitingReask(open)) this.apply(open, { kind: 'reask', at: now, detail: REASK_DETAIL })
    this.scheduleNotUp(homeId)
  }

  private onDeviceState (e: DeviceStateEvent): void {
    if (e.online === true) this.startWatching(e.homeId, e.at)
    if (e.online !== undefined) {
      const offlineSince = this.deviceWatch.setOnline(e.deviceId, e.homeId, e.kind, e.online, e.at)
      if (offlineSince === 'unchanged') {
        // The same state again (every heartbeat says online): what it implies was done when it changed.
      } else if (offlineSince === null) {
        this.scheduler.delete(key('o', e.homeId))
        this.clear(e.homeId, 'home_offline', 'device_fixed', `${e.deviceId} back online`)
      } else if (this.openAlertOf(e.homeId, 'home_offline') === undefined) {
        this.scheduler.ensureBy(key('o', e.homeId), offlineSince + HOME_OFFLINE_AFTER_MS)
      }
    }
    if (e.battery !== undefined) {
      const battery = this.deviceWatch.setBattery(e.deviceId, e.homeId, e.kind, e.battery, e.at)
      // Heartbeats repeat the same reading every few minutes: only a new low device is worth an event.
      // null: nothing low in the home before or now, so no low-battery alert can be open to clear.
      if (battery === null) return
      const { low, became } = battery
      if (low.length === 0) this.clear(e.homeId, 'low_battery', 'device_fixed', 'batteries replaced')
      else if (became || this.openAlertOf(e.homeId, 'low_battery') === undefined) this.raise(e.homeId, 'low_battery', e.at, `low: ${low.join(', ')}`)
    }
  }

  private checkOffline (homeId: string): void {
    const since = this.deviceWatch.offlineSince(homeId)
    if (since === null || this.openAlertOf(homeId, 'home_offline') !== undefined) return
    if (since + HOME_OFFLINE_AFTER_MS > this.now()) { this.scheduler.set(key('o', homeId), since + HOME_OFFLINE_AFTER_MS); return }
    this.raise(homeId, 'home_offline', since, 'every device of the home is offline')
  }
}
