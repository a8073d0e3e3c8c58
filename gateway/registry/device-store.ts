// Sensors, hubs and the Zigbee sensors behind hubs. The home of a device comes from here, never from a
// topic: a device can be moved between homes without reflashing and cannot claim another home.
import type { Db } from '../db/open-database.ts'
import { AnjuError } from '../../src/errors.ts'
import type { Clock } from '../../src/clock.ts'
import type { Device, DeviceCredentials, DeviceInput, DeviceKind } from '../../src/registry-schemas.ts'
import { generateSecret, hashSecret, newId } from './secrets.ts'
import { insertOrThrow } from './places-store.ts'

export interface AuthRecord {
  id: string
  kind: DeviceKind
  homeId: string
  secretHash: string | null
  revokedAt: number | null
}

/** Health fields ingest keeps in memory and flushes in batches. */
export interface DeviceHealthRow {
  id: string
  online: boolean | null
  lastSeen: number | null
  battery: number | null
  rssi: number | null
  linkquality: number | null
  fw: string | null
  dropped: Record<string, number>
}

interface DeviceRow extends Omit<Device, 'online' | 'dropped' | 'connected'> {
  online: number | null
  dropped: string
}

const SELECT_DEVICE = `SELECT id, home_id AS homeId, kind, room, hub_id AS hubId, friendly_name AS friendlyName,
  created_at AS createdAt, revoked_at AS revokedAt, online, last_seen AS lastSeen, battery, rssi, linkquality, fw, dropped
  FROM devices`

function fromRow (row: DeviceRow): Device {
  return { ...row, online: row.online === null ? null : row.online === 1, connected: false, dropped: JSON.parse(row.dropped) as Record<string, number> }
}

export class DeviceStore {
  private readonly authStmt
  constructor (private readonly db: Db, private readonly clock: Clock) {
    this.authStmt = db.prepare('SELECT id, kind, home_id AS homeId, secret_hash AS secretHash, revoked_at AS revokedAt FROM devices WHERE id = ?')
  }

  private credentials (id: string, kind: DeviceKind, homeId: string, secret: string): DeviceCredentials {
    return { id, kind, homeId, secret, mqtt: { clientId: id, username: id, password: secret } }
  }

  /** Register a sensor or a hub; the secret is returned here once and only its hash is kept. */
  register (kind: 'sensor' | 'hub', input: DeviceInput): DeviceCredentials {
    const id = input.id ?? newId(kind === 'hub' ? 'hub' : 'dev')
    const secret = generateSecret()
    insertOrThrow(() => this.db.prepare(`INSERT INTO devices (id, home_id, kind, room, secret_hash, created_at)
      VALUES (?, ?, ?, ?, ?, ?)`).run(id, input.homeId, kind, input.room ?? null, hashSecret(secret), this.clock.now()))
    return this.credentials(id, kind, input.homeId, secret)
  }

  rotateSecret (id: string): DeviceCredentials {
    const record = this.authLookup(id)
    if (record === undefined || record.kind === 'hub-sensor') throw new AnjuError('NOT_FOUND', `device ${id} does not exist or has no secret`)
    const secret = generateSecret()
    this.db.prepare('UPDATE devices SET secret_hash = ?, revoked_at = NULL WHERE id = ?').run(hashSecret(secret), id)
    return this.credentials(id, record.kind, record.homeId, secret)
  }

  revoke (id: string): void {
    const result = this.db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.clock.now(), id)
    if (result.changes === 0 && this.authLookup(id) === undefined) throw new AnjuError('NOT_FOUND', `device ${id} does not exist`)
  }

  /** Move a device (and, for a hub, the sensors behind it) to another home. */
  move (id: string, homeId: string): Device {
    if (this.authLookup(id) === undefined) throw new AnjuError('NOT_FOUND', `device ${id} does not exist`)
    insertOrThrow(() => this.db.prepare('UPDATE devices SET home_id = ? WHERE id = ? OR hub_id = ?').run(homeId, id, id))
    return this.get(id) as Device
  }

  authLookup (id: string): AuthRecord | undefined {
    return this.authStmt.get(id) as AuthRecord | undefined
  }

  get (id: string): Device | undefined {
    const row = this.db.prepare(`${SELECT_DEVICE} WHERE id = ?`).get(id) as DeviceRow | undefined
    return row === undefined ? undefined : fromRow(row)
  }

  list (filter: { homeId?: string, hubId?: string } = {}): Device[] {
    const rows = this.db.prepare(`${SELECT_DEVICE} WHERE (@homeId IS NULL OR home_id = @homeId)
      AND (@hubId IS NULL OR hub_id = @hubId) ORDER BY id`).all({ homeId: filter.homeId ?? null, hubId: filter.hubId ?? null }) as DeviceRow[]
    return rows.map(fromRow)
  }

  /**
   * The registry id of a Zigbee sensor behind a hub, created the first time the hub reports it.
   * Returns null when the hub already has `max` sensors (a broken hub must not fill the registry).
   */
  ensureHubSensor (hubId: string, friendlyName: string, max: number): { id: string, homeId: string } | null {
    const existing = this.db.prepare('SELECT id, home_id AS homeId FROM devices WHERE hub_id = ? AND friendly_name = ?')
      .get(hubId, friendlyName) as { id: string, homeId: string } | undefined
    if (existing !== undefined) return existing
    const hub = this.authLookup(hubId)
    if (hub === undefined) return null
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM devices WHERE hub_id = ?').get(hubId) as { n: number }).n
    if (count >= max) return null
    const id = newId('zs')
    this.db.prepare(`INSERT INTO devices (id, home_id, kind, hub_id, friendly_name, created_at)
      VALUES (?, ?, 'hub-sensor', ?, ?, ?)`).run(id, hub.homeId, hubId, friendlyName, this.clock.now())
    return { id, homeId: hub.homeId }
  }

  saveHealth (rows: DeviceHealthRow[]): void {
    const stmt = this.db.prepare(`UPDATE devices SET online = @online, last_seen = @lastSeen, battery = @battery, rssi = @rssi,
      linkquality = @linkquality, fw = @fw, dropped = @dropped WHERE id = @id`)
    this.db.transaction(() => {
      for (const row of rows) {
        stmt.run({ ...row, online: row.online === null ? null : row.online ? 1 : 0, dropped: JSON.stringify(row.dropped) })
      }
    })()
  }

  getConfig (id: string): Record<string, unknown> | undefined {
    const row = this.db.prepare('SELECT config FROM devices WHERE id = ?').get(id) as { config: string } | undefined
    return row === undefined ? undefined : JSON.parse(row.config) as Record<string, unknown>
  }

  setConfig (id: string, config: Record<string, unknown>): void {
    const result = this.db.prepare('UPDATE devices SET config = ? WHERE id = ?').run(JSON.stringify(config), id)
    if (result.changes === 0) throw new AnjuError('NOT_FOUND', `device ${id} does not exist`)
  }

  /** Ids of sensors that may connect, for republishing their retained config at start-up. */
  activeSensorIds (): string[] {
    return (this.db.prepare("SELECT id FROM devices WHERE kind = 'sensor' AND revoked_at IS NULL").all() as { id: string }[]).map((r) => r.id)
  }

  countByKind (): Record<DeviceKind, number> {
    const rows = this.db.prepare('SELECT kind, COUNT(*) AS n FROM devices WHERE revoked_at IS NULL GROUP BY kind').all() as { kind: DeviceKind, n: number }[]
    const out: Record<DeviceKind, number> = { sensor: 0, hub: 0, 'hub-sensor': 0 }
    for (const r of rows) out[r.kind] = r.n
    return out
  }
}
