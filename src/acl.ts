// Who may publish and subscribe where (device protocol v1, refuse by default).
import { deviceTopic, hubPrefix, parseTopic, type ParsedTopic } from './topics.ts'

export interface DeviceIdentity {
  id: string
  kind: 'sensor' | 'hub'
  homeId: string
}

/** A sensor publishes motion and status under its own prefix; a hub anything under its own prefix. */
export function mayPublish (who: DeviceIdentity, topic: string): ParsedTopic | null {
  const parsed = parseTopic(topic)
  switch (parsed.kind) {
    case 'device':
      return who.kind === 'sensor' && parsed.deviceId === who.id && parsed.channel !== 'config' ? parsed : null
    case 'unknown':
      return null
    default:
      return who.kind === 'hub' && parsed.hubId === who.id ? parsed : null
  }
}

/**
 * A sensor subscribes to its own config topic only. A hub runs Zigbee2MQTT, which subscribes to its
 * own base topic (`<base>/#`, `<base>/bridge/request/#`, `<base>/+/set` ...), so a hub may subscribe to
 * filters that stay inside `anju/v1/hub/<ownId>/`. `#`, `+` at the root, other devices and `$SYS` never.
 */
export function maySubscribe (who: DeviceIdentity, filter: string): boolean {
  if (who.kind === 'sensor') return filter === deviceTopic(who.id, 'config')
  const prefix = hubPrefix(who.id)
  return filter === prefix + '/#' || (filter.startsWith(prefix + '/') && filter.length > prefix.length + 1)
}
