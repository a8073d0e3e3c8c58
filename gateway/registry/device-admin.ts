// Device administration as the admin API and the demo see it: the registry plus the live side (open
// connections, in-memory health, retained config). Changes that alter a device's identity or home close
// its connection, so it reconnects under the new registry facts.
import { deviceConfigPayload, type DeviceConfigPayload } from '../../src/device-payloads.ts'
import { AnjuError } from '../../src/errors.ts'
import type { Device, DeviceCredentials, DeviceInput } from '../../src/registry-schemas.ts'
import type { MqttBroker } from '../broker/mqtt-broker.ts'
import type { Ingest } from '../ingest/ingest.ts'
import type { DeviceStore } from './device-store.ts'

export class DeviceAdmin {
  constructor (private readonly store: DeviceStore, private readonly broker: MqttBroker, private readonly ingest: Ingest) {}

  private live (device: Device): Device {
    const health = this.ingest.health.get(device.id)
    const merged = health === undefined ? device : { ...device, ...health, id: device.id }
    return { ...merged, connected: this.broker.isConnected(device.id) }
  }

  register (kind: 'sensor' | 'hub', input: DeviceInput): DeviceCredentials {
    const credentials = this.store.register(kind, input)
    if (kind === 'sensor') void this.publishConfig(credentials.id)
    return credentials
  }

  get (id: string): Device | undefined {
    const device = this.store.get(id)
    return device === undefined ? undefined : this.live(device)
  }

  list (filter: { homeId?: string, hubId?: string }): Device[] {
    return this.store.list(filter).map((d) => this.live(d))
  }

  private reset (id: string): void {
    this.ingest.forget(id)
    this.broker.disconnect(id)
  }

  move (id: string, homeId: string): Device {
    this.ingest.forget(id)
    for (const sensor of this.store.list({ hubId: id })) this.ingest.forget(sensor.id)
    this.store.move(id, homeId)
    this.reset(id)
    return this.get(id) as Device
  }

  revoke (id: string): void {
    this.store.revoke(id)
    this.reset(id)
  }

  rotateSecret (id: string): DeviceCredentials {
    const credentials = this.store.rotateSecret(id)
    this.reset(id)
    return credentials
  }

  async setConfig (id: string, partial: Partial<DeviceConfigPayload>): Promise<DeviceConfigPayload> {
    const device = this.store.get(id)
    if (device === undefined || device.kind !== 'sensor') throw new AnjuError('NOT_FOUND', `sensor ${id} does not exist`)
    const config = deviceConfigPayload.parse({ ...this.store.getConfig(id), ...partial })
    this.store.setConfig(id, config)
    await this.publishConfig(id)
    return config
  }

  /** Publish the stored config as a retained downlink (the broker's retained store is in memory). */
  async publishConfig (id: string): Promise<void> {
    await this.broker.publishConfig(id, deviceConfigPayload.parse(this.store.getConfig(id) ?? {}))
  }
}
