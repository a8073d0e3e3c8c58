// Cluster mode's composition root (`npm run worker`; docs/cluster.md): one stateless gateway worker.
//
//   external broker --$share/<group>/anju/v1/...--> SharedSubscriber --> Ingest --> local bus
//     local bus --> TelemetryRecorder --> shared InfluxDB
//     local bus --> the partition's Redis stream (XADD) --> the partition owner's PartitionEngine
//   PartitionLeases (Redis) --acquired--> claim epoch + load state (PostgreSQL) --> PartitionEngine.start
//   PartitionEngine --batches--> PgAlertLog.commit (fenced) --> outbox rows --> any worker's Outbox sends
//     (MQTT push to apps: Outbox --> SharedSubscriber.publish --> external broker, anju/v1/push/<contactId>)
//
// The registry is a read-only local replica of PostgreSQL's (loaded at start, reloaded on NOTIFY); it is
// written by `anju cluster push-registry` from an embedded gateway's database.
import { hostname } from 'node:os'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { LadderConfig, ThresholdProvider } from '../../src/alerts.ts'
import { systemClock, type Clock, type Timers } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import { AckLinks, ackLinkKeyPath, resolveAckLinkKey } from '../alerts/ack-links.ts'
import { ModelRefresh } from '../alerts/model-refresh.ts'
import type { Config } from '../config/config-schema.ts'
import { ConfigError } from '../config/load-config.ts'
import { openMemoryDatabase } from '../db/open-database.ts'
import { createLogger, type Logger } from '../logger.ts'
import type { ChannelName } from '../notify/channel.ts'
import { NotifyService } from '../notify/notify-service.ts'
import { DeviceStore } from '../registry/device-store.ts'
import { PlacesStore } from '../registry/places-store.ts'
import { systemTimers } from '../timers.ts'
import { closeInReverse, startUplink, type Closer } from '../uplink.ts'
import type { PartitionEvent } from './contracts.ts'
import { PartitionEngine } from './partition-engine.ts'
import { PartitionLeases } from './partition-leases.ts'
import { PartitionModels } from './partition-models.ts'
import { sharedLastActivity } from './partition-telemetry.ts'
import { PartitionStreams } from './partition-streams.ts'
import { partitionOf } from './partitions.ts'
import { PgAlertLog } from './pg/alert-log.ts'
import { PgOutboxQueue } from './pg/pg-outbox-queue.ts'
import { migratePostgres } from './pg/pg-schema.ts'
import { loadRegistry, watchRegistry } from './pg/registry-sync.ts'
import { SharedSubscriber } from './shared-subscriber.ts'
import { createWorkerRoutes } from './worker-routes.ts'
import { workerSchedules } from './worker-schedules.ts'
import { startWorkerTv } from './worker-tv.ts'

export interface WorkerOptions {
  log?: Logger
  clock?: Clock
  /** Inactivity thresholds; default the learned ones (ModelRefresh over the shared telemetry). */
  thresholds?: ThresholdProvider
  /** The ladder where a home has none of its own; default config.alerts. */
  ladder?: LadderConfig
}

export interface ClusterWorker {
  workerId: string
  http: FastifyInstance
  url: string
  /** Partitions whose engine runs here now. */
  owned(): number[]
  engines: ReadonlyMap<number, PartitionEngine>
  telemetry: TelemetryStore
  /** Stop cleanly: give up the leases at once (others take over without waiting for expiry). */
  close(): Promise<void>
}

/** Partitions taken over within this time of each other share one read of every home's last activity. */
const TAKEOVER_HISTORY_SHARED_MS = 2_000

function required (config: Config): { redisUrl: string, postgresUrl: string, brokerUrl: string, brokerPassword: string } {
  const { redisUrl, postgresUrl, brokerUrl, brokerPassword } = config.cluster
  const missing = [
    redisUrl === undefined && 'ANJU_CLUSTER_REDIS_URL',
    postgresUrl === undefined && 'ANJU_CLUSTER_POSTGRES_URL',
    brokerUrl === undefined && 'ANJU_CLUSTER_BROKER_URL',
    brokerPassword === undefined && 'ANJU_CLUSTER_BROKER_PASSWORD',
    config.adminToken === undefined && 'ANJU_ADMIN_TOKEN'
  ].filter((m): m is string => m !== false)
  if (missing.length > 0) throw new ConfigError(missing.map((m) => `cluster mode needs ${m}`))
  return { redisUrl: redisUrl as string, postgresUrl: postgresUrl as string, brokerUrl: brokerUrl as string, brokerPassword: brokerPassword as string }
}

