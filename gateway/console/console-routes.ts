// The console's API under /console/api: places, devices, screens, alerts, content and finance for the
// signed-in user's role and scope. installConsoleAuth (auth/) has already authenticated the request and
// set req.principal; each route checks the role (requireRole, 403) and the scope (Access, 404).
import type { FastifyInstance } from 'fastify'
import { alertsApi } from './api/alerts.ts'
import { consoleApi } from './api/common.ts'
import { contentApi } from './api/content.ts'
import { devicesApi } from './api/devices.ts'
import { familyApi } from './api/family.ts'
import { mediaApi } from './api/media.ts'
import { financeApi } from './api/finance.ts'
import { NoticeSchedule } from './api/notice-schedule.ts'
import { placesApi } from './api/places.ts'
import { screensApi } from './api/screens.ts'
import type { ConsoleDeps } from './console-deps.ts'

export async function consoleRoutes (app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const api = consoleApi(deps)
  placesApi(app, api)
  devicesApi(app, api)
  screensApi(app, api)
  alertsApi(app, api)
  familyApi(app, api)
  contentApi(app, api)
  mediaApi(app, api)
  financeApi(app, api)

  // Scheduled notices: streaming screens re-fetch when one starts or ends (polling ones see it anyway).
  const schedule = new NoticeSchedule({ db: deps.db, clock: deps.clock, log: deps.log, announce: (villageId) => { deps.content.announce(villageId) } })
  schedule.start()
  app.addHook('onClose', async () => { schedule.stop() })
}
