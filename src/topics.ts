// Device protocol v1 topic map (see docs/protocol.md). Every topic the gateway accepts is parsed here,
// once, so the ACL and ingest agree on what a topic means.

export const TOPIC_ROOT = 'anju/v1'

/** Ids are short, URL- and topic-safe; they never contain MQTT wildcards or separators. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{2,39}$/

export type DeviceTopicKind = 'motion' | 'status' | 'config'

export type ParsedTopic =
  | { kind: 'device'; deviceId: string; channel: DeviceTopicKind }
  | { kind: 'hub-bridge-state'; hubId: string }
  | { kind: 'hub-bridge-other'; hubId: string; rest: string }
  | { kind: 'hub-sensor'; hubId: string; friendlyName: string }
  | { kind: 'hub-sensor-availability'; hubId: string; friendlyName: string }
  | { kind: 'hub-command'; hubId: string; rest: string }
  | { kind: 'unknown' }

export const deviceTopic = (deviceId: string, channel: DeviceTopicKind): string =>
  `${TOPIC_ROOT}/dev/${deviceId}/${channel}`

export const hubPrefix = (hubId: string): string => `${TOPIC_ROOT}/hub/${hubId}`

export const devicePrefix = (deviceId: string): string => `${TOPIC_ROOT}/dev/${deviceId}`

/** Zigbee2MQTT command suffixes: published *to* a hub by others, never a sensor reading. */
const Z2M_COMMAND_SUFFIXES = new Set(['set', 'get'])

export function parseTopic (topic: string): ParsedTopic {
  if (!topic.startsWith(TOPIC_ROOT + '/')) return { kind: 'unknown' }
  const parts = topic.slice(TOPIC_ROOT.length + 1).split('/')
  const [scope, id, ...rest] = parts
  if (id === undefined || !ID_PATTERN.test(id)) return { kind: 'unknown' }

  if (scope === 'dev') {
    const channel = rest[0]
    if (rest.length === 1 && (channel === 'motion' || channel === 'status' || channel === 'config')) {
      return { kind: 'device', deviceId: id, channel }
    }
    return { kind: 'unknown' }
  }

  if (scope === 'hub' && rest.length > 0 && rest.every((p) => p.length > 0)) {
    if (rest[0] === 'bridge') {
      if (rest.length === 2 && rest[1] === 'state') return { kind: 'hub-bridge-state', hubId: id }
      return { kind: 'hub-bridge-other', hubId: id, rest: rest.slice(1).join('/') }
    }
    const last = rest[rest.length - 1] as string
    if (rest.length > 1 && Z2M_COMMAND_SUFFIXES.has(last)) {
      return { kind: 'hub-command', hubId: id, rest: rest.join('/') }
    }
    // Zigbee2MQTT friendly names may contain '/', e.g. "kitchen/pir"; availability is a suffix.
    if (rest.length > 1 && last === 'availability') {
      return { kind: 'hub-sensor-availability', hubId: id, friendlyName: rest.slice(0, -1).join('/') }
    }
    return { kind: 'hub-sensor', hubId: id, friendlyName: rest.join('/') }
  }
  return { kind: 'unknown' }
}
