// The typed events ingest puts on the gateway's in-process bus; the alert engine and telemetry consume
// them. Only ids travel on the bus: names and phone numbers stay in the registry.

export type DropReason =
  | 'malformed_json'
  | 'invalid_payload'
  | 'oversize'
  | 'unknown_topic'
  | 'unknown_device'
  | 'rate_limited'
  | 'too_many_sensors'

export const DROP_REASONS: readonly DropReason[] = [
  'malformed_json', 'invalid_payload', 'oversize', 'unknown_topic', 'unknown_device', 'rate_limited', 'too_many_sensors'
]

export interface ActivityEvent {
  homeId: string
  /** The sensor that saw the movement (for a hub sensor, its own registry id). */
  deviceId: string
  at: number
  timeSource: 'device' | 'gateway'
}

export interface DeviceStateEvent {
  deviceId: string
  homeId: string
  kind: 'sensor' | 'hub' | 'hub-sensor'
  at: number
  online?: boolean
  battery?: number
  rssi?: number
  linkquality?: number
  fw?: string
}

export interface DroppedEvent {
  /** Null when the sender could not be tied to a registered device. */
  deviceId: string | null
  reason: DropReason
  at: number
}

export interface GatewayEvents {
  activity: ActivityEvent
  'device-state': DeviceStateEvent
  dropped: DroppedEvent
}
