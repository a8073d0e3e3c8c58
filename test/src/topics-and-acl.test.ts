import { describe, expect, it } from 'vitest'
import { mayPublish, maySubscribe, type DeviceIdentity } from '../../src/acl.ts'
import { parseTopic } from '../../src/topics.ts'

const sensor: DeviceIdentity = { id: 'dev-aaaa', kind: 'sensor', homeId: 'home-1' }
const hub: DeviceIdentity = { id: 'hub-bbbb', kind: 'hub', homeId: 'home-1' }

describe('parseTopic', () => {
  it.each([
    ['anju/v1/dev/dev-aaaa/motion', { kind: 'device', deviceId: 'dev-aaaa', channel: 'motion' }],
    ['anju/v1/dev/dev-aaaa/status', { kind: 'device', deviceId: 'dev-aaaa', channel: 'status' }],
    ['anju/v1/hub/hub-bbbb/bridge/state', { kind: 'hub-bridge-state', hubId: 'hub-bbbb' }],
    ['anju/v1/hub/hub-bbbb/bridge/devices', { kind: 'hub-bridge-other', hubId: 'hub-bbbb', rest: 'devices' }],
    ['anju/v1/hub/hub-bbbb/bedroom_pir', { kind: 'hub-sensor', hubId: 'hub-bbbb', friendlyName: 'bedroom_pir' }],
    ['anju/v1/hub/hub-bbbb/kitchen/pir', { kind: 'hub-sensor', hubId: 'hub-bbbb', friendlyName: 'kitchen/pir' }],
    ['anju/v1/hub/hub-bbbb/kitchen/pir/availability', { kind: 'hub-sensor-availability', hubId: 'hub-bbbb', friendlyName: 'kitchen/pir' }],
    ['anju/v1/hub/hub-bbbb/kitchen/set', { kind: 'hub-command', hubId: 'hub-bbbb', rest: 'kitchen/set' }]
  ])('%s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected)
  })

  it.each([
    'anju/v2/dev/dev-aaaa/motion', 'anju/v1/dev/DEV-UPPER/motion', 'anju/v1/dev/dev-aaaa/motion/extra',
    'anju/v1/dev/dev-aaaa', 'anju/v1/hub/hub-bbbb', 'anju/v1/hub/hub-bbbb//x', 'anju/v1/xyz/dev-aaaa/motion', '$SYS/x', ''
  ])('%s is unknown', (topic) => {
    expect(parseTopic(topic).kind).toBe('unknown')
  })
})

describe('ACL rules', () => {
  it('a sensor publishes motion and status under its own id only', () => {
    expect(mayPublish(sensor, 'anju/v1/dev/dev-aaaa/motion')).not.toBeNull()
    expect(mayPublish(sensor, 'anju/v1/dev/dev-aaaa/status')).not.toBeNull()
    expect(mayPublish(sensor, 'anju/v1/dev/dev-aaaa/config')).toBeNull()
    expect(mayPublish(sensor, 'anju/v1/dev/dev-cccc/motion')).toBeNull()
    expect(mayPublish(sensor, 'anju/v1/hub/dev-aaaa/bridge/state')).toBeNull()
  })

  it('a hub publishes only under its own prefix and never as a sensor', () => {
    expect(mayPublish(hub, 'anju/v1/hub/hub-bbbb/bedroom')).not.toBeNull()
    expect(mayPublish(hub, 'anju/v1/hub/hub-cccc/bedroom')).toBeNull()
    expect(mayPublish(hub, 'anju/v1/dev/hub-bbbb/motion')).toBeNull()
  })

  it('subscriptions stay within the device\'s own downlink space', () => {
    expect(maySubscribe(sensor, 'anju/v1/dev/dev-aaaa/config')).toBe(true)
    expect(maySubscribe(sensor, 'anju/v1/dev/dev-aaaa/#')).toBe(false)
    expect(maySubscribe(sensor, '#')).toBe(false)
    expect(maySubscribe(hub, 'anju/v1/hub/hub-bbbb/#')).toBe(true)
    expect(maySubscribe(hub, 'anju/v1/hub/hub-bbbb/+/set')).toBe(true)
    expect(maySubscribe(hub, 'anju/v1/hub/hub-bbbbX/#')).toBe(false)
    expect(maySubscribe(hub, 'anju/v1/hub/+/#')).toBe(false)
  })

  it('no device publishes or subscribes on carers\' push topics (only the gateway publishes there)', () => {
    for (const who of [sensor, hub]) {
      expect(mayPublish(who, 'anju/v1/push/fam-1')).toBeNull()
      for (const filter of ['anju/v1/push/fam-1', 'anju/v1/push/#', 'anju/v1/push/+']) expect(maySubscribe(who, filter)).toBe(false)
    }
  })
})
