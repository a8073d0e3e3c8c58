// The TV app on a cluster worker: a screen connects to any worker, but its home's alerts are held by the
// home's partition owner. Reads come from PostgreSQL (every committed transition is there); the
// resident's answers ("I'm fine", away mode) are routed to the owner as commands on the partition's
// stream, exactly as the worker's HTTP API routes an acknowledgement. The screen learns the outcome as in
// the embedded gateway: an `all_clear` outbox row on its event stream (PgSse).
import type { Alert, LadderConfig } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import type { TvCheckIn } from '../../src/tv/tv-api.ts'
import { CHECKIN_TYPES, checkInOf, type HomeAlerts, type HouseholdAlerts } from '../tv/household-alerts.ts'
import type { AlertCommand } from './contracts.ts'
import type { PgAlertLog } from './pg/alert-log.ts'

export interface ClusterHouseholdAlertsDeps {
  alertLog: Pick<PgAlertLog, 'list' | 'events' | 'settingsOf'>
  /** The ladder of a home without its own (config.alerts, as the partition engines use). */
  ladder: LadderConfig
  /** Put a command on the home's partition stream, for its owner to apply. */
  route: (homeId: string, command: AlertCommand) => Promise<unknown>
  clock: Clock
}

const isCheckInType = (a: Alert): boolean => (CHECKIN_TYPES as readonly string[]).includes(a.type)
const CHECKIN_ORDER = (a: Alert): number => (CHECKIN_TYPES as readonly string[]).indexOf(a.type)

export class ClusterHouseholdAlerts implements HouseholdAlerts {
  constructor (private readonly deps: ClusterHouseholdAlertsDeps) {}

  async home (homeId: string): Promise<HomeAlerts> {
    const [alerts, settings] = await Promise.all([this.deps.alertLog.list({ homeId }), this.deps.alertLog.settingsOf(homeId)])
    return { awayUntil: settings.awayUntil, alerts, checkIns: await this.checkInsOf(alerts, settings.ladder) }
  }

  async checkIns (homeId: string): Promise<TvCheckIn[]> {
    const open = await this.deps.alertLog.list({ homeId, state: 'open' })
    if (!open.some(isCheckInType)) return []
    return await this.checkInsOf(open, (await this.deps.alertLog.settingsOf(homeId)).ladder)
  }

  /**
   * Routed, not applied here: the owner resolves the home's unresolved inactivity / not-up alerts. The
   * answer counts those as PostgreSQL has them now (what the embedded engine would close).
   */
  async checkIn (homeId: string): Promise<number> {
    const byType = await Promise.all(CHECKIN_TYPES.map(async (type) => await this.deps.alertLog.list({ homeId, type }, 5)))
    const unresolved = byType.flat().filter((a) => a.state !== 'resolved').length
    await this.deps.route(homeId, { kind: 'check-in', homeId })
    return unresolved
  }

  async setAway (homeId: string, until: number | null, by: string): Promise<number | null> {
    await this.deps.route(homeId, { kind: 'away', homeId, until, by })
    // What the owner will store (AlertEngine.setAway): a time already past means back home.
    return until !== null && until > this.deps.clock.now() ? until : null
  }

  private async checkInsOf (alerts: Alert[], ladder: LadderConfig | null): Promise<TvCheckIn[]> {
    const tvTimeoutMs = (ladder ?? this.deps.ladder).tvTimeoutMs
    const asking = alerts.filter((a) => isCheckInType(a) && a.state === 'open' && a.rung === 0).sort((a, b) => CHECKIN_ORDER(a) - CHECKIN_ORDER(b))
    const out: TvCheckIn[] = []
    for (const alert of asking) {
      const checkIn = checkInOf(alert, await this.deps.alertLog.events(alert.id), tvTimeoutMs)
      if (checkIn !== null) out.push(checkIn)
    }
    return out
  }
}