export async function startWorker (config: Config, options: WorkerOptions = {}): Promise<ClusterWorker> {
  const urls = required(config)
  const c = config.cluster
  const workerId = c.workerId ?? `${hostname()}-${process.pid}`
  const clock = options.clock ?? systemClock
  const timers: Timers = systemTimers(clock)
  const log = (options.log ?? createLogger(config.logLevel)).child({ worker: workerId })
  const closers: Closer[] = []
  const closeAll = async (): Promise<void> => { await closeInReverse(closers, log) }

  try {
    const pool = new pg.Pool({ connectionString: urls.postgresUrl, max: 8 })
    // An idle connection dropped by a PostgreSQL restart is an 'error' event; unhandled, it would end the
    // process. The pool replaces the connection; queries in flight fail and are retried by their callers.
    pool.on('error', (err) => log.error({ err }, 'PostgreSQL connection lost'))
    closers.push({ name: 'postgres', close: () => pool.end() })
    await migratePostgres(pool)

    // The registry replica: sync stores over an in-memory copy, as fast as the embedded gateway's.
    const db = openMemoryDatabase()
    closers.push({ name: 'registry replica', close: () => db.close() })
    await loadRegistry(pool, db)
    const stopWatching = await watchRegistry(pool, async () => {
      const counts = await loadRegistry(pool, db)
      log.info({ devices: counts.devices, homes: counts.homes }, 'registry reloaded')
    }, { onError: (err) => log.error({ err }, 'registry watch failed') })
    closers.push({ name: 'registry watch', close: stopWatching })
    const places = new PlacesStore(db, clock)
    const devices = new DeviceStore(db, clock)

    const { metrics, bus, ingest, telemetry } = await startUplink({ config, places, devices, clock, log, closers })
    // Learned thresholds: nothing is learned at start (no partition is owned yet); each partition's homes
    // are learned when it is taken over (partition-models.ts).
    let thresholds = options.thresholds
    let models: ModelRefresh | undefined
    if (thresholds === undefined) {
      const refresh = models = new ModelRefresh({ devices, telemetry, clock, timers, log: log.child({ part: 'models' }) })
      closers.push({ name: 'activity models', close: () => refresh.stop() })
      thresholds = refresh.thresholds
    }

    // The worker's connection to the external broker: devices' uplinks in, MQTT push to apps out. Started
    // below, once everything its messages reach is running.
    const subscriber = new SharedSubscriber({
      url: urls.brokerUrl, username: c.brokerUsername, password: urls.brokerPassword, shareGroup: c.shareGroup,
      clientId: `anju-worker-${workerId}`, persistentSession: c.persistentSession, devices, ingest, clock, log: log.child({ part: 'subscriber' })
    })

    // Notifications: rows are committed by PgAlertLog with each transition; every worker's outbox loop
    // drains the shared table (FOR UPDATE SKIP LOCKED: each row is sent by one of them). Started below,
    // after the subscriber has connected, so `mqtt` rows are not failed for want of a connection.
    // The channels this worker can send on. Screens' `sse` rows are not sent by this loop but by whichever
    // worker holds the screen's stream (worker-tv.ts): they are left in the outbox instead of failing here.
    const sendable: ChannelName[] = ['wecom', 'dingtalk', 'mqtt', ...(config.notify.webhookSecret !== undefined ? ['webhook' as const] : []), ...(config.notify.smsUrl !== undefined ? ['sms' as const] : [])]
    const queue = new PgOutboxQueue(pool, sendable)
    const notify = new NotifyService({ config: config.notify, db, clock, queue, registry: metrics.registry, log: log.child({ part: 'notify' }) })
    // MQTT push goes out over the subscriber's connection, the workers' broker account (its ACL allows
    // `anju/v1/push/#`: mosquitto-dynsec.ts workerAcls; a superuser for EMQX and go-auth).
    notify.attachMqtt(async (topic, payload, signal) => { await subscriber.publish(topic, payload, { signal, timeoutMs: config.notify.timeoutMs }) })
    const linkKey = resolveAckLinkKey(config.notify.ackLinkKey, config.dataDir)
    if (linkKey.source === 'generated') log.warn({ file: ackLinkKeyPath(config.dataDir) }, 'generated an acknowledge-link key: set ANJU_NOTIFY_ACK_LINK_KEY to the same key on every worker')
    const ackLinks = new AckLinks(linkKey.key, config.notify.ackLinkTtlHours * 3_600_000, clock, config.notify.publicUrl)

    // Redis: one connection for commands, one for the blocking stream reader.
    // Auto-pipelining: the XADDs of one event-loop turn go out in one write (a socket write per
    // heartbeat was ~22 % of a worker's CPU in `npm run bench:cluster`).
    const redis = new Redis(urls.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true })
    const reader = new Redis(urls.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null })
    await Promise.all([redis.connect(), reader.connect()])
    closers.push({ name: 'redis', close: () => { redis.disconnect(); reader.disconnect() } })
    const partitionCache = new Map<string, number>()
    const home = (homeId: string): number => {
      let p = partitionCache.get(homeId)
      if (p === undefined) partitionCache.set(homeId, p = partitionOf(homeId, c.partitions))
      return p
    }
    const streams = new PartitionStreams({ redis, reader, partitions: c.partitions, retentionMs: c.streamRetentionMs, log })
    closers.push({ name: 'partition streams', close: () => streams.close() })
    let routeFailures = 0
    const route = (event: PartitionEvent, homeId: string): void => {
      streams.publish(home(homeId), event).catch((err: unknown) => {
        // The point is in telemetry (a new owner's history); only this worker's routing of it failed.
        routeFailures++
        log.error({ err }, 'could not route an event to its partition')
      })
    }
    bus.on('activity', (event) => route({ type: 'activity', event }, event.homeId))
    // The alert engine reads only online/offline and battery from device state (AlertWatch.onDeviceState):
    // a heartbeat that changes neither (as this worker last saw the device) is not routed.
    const routedBattery = new Map<string, number>()
    bus.on('device-state', (event) => {
      const batteryChanged = event.battery !== undefined && routedBattery.get(event.deviceId) !== event.battery
      if (event.online === undefined && !batteryChanged) return
      if (event.battery !== undefined) routedBattery.set(event.deviceId, event.battery)
      route({ type: 'device-state', event }, event.homeId)
    })

    const alertLog = new PgAlertLog(pool, home)
    const ladder = options.ladder ?? { ...config.alerts }
    const tv = await startWorkerTv({
      config, pool, db, places, devices, telemetry, alertLog, ladder, clock, log, closers,
      route: async (homeId, command) => await streams.publish(home(homeId), { type: 'command', command })
    })
    const takeoverTelemetry = sharedLastActivity(telemetry, TAKEOVER_HISTORY_SHARED_MS, clock)
    const engines = new Map<number, PartitionEngine>()
    /** Partitions being taken over: a lost() during the takeover cancels it. */
    const takeovers = new Map<number, object>()
    streams.onEvent((partition, event, id) => engines.get(partition)?.handle(event, id))
    const partitionModels = models === undefined
      ? undefined
      : new PartitionModels({
        models,
        partitionOf: home,
        owns: (partition) => engines.has(partition) || takeovers.has(partition),
        // A takeover runs inside the lease tick (PartitionLeases.take awaits acquired()), and that tick may
        // overrun its renew period by less than leaseMs - 2 x renewMs before the leases already held reach
        // their deadline. The models get half of that; claiming, loading and starting the engine the rest.
        budgetMs: Math.floor((c.leaseMs - 2 * c.renewMs) / 2),
        log: log.child({ part: 'models' })
      })
    const drop = (partition: number, why: string): void => {
      takeovers.delete(partition)
      streams.unfollow(partition)
      // Also when the takeover had not finished: its homes may already be (or be being) learned.
      partitionModels?.drop(partition)
      const engine = engines.get(partition)
      if (engine === undefined) return
      engines.delete(partition)
      engine.stop()
      log.info({ partition, why }, 'partition dropped')
    }
    const leases = new PartitionLeases({ redis, workerId, partitions: c.partitions, leaseMs: c.leaseMs, renewMs: c.renewMs, log, clock })
    leases.start({
      acquired: async (partition) => {
        const token = {}
        takeovers.set(partition, token)
        // The homes' models are learned while the partition is claimed and loaded, and before its engine
        // starts: a takeover does not run homes with history on the cold-start thresholds.
        const learning = partitionModels?.takeOver(partition)
        const epoch = await alertLog.claimPartition(partition, workerId, clock.now())
        const state = await alertLog.loadPartition(partition)
        const learned = await learning
        if (takeovers.get(partition) !== token) return
        const engine = new PartitionEngine({
          partition,
          owns: (homeId) => home(homeId) === partition,
          commit: async (batch) => { await alertLog.commit(partition, epoch, batch) },
          onFenced: (err) => drop(partition, err.message),
          places, devices, telemetry: takeoverTelemetry, thresholds, timers: timers as Timers & Clock, log,
          ladder,
          ackLinks,
          expand: (n) => notify.expand(n)
        })
        engines.set(partition, engine)
        await engine.start(state)
        if (takeovers.get(partition) !== token) { engine.stop(); return }
        takeovers.delete(partition)
        // Resume after the last entry the previous owner committed; never owned: the retention window.
        streams.follow(partition, state.streamId != null ? { afterId: state.streamId } : clock.now() - c.streamRetentionMs)
        log.info({ partition, epoch, unresolved: state.alerts.length, models: learned }, 'partition taken over')
      },
      lost: (partition) => drop(partition, 'lease lost')
    })
    closers.push({ name: 'leases', close: () => leases.stop() })

    const schedules = workerSchedules({
      config: config.notify, clock, log: log.child({ part: 'schedules' }), notify, queue, places, telemetry,
      ownsHome: (homeId) => engines.has(home(homeId)),
      ownsFirstPartition: () => engines.has(0),
      awayUntil: (homeId) => engines.get(home(homeId))?.alerts.settings(homeId).awayUntil ?? null,
      modelRefresh: partitionModels === undefined ? undefined : async () => { await partitionModels.refresh() }
    })
    schedules.start()
    closers.push({ name: 'schedules', close: () => schedules.stop() })

    await subscriber.start()
    closers.push({ name: 'shared subscriber', close: () => subscriber.stop() })
    notify.outbox.start()
    // Stop the loop first (before the subscriber disconnects) so rows mid-send are handed back through the
    // queue, then close the queue.
    closers.push({ name: 'outbox', close: async () => { await notify.outbox.stop(); queue.close() } })
    const stopOutboxWake = await queue.listen(() => notify.outbox.wake(), { onError: (err) => log.error({ err }, 'outbox wake-up listener failed') })
    closers.push({ name: 'outbox wake-ups', close: stopOutboxWake })

    const http = await createWorkerRoutes({
      config, log, clock, metrics, devices, alertLog, workerId, homeExists: (homeId) => places.getHome(homeId) !== undefined,
      status: () => ({ owned: leases.owned(), engines: [...engines.keys()], pendingBatches: [...engines.values()].reduce((n, e) => n + e.pendingBatches, 0), received: subscriber.counters.received, routeFailures, screens: tv.clients() }),
      owners: async () => await leases.owners(),
      route: async (partition, event) => await streams.publish(partition, event),
      partitionOf: home,
      tv: tv.routes,
      ackLinks: { ackLinks, desk: tv.desk, places, clock, telemetry, devices, db }
    })
    closers.push({ name: 'http', close: () => http.close() })
    await http.listen({ port: config.http.port, host: config.http.host })
    const port = (http.server.address() as AddressInfo).port
    const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host
    log.info({ port, partitions: c.partitions }, 'cluster worker listening')
    return {
      workerId,
      http,
      url: `http://${host}:${port}`,
      owned: () => [...engines.keys()].sort((a, b) => a - b),
      engines,
      telemetry,
      close: closeAll
    }
  } catch (err) {
    log.error({ err }, 'cluster worker failed to start')
    await closeAll()
    throw err
  }
}
