// Device administration as the admin API and the demo see it: the registry plus the live side (open
// connections, in-memory health, retained config). Changes that alter a device's identity or home close
// its connection, so it reconnects under the new registry facts.
//
// Cluster mode (docs/cluster.md): devices log in at an external broker, which must learn every new secret
// and every revocation. With a provisioner, register, rotateSecret and revoke also update the broker. The
// registry stays the authority and its change is kept even when the broker update fails: the secret is
// shown only once, so throwing after the commit would lose it. The failure is logged as an error, kept
// in brokerFailures() and answered by brokerSync(id), which the API awaits to tell the caller (register or
// rotate failed at the broker: rotate the secret again; revoke failed: the device can still connect to the
// broker, revoke again). Updates of one device are applied in order.
import { deviceConfigPayload, type DeviceConfigPayload } from '../../src/device-payloads.ts'
import { AnjuError } from '../../src/errors.ts'
import type { Device, DeviceCredentials, DeviceInput } from '../../src/registry-schemas.ts'
import type { MqttBroker } from '../broker/mqtt-broker.ts'
import type { Ingest } from '../ingest/ingest.ts'
import type { Logger } from '../logger.ts'
import type { DeviceStore } from './device-store.ts'

/** Keeps an external broker's logins in step with the registry (gateway/cluster/mosquitto-dynsec.ts). */
export interface DeviceProvisioner {
  /** Create the device's broker login, or set its new secret. Idempotent. */
  upsertDevice (device: { id: string, kind: 'sensor' | 'hub', secret: string }): Promise<void>
  /** Delete the device's broker login and disconnect it. A device already gone is not an error. */
  removeDevice (id: string): Promise<void>
}

export interface DeviceAdminOptions {
  provisioner?: DeviceProvisioner
  log?: Logger
}

export interface BrokerSyncFailure { deviceId: string, operation: 'upsert' | 'remove', error: string, at: number }
/** Whether the broker has what the registry says about a device. */
export type BrokerSync = { ok: true } | ({ ok: false } & BrokerSyncFailure)

const BROKER_IN_STEP: BrokerSync = { ok: true }

export class DeviceAdmin {
  /** The latest broker update of each device still in flight (each chained after the one before). */
  private readonly syncs = new Map<string, Promise<BrokerSync>>()
  private readonly failures = new Map<string, BrokerSyncFailure>()

  constructor (private readonly store: DeviceStore, private readonly broker: MqttBroker, private readonly ingest: Ingest,
    private readonly options: DeviceAdminOptions = {}) {}

  private live (device: Device): Device {
    const health = this.ingest.health.get(device.id)
    const merged = health === undefined ? device : { ...device, ...health, id: device.id }
    return { ...merged, connected: this.broker.isConnected(device.id) }
  }

  register (kind: 'sensor' | 'hub', input: DeviceInput): DeviceCredentials {
    const credentials = this.store.register(kind, input)
    this.provision(credentials.id, 'upsert', async (p) => { await p.upsertDevice({ id: credentials.id, kind, secret: credentials.secret }) })
    if (kind === 'sensor') void this.publishConfig(credentials.id)
    return credentials
  }

  private provision (id: string, operation: 'upsert' | 'remove', update: (p: DeviceProvisioner) => Promise<void>): void {
    const provisioner = this.options.provisioner
    if (provisioner === undefined) return
    const run = async (): Promise<BrokerSync> => {
      try {
        await update(provisioner)
        this.failures.delete(id)
        return BROKER_IN_STEP
      } catch (err) {
        const failure = { deviceId: id, operation, error: (err as Error).message, at: Date.now() }
        this.failures.set(id, failure)
        this.options.log?.error({ err, deviceId: id, operation }, 'registry changed but the broker was not updated')
        return { ok: false, ...failure }
      }
    }
    const next = (this.syncs.get(id) ?? Promise.resolve(BROKER_IN_STEP)).then(run)
    this.syncs.set(id, next)
    void next.then(() => { if (this.syncs.get(id) === next) this.syncs.delete(id) })
  }

  /**
   * Resolves when the broker update of this device (if any) has settled: ok, or the failure still
   * standing. Never rejects. Always ok without a provisioner.
   */
  async brokerSync (id: string): Promise<BrokerSync> {
    await this.syncs.get(id)
    const failure = this.failures.get(id)
    return failure === undefined ? BROKER_IN_STEP : { ok: false, ...failure }
  }

  /** Devices whose last broker update failed (cleared by a later successful one). */
  brokerFailures (): BrokerSyncFailure[] {
    return [...this.failures.values()]
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
    this.provision(id, 'remove', async (p) => { await p.removeDevice(id) })
  }

  rotateSecret (id: string): DeviceCredentials {
    const credentials = this.store.rotateSecret(id)
    this.reset(id)
    const { kind, secret } = credentials
    if (kind === 'sensor' || kind === 'hub') this.provision(id, 'upsert', async (p) => { await p.upsertDevice({ id, kind, secret }) })
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
