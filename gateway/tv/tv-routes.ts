// The TV app's API under /tv/api (contract: src/tv/tv-api.ts), authenticated by screen tokens, not the
// admin token.
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { AlertEngine } from '../alerts/alert-engine.ts'
import type { ContentService } from '../content/content-service.ts'
import type { NotifyService } from '../notify/notify-service.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import type { ScreenStore } from './screen-store.ts'

export interface TvRouteDeps {
  content: ContentService
  screens: ScreenStore
  alerts: AlertEngine
  telemetry: TelemetryStore
  places: PlacesStore
  devices: DeviceStore
  notify: NotifyService
  clock: Clock
}

export async function tvRoutes (_app: FastifyInstance, _deps: TvRouteDeps): Promise<void> {}
