// The composition root: wires the feature modules of one gateway and returns a handle tests can use.
// `main.ts` only loads config, builds and waits for a signal.
import type { AddressInfo } from 'node:net'
import { systemClock, type Clock } from '../src/clock.ts'
import type { Config } from './config/config-schema.ts'
import { createMqttBroker, type MqttBroker } from './broker/mqtt-broker.ts'
import { openDatabase, type Db } from './db/open-database.ts'
import type { EventBus } from './events/event-bus.ts'
import { createHttpServer } from './http/http-server.ts'
import { engineAlertDesk } from './alerts/alert-desk.ts'
import type { Ingest } from './ingest/ingest.ts'
import { closeInReverse, startUplink, type Closer } from './uplink.ts'
import { createLogger, type Logger } from './logger.ts'
import type { Metrics } from './metrics/metrics.ts'
import { DeviceAdmin } from './registry/device-admin.ts'
import { startAdminNode } from './cluster/admin-node.ts'
import { createDynsecProvisioner } from './cluster/mosquitto-dynsec.ts'
import { DeviceStore } from './registry/device-store.ts'
import { PlacesStore } from './registry/places-store.ts'
import { resolveAdminToken, adminTokenPath } from './admin-token.ts'
import type { FastifyInstance } from 'fastify'
import type { TelemetryStore } from '../src/telemetry.ts'
import { AlertEngine, type NotificationSink } from './alerts/alert-engine.ts'
import type { Timers } from '../src/clock.ts'
import { systemTimers } from './timers.ts'
import { ModelRefresh } from './alerts/model-refresh.ts'
import { aedesPublisher } from './notify/channels/mqtt-push.ts'
import { NotifyService } from './notify/notify-service.ts'
import { dailySummaryProvider } from './notify/daily-summary.ts'
import { AckLinks, ackLinkKeyPath, resolveAckLinkKey } from './alerts/ack-links.ts'
import { ContentService } from './content/content-service.ts'
import { pruneAuditLog } from './console/auth/audit-retention.ts'
import { MediaStore } from './content/media-store.ts'
import { ScreenStore } from './tv/screen-store.ts'

export interface BuildOptions {
  clock?: Clock
  log?: Logger
  /** Timers of the alert engine (a fake scheduler in tests); its `now` is the clock when `clock` is not given. */
  timers?: Timers
  /** Where alert notifications go (the outbox); by default they are only logged. */
  notificationSink?: NotificationSink
}

export interface Gateway {
  config: Config
  log: Logger
  db: Db
  bus: EventBus
  metrics: Metrics
  places: PlacesStore
  devices: DeviceStore
  deviceAdmin: DeviceAdmin
  ingest: Ingest
  telemetry: TelemetryStore
  alerts: AlertEngine
  notify: NotifyService
  content: ContentService
  screens: ScreenStore
  broker: MqttBroker
  http: FastifyInstance
  adminToken: string
  /** The ports actually bound (port 0 in config picks a free one). */
  ports: { mqtt: number, mqtts: number | null, http: number }
  urls: { http: string, mqtt: string, ws: string, docs: string }
  close(): Promise<void>
}

