// Prometheus metrics (prom-client) in a registry of this gateway's own, so several gateways can run in
// one process (tests). Labels are bounded: reasons and kinds, never device ids (10k+ series).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { DROP_REASONS } from '../../src/events.ts'
import type { TelemetryStats } from '../../src/telemetry.ts'

/** The `type` label of anju_messages_in_total (see Ingest.dispatch). */
export const MESSAGE_TYPES = ['motion', 'status', 'hub_state', 'hub_sensor', 'hub_availability', 'hub_ignored'] as const

export function createMetrics () {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anju_process_' })
  const metrics = {
    registry,
    connectedDevices: new Gauge({ name: 'anju_mqtt_connected_devices', help: 'Devices and hubs with an open MQTT connection', labelNames: ['kind'], registers: [registry] }),
    connects: new Counter({ name: 'anju_mqtt_connects_total', help: 'Successful MQTT connects', labelNames: ['kind'], registers: [registry] }),
    authFailures: new Counter({ name: 'anju_mqtt_auth_failures_total', help: 'Refused MQTT connects by reason', labelNames: ['reason'], registers: [registry] }),
    aclRefusals: new Counter({ name: 'anju_mqtt_acl_refusals_total', help: 'Publishes and subscriptions refused by the ACL', labelNames: ['action'], registers: [registry] }),
    brokerAuthDecisions: new Counter({ name: 'anju_broker_auth_decisions_total', help: 'Decisions of the external broker\'s HTTP auth backend, by check, result and reason', labelNames: ['check', 'result', 'reason'], registers: [registry] }),
    floodDisconnects: new Counter({ name: 'anju_mqtt_flood_disconnects_total', help: 'Clients disconnected for exceeding their rate limit', registers: [registry] }),
    messagesIn: new Counter({ name: 'anju_messages_in_total', help: 'Device messages accepted by ingest, by type', labelNames: ['type'], registers: [registry] }),
    dropped: new Counter({ name: 'anju_messages_dropped_total', help: 'Device messages dropped, by reason', labelNames: ['reason'], registers: [registry] }),
    activity: new Counter({ name: 'anju_activity_events_total', help: 'Motion rising edges (activity) emitted to the alert engine', registers: [registry] }),
    ingestLatency: new Histogram({
      name: 'anju_ingest_latency_seconds',
      help: 'From a PUBLISH reaching the gateway to its event on the bus, rate-limit wait included',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5],
      registers: [registry]
    }),
    storeQueueDepth: new Gauge({ name: 'anju_store_queue_depth', help: 'Records waiting to be written, by store', labelNames: ['store'], registers: [registry] }),
    devicesRegistered: new Gauge({ name: 'anju_devices_registered', help: 'Registered, non-revoked devices by kind', labelNames: ['kind'], registers: [registry] }),
    devicesOnline: new Gauge({ name: 'anju_devices_online', help: 'Devices whose last known state is online, by kind', labelNames: ['kind'], registers: [registry] }),
    telemetryWritten: new Gauge({ name: 'anju_telemetry_points_written', help: 'Telemetry points written to the store since start', registers: [registry] }),
    telemetrySpoolPoints: new Gauge({ name: 'anju_telemetry_spool_points', help: 'Telemetry points on the on-disk spool, waiting for InfluxDB', registers: [registry] }),
    telemetrySpoolBytes: new Gauge({ name: 'anju_telemetry_spool_bytes', help: 'Bytes used by the telemetry spool', registers: [registry] }),
    telemetrySpoolLimit: new Gauge({ name: 'anju_telemetry_spool_limit_bytes', help: 'Disk bound of the telemetry spool', registers: [registry] }),
    telemetrySpoolFullDrops: new Gauge({ name: 'anju_telemetry_dropped_spool_full', help: 'Telemetry points lost because the spool was full', registers: [registry] }),
    recordTelemetry (stats: TelemetryStats): void {
      metrics.storeQueueDepth.set({ store: 'telemetry' }, stats.queued + stats.spooled)
      metrics.telemetryWritten.set(stats.written)
      metrics.telemetrySpoolPoints.set(stats.spooled)
      metrics.telemetrySpoolBytes.set(stats.spoolBytes)
      metrics.telemetrySpoolLimit.set(stats.spoolLimitBytes)
      metrics.telemetrySpoolFullDrops.set(stats.droppedSpoolFull)
    }
  }
  // Zero-initialise so every reason appears in /metrics from the start (dashboards and tests can rely on it).
  for (const reason of DROP_REASONS) metrics.dropped.inc({ reason }, 0)
  for (const type of MESSAGE_TYPES) metrics.messagesIn.inc({ type }, 0)
  for (const kind of ['sensor', 'hub']) metrics.connectedDevices.set({ kind }, 0)
  return metrics
}

export type Metrics = ReturnType<typeof createMetrics>
