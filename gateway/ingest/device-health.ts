// Per-device health (online, last seen, battery, signal, drop counts) kept in memory and written to
// SQLite in one transaction every `flushMs`: a write per message would cap ingest at disk speed.
import type { DeviceKind } from '../../src/registry-schemas.ts'
import type { DropReason } from '../../src/events.ts'
import type { DeviceHealthRow, DeviceStore } from '../registry/device-store.ts'

type Health = DeviceHealthRow & { kind: DeviceKind }
export type HealthUpdate = Partial<Pick<DeviceHealthRow, 'online' | 'lastSeen' | 'battery' | 'rssi' | 'linkquality' | 'fw'>>

export class DeviceHealth {
  private readonly rows = new Map<string, Health>()
  private readonly dirty = new Set<string>()

  constructor (private readonly store: DeviceStore) {}

  private row (id: string): Health | undefined {
    let row = this.rows.get(id)
    if (row === undefined) {
      const device = this.store.get(id)
      if (device === undefined) return undefined
      row = {
        id, kind: device.kind, online: device.online, lastSeen: device.lastSeen, battery: device.battery,
        rssi: device.rssi, linkquality: device.linkquality, fw: device.fw, dropped: device.dropped
      }
      this.rows.set(id, row)
    }
    return row
  }

  update (id: string, update: HealthUpdate): void {
    const row = this.row(id)
    if (row === undefined) return
    // Field by field, not a loop over Object.entries: this runs for every message of every device.
    if (update.online !== undefined) row.online = update.online
    if (update.lastSeen !== undefined) row.lastSeen = update.lastSeen
    if (update.battery !== undefined) row.battery = update.battery
    if (update.rssi !== undefined) row.rssi = update.rssi
    if (update.linkquality !== undefined) row.linkquality = update.linkquality
    if (update.fw !== undefined) row.fw = update.fw
    this.dirty.add(id)
  }

  countDrop (id: string, reason: DropReason): void {
    const row = this.row(id)
    if (row === undefined) return
    row.dropped[reason] = (row.dropped[reason] ?? 0) + 1
    this.dirty.add(id)
  }

  /** The in-memory view, newer than SQLite by at most one flush interval. */
  get (id: string): DeviceHealthRow | undefined {
    return this.rows.get(id)
  }

  forget (id: string): void {
    this.rows.delete(id)
    this.dirty.delete(id)
  }

  get pending (): number {
    return this.dirty.size
  }

  onlineByKind (): Record<DeviceKind, number> {
    const out: Record<DeviceKind, number> = { sensor: 0, hub: 0, 'hub-sensor': 0 }
    for (const row of this.rows.values()) if (row.online === true) out[row.kind]++
    return out
  }

  /**
   * Write dirty rows to SQLite, at most `max` of them (those dirtied longest ago first); returns how many
   * are still dirty. Ingest writes a slice per event-loop turn: one transaction of every device's row
   * (10,000 at 1 msg/s each) held the loop for hundreds of milliseconds, and every PUBACK waited.
   */
  flush (max = Infinity): number {
    if (this.dirty.size === 0) return 0
    const rows: DeviceHealthRow[] = []
    for (const id of this.dirty) {
      if (rows.length >= max) break
      this.dirty.delete(id)
      const row = this.rows.get(id)
      if (row !== undefined) rows.push(row)
    }
    try {
      this.store.saveHealth(rows)
    } catch (err) {
      // Not written: dirty again, so the next flush retries them.
      for (const row of rows) this.dirty.add(row.id)
      throw err
    }
    return this.dirty.size
  }
}