export async function build (config: Config, options: BuildOptions = {}): Promise<Gateway> {
  const clock = options.clock ?? options.timers ?? systemClock
  const log = options.log ?? createLogger(config.logLevel)
  const db = openDatabase(config.dataDir)
  const closers: Closer[] = [{ name: 'database', close: () => db.close() }]
  const closeAll = async (): Promise<void> => { await closeInReverse(closers, log) }

  // Set: this gateway is the admin node of a cluster (docs/cluster.md); its workers run the alerts.
  const clusterPostgresUrl = config.cluster.postgresUrl
  try {
    const places = new PlacesStore(db, clock)
    const devices = new DeviceStore(db, clock)
    const { metrics, bus, ingest, telemetry } = await startUplink({ config, places, devices, clock, log, closers })
    // Learned per-home inactivity thresholds: learned once before the alert engine starts (bounded by a
    // start-up budget), again nightly by the notify schedules' model-refresh job. A per-home override in
    // the alert settings still wins (AlertWatch.threshold).
    const models = new ModelRefresh({ devices, telemetry, clock, log: log.child({ part: 'models' }) })
    await models.start()
    closers.push({ name: 'activity models', close: () => models.stop() })
    const notify = new NotifyService({
      config: config.notify, db, clock, timers: options.timers, registry: metrics.registry, log: log.child({ part: 'notify' }),
      jobs: {
        modelRefresh: async () => { await models.refresh() },
        retention: [() => pruneAuditLog(db, clock.now(), { days: config.console.auditRetentionDays, signInDays: config.console.signInAuditRetentionDays })],
        // 每日平安 from telemetry; away homes get none. `alerts` is created just below (it needs notify's
        // sink) and the job only runs once the gateway is up.
        // The admin node of a cluster sends none: the workers do, each for its own partitions.
        summaryProvider: clusterPostgresUrl !== undefined
          ? async () => null
          : dailySummaryProvider({ telemetry, places, clock, awayUntil: (homeId): number | null => alerts.settings(homeId).awayUntil })
      }
    })
    const linkKey = resolveAckLinkKey(config.notify.ackLinkKey, config.dataDir)
    if (linkKey.source === 'generated') log.info({ file: ackLinkKeyPath(config.dataDir) }, 'generated the acknowledge-link key; it is in this file')
    const ackLinks = new AckLinks(linkKey.key, config.notify.ackLinkTtlHours * 3_600_000, clock, config.notify.publicUrl)
    const alerts = new AlertEngine({
      db, bus, places, devices, telemetry, thresholds: models.thresholds, sink: options.notificationSink ?? notify.sink,
      timers: options.timers ?? systemTimers(clock), log: log.child({ part: 'alerts' }), ladder: { ...config.alerts }, ackLinks
    })
    // The admin node of a cluster runs no ladder of its own (gateway/cluster/admin-node.ts).
    if (clusterPostgresUrl === undefined) {
      await alerts.start()
      closers.push({ name: 'alerts', close: () => alerts.stop() })
    }

    const broker = await createMqttBroker({ config: config.mqtt, devices, ingest, metrics, clock, log: log.child({ part: 'broker' }) })
    closers.push({ name: 'broker', close: () => broker.close() })
    notify.attachMqtt(aedesPublisher(broker.aedes))
    notify.start()
    closers.push({ name: 'notify', close: () => notify.stop() })
    // Cluster mode with Mosquitto (docs/cluster.md): this gateway is where devices are registered, and it
    // puts each device's credentials into Mosquitto's dynamic security as they are issued.
    const provisioner = createDynsecProvisioner(config.dynsec, log.child({ part: 'dynsec' }))
    if (provisioner !== undefined) closers.push({ name: 'dynsec', close: () => provisioner.close() })
    const deviceAdmin = new DeviceAdmin(devices, broker, ingest, { provisioner, log: log.child({ part: 'devices' }) })
    // The broker's retained store lives in memory: republish every sensor's config downlink.
    for (const id of devices.activeSensorIds()) await deviceAdmin.publishConfig(id)

    const content = new ContentService(db, clock)
    // Broadcast expiry timers must not outlive the gateway.
    closers.push({ name: 'content', close: () => content.close() })
    const screens = new ScreenStore(db, clock)
    const adminNode = clusterPostgresUrl === undefined ? undefined : startAdminNode({ config, postgresUrl: clusterPostgresUrl, db, clock, log })
    closers.push(...adminNode?.closers ?? [])

    const admin = resolveAdminToken(config.adminToken, config.dataDir)
    if (admin.source === 'generated') log.info({ file: adminTokenPath(config.dataDir) }, 'generated an admin token; it is in this file')

    let ready = false
    const http = await createHttpServer({
      desk: adminNode?.desk ?? engineAlertDesk(alerts, db),
      log,
      metrics,
      adminToken: admin.token,
      places,
      deviceAdmin,
      telemetry,
      alerts,
      notify,
      ackLinks,
      clock,
      content,
      media: new MediaStore(config.dataDir),
      screens,
      devices,
      tv: config.tv,
      db,
      config,
      isReady: () => ready && db.open,
      refreshGauges: () => {
        for (const [kind, n] of Object.entries(devices.countByKind())) metrics.devicesRegistered.set({ kind }, n)
        for (const [kind, n] of Object.entries(ingest.health.onlineByKind())) metrics.devicesOnline.set({ kind }, n)
        metrics.storeQueueDepth.set({ store: 'device_health' }, ingest.health.pending)
        metrics.recordTelemetry(telemetry.stats())
      }
    })
    closers.push({ name: 'http', close: () => http.close() })
    broker.attachWebSocket(http.server)

    const mqttPorts = await broker.listen()
    await http.listen({ port: config.http.port, host: config.http.host })
    const httpPort = (http.server.address() as AddressInfo).port
    ready = true

    const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host
    const ports = { ...mqttPorts, http: httpPort }
    const urls = {
      http: `http://${host}:${httpPort}`,
      mqtt: `mqtt://${config.mqtt.host === '0.0.0.0' ? '127.0.0.1' : config.mqtt.host}:${mqttPorts.mqtt}`,
      ws: `ws://${host}:${httpPort}${config.mqtt.wsPath}`,
      docs: `http://${host}:${httpPort}/docs`
    }
    if (config.notify.publicUrl === undefined) {
      // Until ANJU_PUBLIC_URL is set, links only work where this address is reachable (the LAN, tests).
      ackLinks.setBase(urls.http, false)
      log.warn({ base: urls.http }, 'ANJU_PUBLIC_URL is not set: acknowledge links point at the gateway itself')
    }
    log.info({ ports }, 'gateway listening')
    return { config, log, db, bus, metrics, places, devices, deviceAdmin, ingest, telemetry, alerts, notify, content, screens, broker, http, adminToken: admin.token, ports, urls, close: closeAll }
  } catch (err) {
    log.error({ err }, 'gateway failed to start')
    await closeAll()
    throw err
  }
}
