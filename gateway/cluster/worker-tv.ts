// The TV app ("一村一屏") on a cluster worker: screens connect to any worker behind the load balancer.
//   village content and screens: a read-only replica of the admin node's, through PostgreSQL
//     (content-sync.ts), reloaded on NOTIFY; screens of a revoked token are cut off at the reload
//   the household's alerts: PostgreSQL, and answers routed to the home's owner (cluster-tv.ts)
//   the household's event stream: `sse` outbox rows from PostgreSQL, delivered by whichever worker holds
//     the screen's connection (pg-sse.ts)
//   acknowledge links (/a/:token) from family and grid workers' phones: the same desk (cluster-alert-desk.ts)
// Pairing stays on the admin node (its codes live in that process): route /tv/api/pair/* there.
import { setTimeout as delay } from 'node:timers/promises'
import type pg from 'pg'
import type { LadderConfig } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { Config } from '../config/config-schema.ts'
import { ContentService } from '../content/content-service.ts'
import type { Db } from '../db/open-database.ts'
import type { Logger } from '../logger.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import { ScreenStore } from '../tv/screen-store.ts'
import type { TvRouteDeps } from '../tv/tv-routes.ts'
import type { Closer } from '../uplink.ts'
import { ClusterAlertDesk } from './cluster-alert-desk.ts'
import { ClusterHouseholdAlerts } from './cluster-tv.ts'
import type { AlertCommand } from './contracts.ts'
import type { PgAlertLog } from './pg/alert-log.ts'
import { loadContent, watchContent } from './pg/content-sync.ts'
import { PgSse } from './pg/pg-sse.ts'

const RELOAD_ATTEMPTS = 5
const RELOAD_RETRY_MS = 1000

export interface WorkerTvDeps {
  config: Config
  pool: pg.Pool
  /** The worker's registry replica; the content tables and screens are loaded into it too. */
  db: Db
  places: PlacesStore
  devices: DeviceStore
  telemetry: TelemetryStore
  alertLog: PgAlertLog
  /** The ladder of a home without its own: the partition engines' (the TV asks until its rung ends). */
  ladder: LadderConfig
  route: (homeId: string, command: AlertCommand) => Promise<unknown>
  clock: Clock
  log: Logger
  closers: Closer[]
}

export interface WorkerTv {
  routes: TvRouteDeps
  /** People's actions on alerts (acknowledge links): PostgreSQL's alerts, actions routed to the owner. */
  desk: ClusterAlertDesk
  /** Screens with an open event stream on this worker. */
  clients: () => number
}

export async function startWorkerTv (deps: WorkerTvDeps): Promise<WorkerTv> {
  const { config, pool, db, clock, log, closers } = deps
  const content = new ContentService(db, clock)
  const screens = new ScreenStore(db, clock)
  const reload = async (): Promise<void> => {
    const live = screens.list().filter((s) => s.revokedAt === null).map((s) => s.id)
    const broadcasts = content.activeBroadcastIds()
    const { changedVillages } = await loadContent(pool, db)
    content.reloaded(changedVillages, broadcasts)
    const cut = screens.reloaded(live)
    log.info({ villages: changedVillages.size, screensCut: cut }, 'content reloaded')
  }
  // Content pushed with a village the registry replica has not loaded yet fails its references: the
  // registry's own reload is due within moments, so try again a few times before waiting for the next push.
  const reloadPatiently = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try { await reload(); return } catch (err) {
        if (attempt === RELOAD_ATTEMPTS) throw err
        log.warn({ err, attempt }, 'content reload failed; retrying')
        await delay(RELOAD_RETRY_MS)
      }
    }
  }
  await loadContent(pool, db)
  closers.push({ name: 'content', close: () => { content.close() } })
  const stopWatching = await watchContent(pool, reloadPatiently, { onError: (err: Error) => log.error({ err }, 'content reload failed') })
  closers.push({ name: 'content watch', close: stopWatching })

  const sse = new PgSse({ pool, clock, log: log.child({ part: 'sse' }), maxAgeMs: config.notify.maxAgeMs })
  await sse.start()
  closers.push({ name: 'screen streams', close: () => sse.close() })

  const householdAlerts = new ClusterHouseholdAlerts({ alertLog: deps.alertLog, ladder: deps.ladder, route: deps.route, clock })
  return {
    desk: new ClusterAlertDesk({ alertLog: deps.alertLog, pool, household: householdAlerts, route: deps.route, clock }),
    routes: {
      content,
      screens,
      householdAlerts,
      telemetry: deps.telemetry,
      places: deps.places,
      devices: deps.devices,
      sse,
      clock,
      tv: config.tv
    },
    clients: () => sse.clientCount
  }
}
