// Ingest: an authorised uplink message → validated payload → health update and events on the bus.
// Nothing here throws back into the broker: bad input is counted per device, logged and dropped.
import { eventTime, type Clock } from '../../src/clock.ts'
import { motionPayload, parseZ2mState, statusPayload, z2mSensorPayload } from '../../src/device-payloads.ts'
import type { DropReason } from '../../src/events.ts'
import { MotionEdges } from '../../src/motion-edges.ts'
import type { DeviceIdentity } from '../../src/acl.ts'
import type { ParsedTopic } from '../../src/topics.ts'
import type { Config } from '../config/config-schema.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import { DeviceHealth } from './device-health.ts'
import { DropLog } from './drop-log.ts'

/** Device health rows written per event-loop turn (~500 × 25 µs: about 12 ms of the loop at a time). */
const HEALTH_FLUSH_SLICE = 500

export interface IngestDeps {
  config: Config['ingest']
  devices: DeviceStore
  bus: EventBus
  metrics: Metrics
  clock: Clock
  log: Logger
}

// Printable names only: no MQTT wildcards and no control characters (they would end up in logs and UIs).
// eslint-disable-next-line no-control-regex
const FRIENDLY_NAME = /^[^#+\u0000-\u001f]{1,100}$/

export class Ingest {
  readonly health: DeviceHealth
  private readonly edges: MotionEdges
  private readonly hubSensors = new Map<string, { id: string, homeId: string } | null>()
  private readonly dropLog: DropLog
  private flushTimer: NodeJS.Timeout | undefined
  private flushing = false

  constructor (private readonly deps: IngestDeps) {
    this.health = new DeviceHealth(deps.devices)
    this.edges = new MotionEdges(deps.config.motionHoldMs)
    this.dropLog = new DropLog(deps.log)
  }

  start (): void {
    this.flushTimer = setInterval(() => this.flush(), this.deps.config.stateFlushMs)
    this.flushTimer.unref()
  }

  stop (): void {
    clearInterval(this.flushTimer)
    this.flushTimer = undefined
    try {
      this.health.flush()
    } catch (err) {
      this.deps.log.error({ err }, 'device health flush at stop failed')
    }
  }

  /** Write device health a slice per event-loop turn (see DeviceHealth.flush), until none is dirty. */
  private flush (): void {
    if (this.flushing) return
    this.flushing = true
    const slice = (): void => {
      let remaining = 0
      try {
        remaining = this.health.flush(HEALTH_FLUSH_SLICE)
      } catch (err) {
        this.deps.log.error({ err }, 'device health flush failed; will retry')
      }
      this.deps.metrics.storeQueueDepth.set({ store: 'device_health' }, this.health.pending)
      if (remaining > 0 && this.flushTimer !== undefined) setImmediate(slice)
      else this.flushing = false
    }
    slice()
  }

  /** Count and log a dropped message. `deviceId` null: not attributable to a registered device. */
  drop (deviceId: string | null, reason: DropReason): void {
    const at = this.deps.clock.now()
    this.deps.metrics.dropped.inc({ reason })
    if (deviceId !== null) this.health.countDrop(deviceId, reason)
    this.dropLog.note(deviceId, reason, at)
    this.deps.bus.emit('dropped', { deviceId, reason, at })
  }

  connected (who: DeviceIdentity): void {
    this.health.update(who.id, { online: true, lastSeen: this.deps.clock.now() })
    this.emitState(who.id, who.homeId, who.kind, { online: true })
  }

  disconnected (who: DeviceIdentity): void {
    this.health.update(who.id, { online: false })
    this.emitState(who.id, who.homeId, who.kind, { online: false })
    if (who.kind === 'hub') this.hubSensorsOffline(who.id)
  }

  /** The Zigbee sensors behind a hub that went away cannot be heard: mark them offline too. */
  private hubSensorsOffline (hubId: string): void {
    for (const sensor of this.deps.devices.list({ hubId })) {
      if (this.health.get(sensor.id)?.online === false) continue
      this.health.update(sensor.id, { online: false })
      this.emitState(sensor.id, sensor.homeId, 'hub-sensor', { online: false })
    }
  }

  /** Forget cached state of a device that was moved, revoked or rotated. */
  forget (id: string): void {
    this.health.flush()
    this.health.forget(id)
    this.edges.forget(id)
    for (const [key, value] of this.hubSensors) {
      if (key.startsWith(id + '\n') || value?.id === id) this.hubSensors.delete(key)
    }
  }

  private emitState (deviceId: string, homeId: string, kind: 'sensor' | 'hub' | 'hub-sensor', fields: { online?: boolean, battery?: number, rssi?: number, linkquality?: number, fw?: string }): void {
    this.deps.bus.emit('device-state', { deviceId, homeId, kind, at: this.deps.clock.now(), ...fields })
  }

  /** Handle one authorised uplink. `receivedAt` is when the PUBLISH reached the gateway. */
  handle (who: DeviceIdentity, topic: ParsedTopic, payload: Buffer, receivedAt: number): void {
    const type = this.dispatch(who, topic, payload, receivedAt)
    if (type !== null) {
      this.deps.metrics.messagesIn.inc({ type })
      this.deps.metrics.ingestLatency.observe(Math.max(0, this.deps.clock.now() - receivedAt) / 1000)
    }
  }

  private json (who: DeviceIdentity, payload: Buffer): unknown {
    try {
      return JSON.parse(payload.toString('utf8'))
    } catch {
      this.drop(who.id, 'malformed_json')
      return undefined
    }
  }

  private dispatch (who: DeviceIdentity, topic: ParsedTopic, payload: Buffer, receivedAt: number): string | null {
    switch (topic.kind) {
      case 'device': return topic.channel === 'motion' ? this.motion(who, payload, receivedAt) : this.status(who, payload, receivedAt)
      case 'hub-bridge-state': return this.hubState(who, payload, receivedAt)
      case 'hub-sensor': return this.hubSensor(who, topic.friendlyName, payload, receivedAt)
      case 'hub-sensor-availability': return this.hubSensorAvailability(who, topic.friendlyName, payload)
      // bridge/info, bridge/devices, bridge/logging and commands are Zigbee2MQTT's own chatter.
      case 'hub-bridge-other':
      case 'hub-command':
        return 'hub_ignored'
      default:
        this.drop(who.id, 'unknown_topic')
        return null
    }
  }

  private motion (who: DeviceIdentity, payload: Buffer, receivedAt: number): string | null {
    const raw = this.json(who, payload)
    if (raw === undefined) return null
    const parsed = motionPayload.safeParse(raw)
    if (!parsed.success) { this.drop(who.id, 'invalid_payload'); return null }
    const { ts, source } = eventTime(parsed.data.ts, receivedAt, this.deps.config.maxClockSkewMs)
    this.health.update(who.id, { lastSeen: receivedAt, online: true })
    if (this.edges.observe(who.id, parsed.data.motion, ts)) this.activity(who.homeId, who.id, ts, source)
    return 'motion'
  }

  private activity (homeId: string, deviceId: string, at: number, timeSource: 'device' | 'gateway'): void {
    this.deps.metrics.activity.inc()
    this.deps.bus.emit('activity', { homeId, deviceId, at, timeSource })
  }

  private status (who: DeviceIdentity, payload: Buffer, receivedAt: number): string | null {
    const raw = this.json(who, payload)
    if (raw === undefined) return null
    const parsed = statusPayload.safeParse(raw)
    if (!parsed.success) { this.drop(who.id, 'invalid_payload'); return null }
    // A heartbeat without `online` means the device is alive; the last will says `online: false`.
    const { battery, rssi, fw } = parsed.data
    const online = parsed.data.online ?? true
    this.health.update(who.id, { lastSeen: receivedAt, online, battery, rssi, fw })
    this.emitState(who.id, who.homeId, 'sensor', { online, battery, rssi, fw })
    return 'status'
  }

  private hubState (who: DeviceIdentity, payload: Buffer, receivedAt: number): string | null {
    const state = parseZ2mState(payload.toString('utf8'))
    if (state === null) { this.drop(who.id, 'invalid_payload'); return null }
    const online = state === 'online'
    this.health.update(who.id, { online, lastSeen: receivedAt })
    this.emitState(who.id, who.homeId, 'hub', { online })
    // Back online, each sensor is marked online again by its own next report.
    if (!online) this.hubSensorsOffline(who.id)
    return 'hub_state'
  }

  private hubSensorId (who: DeviceIdentity, friendlyName: string): { id: string, homeId: string } | null {
    if (!FRIENDLY_NAME.test(friendlyName)) { this.drop(who.id, 'unknown_topic'); return null }
    const key = who.id + '\n' + friendlyName
    let sensor = this.hubSensors.get(key)
    if (sensor === undefined) {
      sensor = this.deps.devices.ensureHubSensor(who.id, friendlyName, this.deps.config.maxSensorsPerHub)
      // Remember refusals too, so a hub inventing names cannot make every message a registry query.
      this.hubSensors.set(key, sensor)
    }
    if (sensor === null) this.drop(who.id, 'too_many_sensors')
    return sensor
  }

  private hubSensor (who: DeviceIdentity, friendlyName: string, payload: Buffer, receivedAt: number): string | null {
    const raw = this.json(who, payload)
    if (raw === undefined) return null
    const parsed = z2mSensorPayload.safeParse(raw)
    if (!parsed.success || typeof raw !== 'object' || raw === null || Array.isArray(raw)) { this.drop(who.id, 'invalid_payload'); return null }
    const sensor = this.hubSensorId(who, friendlyName)
    if (sensor === null) return null
    const { battery, linkquality } = parsed.data
    const occupied = parsed.data.occupancy ?? parsed.data.presence
    this.health.update(sensor.id, { lastSeen: receivedAt, online: true, battery: battery ?? undefined, linkquality: linkquality ?? undefined })
    this.health.update(who.id, { lastSeen: receivedAt, online: true })
    if (battery != null || linkquality != null) {
      this.emitState(sensor.id, sensor.homeId, 'hub-sensor', { online: true, battery: battery ?? undefined, linkquality: linkquality ?? undefined })
    }
    // Zigbee2MQTT messages carry no device time stamp: receive time is the event time.
    if (occupied !== undefined && this.edges.observe(sensor.id, occupied, receivedAt)) this.activity(sensor.homeId, sensor.id, receivedAt, 'gateway')
    return 'hub_sensor'
  }

  private hubSensorAvailability (who: DeviceIdentity, friendlyName: string, payload: Buffer): string | null {
    const state = parseZ2mState(payload.toString('utf8'))
    if (state === null) { this.drop(who.id, 'invalid_payload'); return null }
    const sensor = this.hubSensorId(who, friendlyName)
    if (sensor === null) return null
    this.health.update(sensor.id, { online: state === 'online' })
    this.emitState(sensor.id, sensor.homeId, 'hub-sensor', { online: state === 'online' })
    return 'hub_availability'
  }
}
